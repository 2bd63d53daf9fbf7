import { Readable, Writable } from 'node:stream';
import { ParseArgsConfig } from 'node:util';

import { INestApplicationContext } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../infra/database/database.module';
import { migrateDatabase } from '../infra/database/migration-runner';
import { UuidParamDto } from '../infra/http/uuid-param.dto';
import { QueueName } from '../infra/queue/queue-names';
import { RegisterDto } from '../modules/auth/dto/register.dto';
import { JobRefDto } from '../modules/ops/operator/dto/job-ref.dto';
import { OpsReasonDto } from '../modules/ops/operator/dto/ops-reason.dto';
import { OperatorAccountsService } from '../modules/ops/operator/operator-accounts.service';
import { OperatorConsoleService } from '../modules/ops/operator/operator-console.service';
import { OpsAuditRepository } from '../modules/ops/operator/ops-audit.repository';
import { OrderReportService } from '../modules/ops/operator/order-report.service';
import { validateInput } from './cli-input';
import { CommandRefusedError, UsageError } from './cli.errors';
import { formatOrderReport } from './order-report.text';
import { readPassword } from './read-password';
import { textTable } from './text-table';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

/** What a command gets: its parsed arguments, who runs it, and the application when it needs one. */
export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  config: AppConfig;
  /** The audit trail's actor: `cli:<os user>`. */
  operator: string;
  correlationId: string;
  io: CliIo;
  /** Boots the CLI's Nest application context (once; closed by the runner). */
  app: () => Promise<INestApplicationContext>;
}

export interface CliCommand {
  name: string;
  /** `<ARG>` placeholders, in order; the number of positionals required. */
  args: string[];
  summary: string;
  /** Extra lines of `dispatch <command> --help`. */
  details: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  /** Works on the queues: checks Redis answers before acting (BullMQ would wait for it forever). */
  needsRedis?: boolean;
  run: (ctx: CommandContext) => Promise<void>;
}

const reasonOption = { reason: { type: 'string' } } as const;

const json = (ctx: CommandContext) => ctx.values.json === true;

function print(ctx: CommandContext, result: unknown, text: string): void {
  ctx.io.stdout.write(json(ctx) ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
}

/** The audit reason: `--reason`, or the command line that was run; the console's rules apply either way. */
async function reasonOf(ctx: CommandContext, command: string): Promise<string> {
  const given = ctx.values.reason;
  const reason = typeof given === 'string' ? given : `dispatch ${[command, ...ctx.positionals].join(' ')}`;
  const { problems } = await validateInput(OpsReasonDto, { reason });
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('; '));
  return reason;
}

const adminCreate: CliCommand = {
  name: 'admin:create',
  args: [],
  summary: 'create an admin account (password from stdin, or asked for on a terminal)',
  details: [
    'Options: --email E --name N (required), --language en|pt-BR, --reason R, --json',
    'The password follows the registration rules (10 to 128 characters); a weak one is refused (exit 1).',
    'Example: printf \'%s\\n\' "$ADMIN_PASSWORD" | dispatch admin:create --email ops@example.com --name Ops',
  ],
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    ...reasonOption,
  },
  async run(ctx) {
    const { email, name, language } = ctx.values;
    if (typeof email !== 'string' || typeof name !== 'string')
      throw new UsageError('--email and --name are required');
    const input = { email, name, ...(typeof language === 'string' ? { language } : {}) };
    // Everything but the password is the command line's: check it before asking for the password.
    const args = (await validateInput(RegisterDto, input)).problems.filter((p) => p.field !== 'password');
    if (args.length) throw new UsageError(args.map((p) => p.message).join('; '));
    const reason = await reasonOf(ctx, this.name);
    const password = await readPassword(ctx.io.stdin, ctx.io.stderr);
    if (password === '')
      throw new CommandRefusedError('no password given: pipe it on stdin, or run on a terminal to be asked');
    const { value, problems } = await validateInput(RegisterDto, { ...input, password });
    if (problems.length)
      throw new CommandRefusedError(`weak password refused: ${problems.map((p) => p.message).join('; ')}`);
    const app = await ctx.app();
    const admin = await app.get(OperatorAccountsService).createAdmin(ctx.operator, value, reason);
    print(ctx, admin, `Created admin ${admin.email} (${admin.id})`);
  },
};

