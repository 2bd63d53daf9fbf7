import { randomUUID } from 'node:crypto';

import { JobRunLog } from '../../../src/infra/queue/job-run-log';
import { JobRunRef } from '../../../src/infra/queue/job-runs.repository';
import { startTestApp, TestApp } from '../../setup/test-app';

describe(JobRunLog.name, () => {
  let t: TestApp;
  let log: JobRunLog;

  beforeAll(async () => {
    t = await startTestApp();
    log = t.app.get(JobRunLog);
  });
  afterAll(() => t.close());

  const run = (n: number): JobRunRef => ({
    jobId: `jrl-${n}-${randomUUID()}`,
    aggregateId: randomUUID(),
    outboxId: String(900_000 + n),
    queue: 'orders',
    name: 'PROCESS',
    correlationId: `corr-${n}`,
  });

  const stateOf = async (jobId: string) =>
    (
      await t.db.query<{ state: string; attempts: number; last_error: string | null }>(
        `SELECT state, attempts, last_error FROM job_runs WHERE job_id = $1`,
        [jobId],
      )
    )[0];

  it('commits what concurrent jobs report, each run at its latest state, never an earlier one over a later', async () => {
    for (let round = 0; round < 5; round++) {
      const runs = Array.from({ length: 40 }, (_, i) => run(round * 100 + i));
      await Promise.all(
        runs.map(async (r, i) => {
          log.note(r, 'active', 1);
          if (i % 4 === 0) {
            await log.record(r, 'retrying', 1, 'boom');
            log.note(r, 'active', 2);
            await log.record(r, 'completed', 2);
          } else {
            await log.record(r, 'completed', 1);
          }
        }),
      );
      for (const [i, r] of runs.entries()) {
        expect(await stateOf(r.jobId)).toEqual(
          i % 4 === 0
            ? { state: 'completed', attempts: 2, last_error: 'boom' }
            : { state: 'completed', attempts: 1, last_error: null },
        );
      }
    }
  });

  it('rejects the waiters of a write that fails, and writes the next changes after it', async () => {
    const bad = { ...run(1), aggregateId: 'not-a-uuid' };
    await expect(log.record(bad, 'completed', 1)).rejects.toThrow();
    const good = run(2);
    await log.record(good, 'skipped', 1);
    expect(await stateOf(good.jobId)).toMatchObject({ state: 'skipped', attempts: 1 });
  });
});
