import { Injectable, Logger } from '@nestjs/common';

import { JobRunRef, JobRunState, JobRunsRepository, JobRunUpdate } from './job-runs.repository';

interface Pending {
  update: JobRunUpdate;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Job-run bookkeeping with group commit: state changes reported while a write is in flight wait for it and go
 * together in the next one (one upsert for every job that changed meanwhile, the latest state of each), so
 * concurrent jobs share statements and commits instead of paying two each. Idle, a change is written at once.
 * Writes are serial per process, so a job's later state never lands before its earlier one.
 */
@Injectable()
export class JobRunLog {
  private readonly logger = new Logger(JobRunLog.name);
  private pending = new Map<string, Pending>();
  private flushing: Promise<void> | null = null;

  constructor(private readonly repository: JobRunsRepository) {}

  /** Records the change; resolves once it is committed. */
  record(run: JobRunRef, state: JobRunState, attempts: number, lastError?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const previous = this.pending.get(run.jobId);
      const update: JobRunUpdate = {
        run,
        state,
        attempts: Math.max(attempts, previous?.update.attempts ?? 0),
        lastError: lastError ?? previous?.update.lastError ?? null,
      };
      const waiters = [...(previous?.waiters ?? []), { resolve, reject }];
      this.pending.set(run.jobId, { update, waiters });
      this.flushing ??= this.flush();
    });
  }

  /**
   * Records the change without waiting for it (a run's start: its final state, which the job does wait for,
   * carries everything the start did). A failed write is logged.
   */
  note(run: JobRunRef, state: JobRunState, attempts: number): void {
    this.record(run, state, attempts).catch((error: unknown) =>
      this.logger.warn({ err: error, jobId: run.jobId }, 'job run not recorded'),
    );
  }

  private async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.repository.recordMany(batch.map((p) => p.update));
        for (const p of batch) for (const w of p.waiters) w.resolve();
      } catch (error) {
        for (const p of batch) for (const w of p.waiters) w.reject(error);
      }
    }
    this.flushing = null;
  }
}
