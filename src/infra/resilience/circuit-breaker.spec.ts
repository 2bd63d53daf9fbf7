import { CircuitBreaker, CircuitBreakerOptions, CircuitState } from './circuit-breaker';
import { CircuitOpenError } from './circuit-open.error';

class Boom extends Error {}
class Ignored extends Error {}

/** A promise the test settles by hand, to hold a call in flight. */
function deferred<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe(CircuitBreaker.name, () => {
  let clock: number;
  let transitions: Array<[CircuitState, CircuitState]>;

  const ok = () => Promise.resolve('ok');
  const fail = () => Promise.reject(new Boom('down'));

  function breaker(options: Partial<CircuitBreakerOptions> = {}): CircuitBreaker {
    return new CircuitBreaker({
      failureThreshold: 3,
      openMs: 1000,
      now: () => clock,
      onStateChange: (state, previous) => transitions.push([state, previous]),
      name: 'erp',
      ...options,
    });
  }

  async function failTimes(sut: CircuitBreaker, times: number): Promise<void> {
    for (let i = 0; i < times; i++) await expect(sut.execute(fail)).rejects.toBeInstanceOf(Boom);
  }

  beforeEach(() => {
    clock = 10_000;
    transitions = [];
  });

  it('passes results and errors through while closed', async () => {
    const sut = breaker();

    await expect(sut.execute(ok)).resolves.toBe('ok');
    await expect(sut.execute(fail)).rejects.toThrow('down');
    expect(sut.state).toBe(CircuitState.Closed);
  });

  it('opens after failureThreshold consecutive failures and then fails fast', async () => {
    const sut = breaker();
    await failTimes(sut, 2);
    expect(sut.state).toBe(CircuitState.Closed);

    await failTimes(sut, 1);

    expect(sut.state).toBe(CircuitState.Open);
    const fn = jest.fn(ok);
    clock += 400;
    const error = await sut.execute(fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ retryAfterMs: 600, message: 'erp is open; retry in 600 ms' });
    expect(fn).not.toHaveBeenCalled();
    expect(transitions).toEqual([[CircuitState.Open, CircuitState.Closed]]);
  });

  it('needs the failures to be consecutive: a success resets the count', async () => {
    const sut = breaker();

    await failTimes(sut, 2);
    await sut.execute(ok);
    await failTimes(sut, 2);

    expect(sut.state).toBe(CircuitState.Closed);
  });

  it('counts a synchronous throw as a failure', async () => {
    const sut = breaker({ failureThreshold: 1 });

    await expect(
      sut.execute(() => {
        throw new Boom('sync');
      }),
    ).rejects.toThrow('sync');

    expect(sut.state).toBe(CircuitState.Open);
  });

  it('lets one probe through after openMs and closes on its success', async () => {
    const sut = breaker();
    await failTimes(sut, 3);
    clock += 999;
    await expect(sut.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock += 1;

    const probe = deferred();
    const probing = sut.execute(() => probe.promise);
    expect(sut.state).toBe(CircuitState.HalfOpen);
    const bystander = jest.fn(ok);
    await expect(sut.execute(bystander)).rejects.toMatchObject({ retryAfterMs: 1000 });
    await expect(sut.execute(bystander)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(bystander).not.toHaveBeenCalled();
    probe.resolve('probed');

    await expect(probing).resolves.toBe('probed');
    expect(sut.state).toBe(CircuitState.Closed);
    expect(transitions).toEqual([
      [CircuitState.Open, CircuitState.Closed],
      [CircuitState.HalfOpen, CircuitState.Open],
      [CircuitState.Closed, CircuitState.HalfOpen],
    ]);
  });

  it('starts counting from zero after closing again', async () => {
    const sut = breaker();
    await failTimes(sut, 3);
    clock += 1000;
    await sut.execute(ok);

    await failTimes(sut, 2);

    expect(sut.state).toBe(CircuitState.Closed);
  });

  it('opens again for a full openMs when the probe fails', async () => {
    const sut = breaker();
    await failTimes(sut, 3);
    clock += 5000;

    await expect(sut.execute(fail)).rejects.toBeInstanceOf(Boom);

    expect(sut.state).toBe(CircuitState.Open);
    clock += 999;
    await expect(sut.execute(ok)).rejects.toMatchObject({ retryAfterMs: 1 });
    clock += 1;
    await expect(sut.execute(ok)).resolves.toBe('ok');
    expect(transitions.map(([state]) => state)).toEqual([
      CircuitState.Open,
      CircuitState.HalfOpen,
      CircuitState.Open,
      CircuitState.HalfOpen,
      CircuitState.Closed,
    ]);
  });

  describe('isFailure', () => {
    const isFailure = (error: unknown) => !(error instanceof Ignored);
    const ignored = () => Promise.reject(new Ignored('4xx'));

    it('does not open on errors it excludes, but still rethrows them', async () => {
      const sut = breaker({ isFailure });

      for (let i = 0; i < 5; i++) await expect(sut.execute(ignored)).rejects.toBeInstanceOf(Ignored);

      expect(sut.state).toBe(CircuitState.Closed);
    });

    it('treats an excluded error as an answer: it breaks the streak of failures', async () => {
      const sut = breaker({ isFailure });

      await failTimes(sut, 2);
      await expect(sut.execute(ignored)).rejects.toBeInstanceOf(Ignored);
      await failTimes(sut, 2);

      expect(sut.state).toBe(CircuitState.Closed);
    });

    it('closes a half-open circuit when the probe ends with an excluded error', async () => {
      const sut = breaker({ isFailure });
      await failTimes(sut, 3);
      clock += 1000;

      await expect(sut.execute(ignored)).rejects.toBeInstanceOf(Ignored);

      expect(sut.state).toBe(CircuitState.Closed);
    });

    it('counts the error as a failure when the predicate itself throws', async () => {
      const sut = breaker({
        failureThreshold: 1,
        isFailure: () => {
          throw new Error('bad predicate');
        },
      });

      await expect(sut.execute(fail)).rejects.toBeInstanceOf(Boom);

      expect(sut.state).toBe(CircuitState.Open);
    });
  });

  it('ignores outcomes of calls that started before the circuit opened', async () => {
    const sut = breaker();
    const slowSuccess = deferred();
    const slowFailure = deferred();
    const succeeding = sut.execute(() => slowSuccess.promise);
    const failing = sut.execute(() => slowFailure.promise);
    await failTimes(sut, 3);
    expect(sut.state).toBe(CircuitState.Open);

    clock += 600;
    slowSuccess.resolve('late');
    slowFailure.reject(new Boom('late'));

    await expect(succeeding).resolves.toBe('late');
    await expect(failing).rejects.toBeInstanceOf(Boom);
    expect(sut.state).toBe(CircuitState.Open);
    // The late failure did not restart the open window.
    clock += 400;
    await expect(sut.execute(ok)).resolves.toBe('ok');
    expect(sut.state).toBe(CircuitState.Closed);
  });

  it('keeps working when onStateChange throws', async () => {
    const sut = breaker({
      failureThreshold: 1,
      onStateChange: () => {
        throw new Error('logger broke');
      },
    });
    await failTimes(sut, 1);
    clock += 1000;

    await expect(sut.execute(ok)).resolves.toBe('ok');

    expect(sut.state).toBe(CircuitState.Closed);
  });

  it('uses the real clock by default', async () => {
    const sut = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000 });

    await expect(sut.execute(fail)).rejects.toBeInstanceOf(Boom);

    const error = (await sut.execute(ok).catch((e: unknown) => e)) as CircuitOpenError;
    expect(error.retryAfterMs).toBeGreaterThan(59_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it.each([
    [{ failureThreshold: 0, openMs: 1 }],
    [{ failureThreshold: 1.5, openMs: 1 }],
    [{ failureThreshold: 1, openMs: -1 }],
    [{ failureThreshold: 1, openMs: Number.NaN }],
  ])('rejects invalid options %p', (options) => {
    expect(() => new CircuitBreaker(options)).toThrow(RangeError);
  });
});
