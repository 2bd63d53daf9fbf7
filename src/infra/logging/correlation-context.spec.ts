import { CorrelationContext } from './correlation-context';

describe('CorrelationContext', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('keeps a well-formed header value', () => {
    expect(CorrelationContext.fromHeader('req-1234abcd')).toBe('req-1234abcd');
    expect(CorrelationContext.fromHeader(['0f9c1b7e-58a1-4c1d-9a39-1d1e2a2b3c4d'])).toBe(
      '0f9c1b7e-58a1-4c1d-9a39-1d1e2a2b3c4d',
    );
  });

  it.each([
    undefined,
    '',
    'short',
    'has space inside',
    'x'.repeat(200),
    '<script>alert(1)</script>',
    '\nnewline123',
  ])('replaces %p with a fresh uuid', (value) => {
    expect(CorrelationContext.fromHeader(value)).toMatch(uuid);
  });

  it('exposes the id inside run() only, across awaits', async () => {
    expect(CorrelationContext.current()).toBeUndefined();
    await CorrelationContext.run('corr-abcdefgh', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(CorrelationContext.current()).toBe('corr-abcdefgh');
    });
    expect(CorrelationContext.current()).toBeUndefined();
  });
});
