import { loadEnvFile } from './env-file';
import { AppConfig, appConfigFrom } from './app-config';
import { crossFieldProblems, envSchema } from './env.schema';

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

/** Validates the whole environment at once; throws naming every missing or malformed variable. */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  // Empty strings count as unset, so `FOO=` in an env file falls back to the default or is reported missing.
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(raw);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const message =
        issue.code === 'invalid_type' && raw[name] === undefined ? 'is required' : issue.message;
      return `${name} ${message}`;
    }),
    ...crossFieldProblems(raw).map(({ name, message }) => `${name} ${message}`),
  ];
  if (!parsed.success || problems.length) throw new InvalidConfigError([...new Set(problems)].sort());
  return Object.assign(new AppConfig(), appConfigFrom(parsed.data));
}

/** The process's configuration: `.env.local` (when present) under the real environment, validated. */
export function loadProcessConfig(): AppConfig {
  loadEnvFile();
  return loadConfig(process.env);
}

/**
 * How to log when the environment did not validate (the culprit may be LOG_LEVEL or LOG_PRETTY itself):
 * JSON unless LOG_PRETTY says pretty or, unset, NODE_ENV is development, as AppConfig decides.
 */
export function fallbackLogConfig(): Pick<AppConfig, 'log'> {
  const { LOG_PRETTY: pretty, NODE_ENV: env = 'development' } = process.env;
  return {
    log: {
      level: 'info',
      pretty:
        pretty === undefined || pretty === '' ? env === 'development' : pretty === 'true' || pretty === '1',
    },
  };
}
