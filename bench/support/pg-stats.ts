import { setTimeout as sleep } from 'node:timers/promises';

import { BENCH_MARK, BenchDatabase } from './database';
import { round } from './stats';

interface Counters {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
  deleted: number;
  deadlocks: number;
}

interface Statement {
  query: string;
  calls: number;
  rows: number;
}

export interface PgSnapshot {
  benchStatements: number;
  counters: Counters;
  statements: Map<string, Statement> | null;
}

export interface PgUse {
  units: number;
  commitsPerUnit: number;
  rollbacksPerUnit: number;
  rowsWrittenPerUnit: { inserted: number; updated: number; deleted: number; total: number };
  deadlocks: number;
  /** Every statement the app (or pgbench) sent, BEGIN and COMMIT included; null without pg_stat_statements. */
  statementsPerUnit: number | null;
  statements: { statement: string; callsPerUnit: number; rowsPerUnit: number }[] | null;
}

const STATEMENT_TEXT_CHARS = 160;

const enableHint = (preload: string) =>
  `pg_stat_statements is not loaded by this Postgres (shared_preload_libraries = '${preload}'), so statements ` +
  'per order are not measured (commits, rows written and deadlocks still are, from pg_stat_database). To enable ' +
  "it: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; then restart Postgres (Debian: " +
  'pg_ctlcluster 15 main restart). The app does not need it.';

/**
 * Database work per order, from the statistics Postgres keeps: pg_stat_database (commits, rollbacks, rows
 * inserted/updated/deleted, deadlocks) and, where the extension is loaded, pg_stat_statements (statements by
 * text). Both are snapshotted before and after a phase and subtracted, for the bench database only; the bench's
 * own statements are left out (counted by BenchDatabase, marked for pg_stat_statements).
 */
export class PgStats {
  private constructor(
    private readonly db: BenchDatabase,
    readonly statementsAvailable: boolean,
    readonly note: string | null,
  ) {}

  /** Creates the extension in the bench database when the server has it loaded; says how to load it if not. */
  static async prepare(db: BenchDatabase): Promise<PgStats> {
    const [{ shared_preload_libraries: preload }] = await db.query<{ shared_preload_libraries: string }>(
      'SHOW shared_preload_libraries',
    );
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await db.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      return new PgStats(db, true, null);
    } catch {
      return new PgStats(db, false, enableHint(preload));
    }
  }

  async snapshot(): Promise<PgSnapshot> {
    const benchStatements = this.db.statements;
    const [c] = await this.db.query<Record<keyof Counters, string>>(
      `SELECT xact_commit AS commits, xact_rollback AS rollbacks, tup_inserted AS inserted,
              tup_updated AS updated, tup_deleted AS deleted, deadlocks
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    const counters = Object.fromEntries(
      Object.entries(c).map(([k, v]) => [k, Number(v)]),
    ) as unknown as Counters;
    let statements: Map<string, Statement> | null = null;
    if (this.statementsAvailable) {
      const rows = await this.db.query<{ queryid: string; query: string; calls: string; rows: string }>(
        `SELECT queryid::text, query, calls, rows FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      statements = new Map(
        rows
          .filter((r) => !r.query.includes(BENCH_MARK))
          .map((r) => [r.queryid, { query: r.query, calls: Number(r.calls), rows: Number(r.rows) }]),
      );
    }
    return { benchStatements, counters, statements };
  }

  /**
   * Backends report their counters to pg_stat_database lazily (at most once a second, on going idle): wait
   * until they stop moving, apart from the bench's own reads, before the closing snapshot.
   */
  async settle(maxMs = 12_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    let previous: Counters | null = null;
    await sleep(1100);
    while (Date.now() < deadline) {
      const { counters } = await this.snapshot();
      if (
        previous &&
        counters.commits - previous.commits <= 2 &&
        counters.inserted + counters.updated + counters.deleted ===
          previous.inserted + previous.updated + previous.deleted
      ) {
        return;
      }
      previous = counters;
      await sleep(600);
    }
  }

  diff(before: PgSnapshot, after: PgSnapshot, units: number): PgUse {
    const per = (n: number, digits = 2) => round(n / Math.max(1, units), digits);
    const d = (k: keyof Counters) => after.counters[k] - before.counters[k];
    // Each bench statement is one autocommit transaction of its own.
    const benchCommits = after.benchStatements - before.benchStatements;
    const written = { inserted: d('inserted'), updated: d('updated'), deleted: d('deleted') };
    let statements: PgUse['statements'] = null;
    let statementsPerUnit: number | null = null;
    if (before.statements && after.statements) {
      const byText = new Map<string, { calls: number; rows: number }>();
      for (const [id, s] of after.statements) {
        const calls = s.calls - (before.statements.get(id)?.calls ?? 0);
        if (calls <= 0) continue;
        const text = s.query.replace(/\s+/g, ' ').trim().slice(0, STATEMENT_TEXT_CHARS);
        const entry = byText.get(text) ?? { calls: 0, rows: 0 };
        entry.calls += calls;
        entry.rows += s.rows - (before.statements.get(id)?.rows ?? 0);
        byText.set(text, entry);
      }
      const list = [...byText].sort((a, b) => b[1].calls - a[1].calls);
      statementsPerUnit = per(list.reduce((sum, [, s]) => sum + s.calls, 0));
      statements = list.map(([statement, s]) => ({
        statement,
        callsPerUnit: per(s.calls, 3),
        rowsPerUnit: per(s.rows, 3),
      }));
    }
    return {
      units,
      commitsPerUnit: per(d('commits') - benchCommits),
      rollbacksPerUnit: per(d('rollbacks')),
      rowsWrittenPerUnit: {
        inserted: per(written.inserted),
        updated: per(written.updated),
        deleted: per(written.deleted),
        total: per(written.inserted + written.updated + written.deleted),
      },
      deadlocks: d('deadlocks'),
      statementsPerUnit,
      statements,
    };
  }
}
