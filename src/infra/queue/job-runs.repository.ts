import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type JobRunState = 'queued' | 'active' | 'retrying' | 'completed' | 'skipped' | 'failed';

/** Identifies a dispatched job and what it belongs to. */
export interface JobRunRef {
  jobId: string;
  aggregateId: string;
  outboxId: string;
  queue: string;
  name: string;
  correlationId: string | null;
}

/** One state change of a run, as the worker reports it. */
export interface JobRunUpdate {
  run: JobRunRef;
  state: JobRunState;
  attempts: number;
  lastError: string | null;
}

export interface JobRun {
  jobId: string;
  outboxId: string;
  queue: string;
  name: string;
  state: JobRunState;
  attempts: number;
  lastError: string | null;
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
}

interface JobRunRow {
  job_id: string;
  outbox_id: string;
  queue: string;
  name: string;
  state: JobRunState;
  attempts: number;
  last_error: string | null;
  correlation_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toJobRun = (r: JobRunRow): JobRun => ({
  jobId: r.job_id,
  outboxId: String(r.outbox_id),
  queue: r.queue,
  name: r.name,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  correlationId: r.correlation_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/**
 * The durable record of every dispatched job (Postgres, not Redis): what `GET /orders/:id/jobs` shows and
 * what the reconciler compares with Redis to re-dispatch jobs lost with it.
 */
@Injectable()
export class JobRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async recordQueued(em: EntityManager, runs: JobRunRef[]): Promise<void> {
    if (runs.length === 0) return;
    await em.query(
      `INSERT INTO job_runs (job_id, aggregate_id, outbox_id, queue, name, state, correlation_id)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (job_id) DO UPDATE SET updated_at = now()`,
      [
        runs.map((r) => r.jobId),
        runs.map((r) => r.aggregateId),
        runs.map((r) => r.outboxId),
        runs.map((r) => r.queue),
        runs.map((r) => r.name),
        runs.map(() => 'queued'),
        runs.map((r) => r.correlationId),
      ],
    );
  }

  /**
   * Upserts runs' states from the worker, several jobs in one statement (one entry per job). An upsert, because
   * a fast worker can start the job before the relay's statement that inserts the row has committed; the
   * insert then waits for it. Attempts never go down and a known error is kept until a new one replaces it.
   */
  async recordMany(entries: JobRunUpdate[]): Promise<void> {
    if (entries.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO job_runs (job_id, aggregate_id, outbox_id, queue, name, correlation_id, state, attempts, last_error)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::int[], $9::text[])
       ON CONFLICT (job_id) DO UPDATE SET state = EXCLUDED.state, attempts = GREATEST(job_runs.attempts, EXCLUDED.attempts),
         last_error = COALESCE(EXCLUDED.last_error, job_runs.last_error), updated_at = now()`,
      [
        entries.map((e) => e.run.jobId),
        entries.map((e) => e.run.aggregateId),
        entries.map((e) => e.run.outboxId),
        entries.map((e) => e.run.queue),
        entries.map((e) => e.run.name),
        entries.map((e) => e.run.correlationId),
        entries.map((e) => e.state),
        entries.map((e) => e.attempts),
        entries.map((e) => e.lastError),
      ],
    );
  }

  async forAggregate(aggregateId: string): Promise<JobRun[]> {
    const rows: JobRunRow[] = await this.dataSource.query(
      `SELECT * FROM job_runs WHERE aggregate_id = $1 ORDER BY created_at, job_id`,
      [aggregateId],
    );
    return rows.map(toJobRun);
  }

  /** Jobs that should still be in Redis (queued, running or waiting to retry), untouched for a while. */
  async open(olderThanSeconds: number, limit: number): Promise<JobRun[]> {
    const rows: JobRunRow[] = await this.dataSource.query(
      `SELECT * FROM job_runs WHERE state IN ('queued', 'active', 'retrying')
         AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map(toJobRun);
  }

  /** The latest runs that failed for good, newest first (the operator console's list). */
  async recentlyFailed(limit: number): Promise<(JobRun & { aggregateId: string })[]> {
    const rows: (JobRunRow & { aggregate_id: string })[] = await this.dataSource.query(
      `SELECT * FROM job_runs WHERE state = 'failed' ORDER BY updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ ...toJobRun(r), aggregateId: r.aggregate_id }));
  }

  /** An operator retried the job: it is queued again. */
  async markRequeued(em: EntityManager, jobId: string): Promise<void> {
    await em.query(`UPDATE job_runs SET state = 'queued', updated_at = now() WHERE job_id = $1`, [jobId]);
  }

  /** Runs of these jobs of the queue that failed for good. */
  async failed(queue: string, names: string[], limit: number): Promise<(JobRun & { aggregateId: string })[]> {
    const rows: (JobRunRow & { aggregate_id: string })[] = await this.dataSource.query(
      `SELECT * FROM job_runs WHERE state = 'failed' AND queue = $1 AND name = ANY($2::text[])
        ORDER BY updated_at LIMIT $3`,
      [queue, names, limit],
    );
    return rows.map((r) => ({ ...toJobRun(r), aggregateId: r.aggregate_id }));
  }
}
