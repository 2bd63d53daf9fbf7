/** What a job handler reports: work done, nothing to do (expected state), or try again later. */
export type JobOutcome =
  { status: 'done' } | { status: 'skipped'; reason: string } | { status: 'retry'; reason: string };
