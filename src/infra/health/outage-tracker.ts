/** What an outage tracker asks its owner to log, at most once per call. */
export type OutageNotice =
  | { kind: 'started'; failures: 1 }
  | { kind: 'ongoing'; downForMs: number; failures: number }
  | { kind: 'recovered'; downForMs: number; failures: number };

export const OUTAGE_REMINDER_MS = 60_000;

/**
 * The state machine behind "one line when an outage starts, one a minute while it lasts, one when it
 * ends" (issue 13): fed every probe result, it answers whether that result deserves a log line. Pure, with
 * the clock injected, so the cadence is tested without waiting for it.
 */
export class OutageTracker {
  private since: number | null = null;
  private lastNoticeAt = 0;
  private failures = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly reminderMs: number = OUTAGE_REMINDER_MS,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /** A probe failed: `started` for the first failure, `ongoing` once per reminder period, otherwise null. */
  failed(): OutageNotice | null {
    const now = this.now();
    this.failures++;
    if (this.since === null) {
      this.since = now;
      this.lastNoticeAt = now;
      this.failures = 1;
      return { kind: 'started', failures: 1 };
    }
    if (now - this.lastNoticeAt < this.reminderMs) return null;
    this.lastNoticeAt = now;
    return { kind: 'ongoing', downForMs: now - this.since, failures: this.failures };
  }

  /** A probe succeeded: `recovered` when it ends an outage, otherwise null. */
  succeeded(): OutageNotice | null {
    if (this.since === null) return null;
    const notice: OutageNotice = {
      kind: 'recovered',
      downForMs: this.now() - this.since,
      failures: this.failures,
    };
    this.since = null;
    this.failures = 0;
    return notice;
  }
}
