import { Queue } from 'bullmq';
import Redis from 'ioredis';

import { QueueName } from '../../src/infra/queue/queue-names';
import { jobIdFor } from '../../src/modules/outbox/outbox-message';

/** Every state a BullMQ job can be in. */
export const JOB_STATES = [
  'waiting',
  'delayed',
  'prioritized',
  'active',
  'completed',
  'failed',
  'paused',
  'waiting-children',
] as const;

/** What BullMQ holds of the outbox's rows, read from Redis after the fact. */
export interface OutboxJobs {
  /** outbox id → the ids of the jobs (in any queue and state) whose payload names that row. */
  jobsByOutboxId: Map<string, string[]>;
  /** job id → how many times BullMQ created it (`added` events still in the queues' event streams). */
  addedByJobId: Map<string, number>;
  /** How many adds of an existing job id BullMQ deduplicated (`duplicated` events). */
  duplicated: number;
}

/**
 * Reads every job of every Dispatch queue and the queues' event streams. A job is created once per outbox
 * row (job id = `ob-<outbox id>`); a repeated add of the same row (a relay that crashed before its commit, two
 * relays, a re-dispatch) is deduplicated by BullMQ and shows as a `duplicated` event, never as a second
 * `added` one. The streams are capped (BullMQ trims them to ~10,000 events per queue), so an old `added`
 * event may be missing: the counts can only undercount.
 */
export async function readOutboxJobs(redisUrl: string, keyPrefix: string): Promise<OutboxJobs> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const jobsByOutboxId = new Map<string, string[]>();
  const addedByJobId = new Map<string, number>();
  let duplicated = 0;
  try {
    for (const name of Object.values(QueueName)) {
      const prefix = `${keyPrefix}{${name}}`;
      // BullMQ leaves a connection it was given open: this one is closed here.
      const connection = redis.duplicate();
      const queue = new Queue(name, { connection, prefix });
      try {
        for (const job of await queue.getJobs([...JOB_STATES])) {
          const outboxId = (job?.data as { outboxId?: string } | undefined)?.outboxId;
          if (!job?.id || !outboxId) continue;
          jobsByOutboxId.set(outboxId, [...(jobsByOutboxId.get(outboxId) ?? []), job.id]);
        }
      } finally {
        await queue.close();
        connection.disconnect();
      }
      const events = (await redis.xrange(`${prefix}:${name}:events`, '-', '+')) as [string, string[]][];
      for (const [, fields] of events) {
        const field = (key: string) => fields[fields.indexOf(key) + 1];
        if (field('event') === 'added')
          addedByJobId.set(field('jobId'), (addedByJobId.get(field('jobId')) ?? 0) + 1);
        else if (field('event') === 'duplicated') duplicated++;
      }
    }
  } finally {
    redis.disconnect();
  }
  return { jobsByOutboxId, addedByJobId, duplicated };
}

/** Outbox rows with anything but exactly one job under their own job id, or created more than once. */
export function outboxJobProblems(jobs: OutboxJobs, sentOutboxIds: string[]): string[] {
  const problems: string[] = [];
  for (const [outboxId, ids] of jobs.jobsByOutboxId)
    if (ids.length !== 1 || ids[0] !== jobIdFor(outboxId))
      problems.push(`outbox ${outboxId}: jobs ${ids.join(', ')}`);
  for (const outboxId of sentOutboxIds)
    if (!jobs.jobsByOutboxId.has(outboxId)) problems.push(`outbox ${outboxId}: no job`);
  for (const [jobId, n] of jobs.addedByJobId) if (n > 1) problems.push(`${jobId} created ×${n}`);
  return problems;
}
