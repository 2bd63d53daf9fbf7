import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';

import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppConfig } from '../config/app-config';
import { loadProcessConfig } from '../config/load-config';
import { DomainError } from '../infra/errors/domain-error';
import { CorrelationContext } from '../infra/logging/correlation-context';
import { REDIS_CLIENT, RedisClient } from '../infra/redis/redis.tokens';
import { CLI_COMMANDS, CliCommand, CliIo, CommandContext } from './cli-commands';
import { CommandRefusedError, UsageError } from './cli.errors';
import { closeApp } from './close-app';
import { CliModule } from './cli.module';
import { StderrLogger } from './stderr-logger';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const usageLine = (c: CliCommand) => ['dispatch', c.name, ...c.args.map((a) => `<${a}>`)].join(' ');

function globalHelp(): string {
  const width = Math.max(...CLI_COMMANDS.map((c) => usageLine(c).length));
  return [
    'Usage: dispatch <command> [options]',
    '',
    'Operator commands for Dispatch. Configuration comes from the environment and .env.local (ENV_FILE), as',
    'for the app. Every command that changes something is written to the operator audit trail (ops_audit) as',
    'cli:<os user>.',
    '',
    'Commands:',
    ...CLI_COMMANDS.map((c) => `  ${usageLine(c).padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help.',
    'Exit codes: 0 done, 1 failed or refused, 2 usage error.',
  ].join('\n');
}

const commandHelp = (c: CliCommand) =>
  [`Usage: ${usageLine(c)} [options]`, '', c.summary, ...c.details].join('\n');

/** Who runs the command, for the audit trail; a uid without a passwd entry (containers) is named by number. */
function operatorName(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function parse(command: CliCommand, args: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function execute(command: CliCommand, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(command, args);
  if (values.help) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== command.args.length) {
    throw new UsageError(
      `expects ${command.args.length ? command.args.map((a) => `<${a}>`).join(' ') : 'no arguments'}, got ${positionals.length}`,
    );
  }
  const config = loadProcessConfig();
  let app: INestApplicationContext | undefined;
  const ctx: CommandContext = {
    positionals,
    values,
    config,
    operator: operatorName(),
    correlationId: `cli-${randomUUID()}`,
    io,
    app: async () => {
      if (!app) {
        app = await boot(config);
        if (command.needsRedis) await redisAnswers(app);
      }
      return app;
    },
  };
  try {
    // Audit rows, outbox rows and log lines written by the command carry its correlation id.
    await CorrelationContext.run(ctx.correlationId, () => command.run(ctx));
    return EXIT_OK;
  } finally {
    if (app) await closeApp(app);
  }
}

function boot(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(CliModule.forConfig(config), {
    logger: new StderrLogger(config),
    // A failing module throws here (the runner reports it) instead of Nest ending the process itself.
    abortOnError: false,
  });
}

const REDIS_WAIT_MS = 10_000;

/** Redis answers a PING within REDIS_WAIT_MS (the app connection fails fast; retried until then). */
async function redisAnswers(app: INestApplicationContext): Promise<void> {
  const redis = app.get<RedisClient>(REDIS_CLIENT);
  const deadline = Date.now() + REDIS_WAIT_MS;
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (error) {
      if (Date.now() >= deadline)
        throw new CommandRefusedError(
          `Redis does not answer (${(error as Error).message}); the queues need it`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Runs one `dispatch` command line and returns its exit code: 0 done, 1 failed or refused (the message on
 * stderr), 2 usage error.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(`${globalHelp()}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${globalHelp()}\n`);
    return EXIT_OK;
  }
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`dispatch: unknown command '${name}'\n\n${globalHelp()}\n`);
    return EXIT_USAGE;
  }
  try {
    return await execute(command, args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`dispatch ${command.name}: ${error.message}\n\n${commandHelp(command)}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`dispatch ${command.name}: ${failureMessage(error)}\n`);
    return EXIT_FAILURE;
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof DomainError) return `${error.message} (${error.code})`;
  if (error instanceof CommandRefusedError) return error.message;
  if (error instanceof Error && error.name === 'InvalidConfigError') return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
