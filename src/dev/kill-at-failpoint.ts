import { writeSync } from 'node:fs';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { Failpoint, Failpoints } from '../infra/failpoints/failpoints';

/**
 * Crash points for chaos tests (FAILPOINTS=name=N): the Nth time the process passes `name` it SIGKILLs
 * itself, with no cleanup, exactly like a power cut at that line. Config refuses FAILPOINTS in production.
 */
@Injectable()
export class KillAtFailpoint extends Failpoints {
  private readonly hits = new Map<string, number>();

  constructor(private readonly config: AppConfig) {
    super();
  }

  override hit(point: Failpoint): void {
    const crashAt = this.config.dev.failpoints[point];
    if (crashAt === undefined) return;
    const count = (this.hits.get(point) ?? 0) + 1;
    this.hits.set(point, count);
    if (count !== crashAt) return;
    // Synchronous, so the line is out before the process is gone.
    writeSync(
      2,
      `${JSON.stringify({ level: 60, msg: 'failpoint: killing process', failpoint: point, pid: process.pid })}\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  }
}
