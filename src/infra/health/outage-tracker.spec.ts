import { OutageTracker } from './outage-tracker';

describe(OutageTracker.name, () => {
  let now: number;
  let sut: OutageTracker;

  beforeEach(() => {
    now = 1_000_000;
    sut = new OutageTracker(() => now, 60_000);
  });

  const failEvery = (ms: number, times: number) =>
    Array.from({ length: times }, () => {
      now += ms;
      return sut.failed();
    }).filter((notice) => notice !== null);

  it('says nothing while the dependency answers', () => {
    expect(sut.succeeded()).toBeNull();
    expect(sut.succeeded()).toBeNull();
    expect(sut.down).toBe(false);
  });

  it('reports the first failure as the start of an outage, and stays quiet on the next ones', () => {
    expect(sut.failed()).toEqual({ kind: 'started', failures: 1 });
    expect(sut.down).toBe(true);
    expect(failEvery(2_000, 29)).toEqual([]);
  });

  it('reminds once per period while the outage lasts, with how long and how many failures', () => {
    sut.failed();
    // Probes every 2 s for 3 minutes: a reminder at 60 s, 120 s and 180 s, nothing in between.
    const notices = failEvery(2_000, 90);
    expect(notices).toEqual([
      { kind: 'ongoing', downForMs: 60_000, failures: 31 },
      { kind: 'ongoing', downForMs: 120_000, failures: 61 },
      { kind: 'ongoing', downForMs: 180_000, failures: 91 },
    ]);
  });

  it('reports the end of an outage once, with its length, then is quiet again', () => {
    sut.failed();
    failEvery(1_000, 7);
    now += 500;
    expect(sut.succeeded()).toEqual({ kind: 'recovered', downForMs: 7_500, failures: 8 });
    expect(sut.down).toBe(false);
    expect(sut.succeeded()).toBeNull();
  });

  it('treats a failure after recovery as a new outage, counted from then', () => {
    sut.failed();
    now += 90_000;
    sut.failed();
    sut.succeeded();
    now += 10_000;
    expect(sut.failed()).toEqual({ kind: 'started', failures: 1 });
    now += 59_999;
    expect(sut.failed()).toBeNull();
    now += 1;
    expect(sut.failed()).toEqual({ kind: 'ongoing', downForMs: 60_000, failures: 3 });
  });
});