const migrate: CliCommand = {
  name: 'migrate',
  args: [],
  summary: 'apply pending database migrations (under the same advisory lock as the app)',
  details: ['Options: --reason R, --json'],
  options: { ...reasonOption },
  async run(ctx) {
    const reason = await reasonOf(ctx, this.name);
    const applied = await migrateDatabase(dataSourceOptions(ctx.config), (dataSource, names) =>
      // The audit table exists once the migrations ran; recorded on the same connection.
      new OpsAuditRepository(dataSource).insert(dataSource.manager, {
        actor: ctx.operator,
        action: 'db.migrated',
        target: 'database',
        reason,
        details: { applied: names },
      }),
    );
    print(ctx, { applied }, applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  },
};

const ordersShow: CliCommand = {
  name: 'orders:show',
  args: ['ORDER_ID'],
  summary: 'show an order: its lines, payment ledger, history, jobs and steps',
  details: ['Options: --json (the report as JSON instead of tables)'],
  options: {},
  async run(ctx) {
    const [id] = ctx.positionals;
    const { problems } = await validateInput(UuidParamDto, { id });
    if (problems.length) throw new UsageError(`ORDER_ID must be a UUID, got '${id}'`);
    const report = await (await ctx.app()).get(OrderReportService).report(id);
    print(ctx, report, formatOrderReport(report));
  },
};

const jobsRetry: CliCommand = {
  name: 'jobs:retry',
  args: ['QUEUE', 'JOB_ID'],
  summary: `retry a failed job (re-dispatched from the outbox if Redis lost it); QUEUE: ${Object.values(QueueName).join(', ')}`,
  details: ['Options: --reason R (kept in the audit trail), --json'],
  options: { ...reasonOption },
  needsRedis: true,
  async run(ctx) {
    const [queue, jobId] = ctx.positionals;
    const { value, problems } = await validateInput(JobRefDto, { queue, jobId });
    if (problems.length) throw new UsageError(problems.map((p) => p.message).join('; '));
    const reason = await reasonOf(ctx, this.name);
    const operatorConsole = (await ctx.app()).get(OperatorConsoleService);
    const result = await operatorConsole.retryJob(ctx.operator, value.queue, value.jobId, reason);
    print(
      ctx,
      { ...result, queue: value.queue, correlationId: ctx.correlationId },
      `Job ${value.queue}/${result.jobId} ${result.action} (correlation id ${ctx.correlationId})`,
    );
  },
};

const outboxRedispatch: CliCommand = {
  name: 'outbox:redispatch',
  args: [],
  summary: 'relay every unsent (stuck) outbox row into its queue now, as the relay would',
  details: [
    'Safe while workers run: rows a relay holds are skipped, and a job id is never enqueued twice.',
    'Options: --reason R (kept in the audit trail, one row per outbox row), --json',
  ],
  options: { ...reasonOption },
  needsRedis: true,
  async run(ctx) {
    const reason = await reasonOf(ctx, this.name);
    const rows = await (await ctx.app()).get(OperatorConsoleService).redispatchOutbox(ctx.operator, reason);
    print(
      ctx,
      { redispatched: rows.length, rows, correlationId: ctx.correlationId },
      rows.length
        ? `Re-dispatched ${rows.length} outbox row(s):\n${textTable(rows as unknown as Record<string, unknown>[], ['outboxId', 'type', 'aggregateId', 'queue', 'jobId'])}`
        : 'No unsent outbox rows',
    );
  },
};

export const CLI_COMMANDS: CliCommand[] = [adminCreate, migrate, ordersShow, jobsRetry, outboxRedispatch];
