import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { describeCause, isDependencyUnavailable } from '../errors/dependency-errors';
import { OutageNotice, OutageTracker } from './outage-tracker';

export type Dependency = 'postgres' | 'redis';

/** How often each dependency is probed, and how long one probe may take before it counts as failed. */
export const PROBE_INTERVAL_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_500;

interface Watched {
  target: string;
  probe: () => Promise<unknown>;
  tracker: OutageTracker;
  /** The last connection error a client of this dependency saw: names the host and port for the log. */
  lastError?: unknown;
  probing: boolean;
}

function withTimeout(check: () => Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * The one voice of a Postgres or Redis outage in this process's log: every dependency registers a probe, run
 * every PROBE_INTERVAL_MS; an OutageTracker turns the results into one warning when an outage starts, one
 * line a minute while it lasts and one when it ends. Clients report their connection errors here instead of
 * logging each reconnect attempt (ioredis retries every couple of seconds per connection: thousands of lines
 * per minute otherwise), and code that fails because a dependency is down logs that at debug.
 */
@Injectable()
export class DependencyMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DependencyMonitor.name);
  private readonly watched = new Map<Dependency, Watched>();
  private timer?: NodeJS.Timeout;

  /** Registers `dependency`, reachable at `target` (host:port), checked by `probe`. */
  watch(dependency: Dependency, target: string, probe: () => Promise<unknown>): void {
    this.watched.set(dependency, { target, probe, tracker: new OutageTracker(), probing: false });
  }

  /**
   * A client's 'error' event. Connection failures are remembered for the outage lines (the probe decides
   * when an outage starts and ends) and logged at debug; anything else is a real error and logged as one.
   */
  clientError(dependency: Dependency, error: unknown, client?: string): void {
    if (isDependencyUnavailable(error)) {
      const watched = this.watched.get(dependency);
      // A socket error (ECONNREFUSED 10.0.0.5:6379) names where; "Connection is closed." does not.
      if (watched && (!watched.lastError || (error as { code?: unknown }).code !== undefined))
        watched.lastError = error;
      this.logger.debug({ dependency, client, err: error }, `${dependency} connection error`);
      return;
    }
    this.logger.error({ dependency, client, err: error }, `${dependency} client error`);
  }

  isDown(dependency: Dependency): boolean {
    return this.watched.get(dependency)?.tracker.down ?? false;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
    this.timer.unref();
    void this.probeAll();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs every probe once (a probe still pending from the last round is not started again). */
  async probeAll(): Promise<void> {
    await Promise.all([...this.watched].map(([dependency, watched]) => this.probeOne(dependency, watched)));
  }

  private async probeOne(dependency: Dependency, watched: Watched): Promise<void> {
    if (watched.probing) return;
    watched.probing = true;
    try {
      await withTimeout(watched.probe);
      this.report(dependency, watched, watched.tracker.succeeded());
      watched.lastError = undefined;
    } catch (error) {
      this.report(dependency, watched, watched.tracker.failed(), watched.lastError ?? error);
    } finally {
      watched.probing = false;
    }
  }

  private report(
    dependency: Dependency,
    watched: Watched,
    notice: OutageNotice | null,
    error?: unknown,
  ): void {
    if (!notice) return;
    const fields = { dependency, target: watched.target, outage: notice.kind };
    const reason = error === undefined ? undefined : describeCause(error);
    if (notice.kind === 'started') {
      this.logger.warn(
        { ...fields, reason },
        `${dependency} outage started: ${watched.target} unreachable (${reason})`,
      );
    } else if (notice.kind === 'ongoing') {
      const downForSeconds = Math.round(notice.downForMs / 1000);
      this.logger.warn(
        { ...fields, reason, downForSeconds, failedProbes: notice.failures },
        `${dependency} outage ongoing: ${watched.target} unreachable for ${downForSeconds} s (${reason})`,
      );
    } else {
      const downForSeconds = Math.round(notice.downForMs / 1000);
      this.logger.log(
        { ...fields, downForSeconds, failedProbes: notice.failures },
        `${dependency} outage recovered: ${watched.target} answers again after ${downForSeconds} s`,
      );
    }
  }
}
