import { isDependencyUnavailable } from './dependency-errors';

const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe(isDependencyUnavailable.name, () => {
  it('recognises a refused or reset socket, wrapped or not', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDependencyUnavailable(refused)).toBe(true);
    expect(isDependencyUnavailable({ driverError: refused })).toBe(true);
    expect(isDependencyUnavailable(new Error('query failed', { cause: refused }))).toBe(true);
  });

  it('recognises a Redis Cluster of which no node answers', () => {
    const nodeError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7000'), {
      code: 'ECONNREFUSED',
    });
    expect(
      isDependencyUnavailable(
        named('ClusterAllFailedError', 'Failed to refresh slots cache.', { lastNodeError: nodeError }),
      ),
    ).toBe(true);
    expect(isDependencyUnavailable(new Error('None of startup nodes is available'))).toBe(true);
    expect(
      isDependencyUnavailable(
        named('MaxRetriesPerRequestError', 'Reached the max retries per request limit'),
      ),
    ).toBe(true);
  });

  it('leaves errors of the request or the code alone', () => {
    expect(isDependencyUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(isDependencyUnavailable(named('ReplyError', 'ERR unknown command'))).toBe(false);
    expect(isDependencyUnavailable(undefined)).toBe(false);
  });
});
