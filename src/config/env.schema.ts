import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with protocol ${protocols.join(' or ')}` },
  );

/**
 * Every environment variable Dispatch reads. Defaults are for development only: secrets have none,
 * and `superRefine` below forbids dev conveniences in production.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: bool.optional(),

    DATABASE_URL: url(['postgres:', 'postgresql:']),
    DATABASE_POOL_SIZE: int(1, 200).default(10),
    DATABASE_RUN_MIGRATIONS: bool.default(true),

    REDIS_URL: url(['redis:', 'rediss:']),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ -')
      .default('dispatch:'),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    JWT_ACCESS_TTL_SECONDS: int(30, 86400).default(900),
    REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),

    STRIPE_MODE: z.enum(['fake', 'mock', 'live']).default('fake'),
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),

    TRUST_PROXY: bool.default(false),
    BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(65536),
    RATE_LIMIT_WINDOW_MS: int(100, 3_600_000).default(60_000),
    RATE_LIMIT_MAX: int(1, 10_000_000).default(300),
    AUTH_RATE_LIMIT_MAX: int(1, 10_000_000).default(20),
    CATALOG_CACHE_TTL_SECONDS: int(1, 86400).default(60),
    CORS_ORIGINS: z.string().default(''),

    SEED_TEST_DATA: bool.default(false),
    SEED_ADMIN_EMAIL: z.email().optional(),
    SEED_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  })
  .superRefine((env, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.SEED_TEST_DATA) {
      if (env.NODE_ENV === 'production') problem('SEED_TEST_DATA', 'must not be true in production');
      if (!env.SEED_ADMIN_EMAIL) problem('SEED_ADMIN_EMAIL', 'is required when SEED_TEST_DATA=true');
      if (!env.SEED_ADMIN_PASSWORD) problem('SEED_ADMIN_PASSWORD', 'is required when SEED_TEST_DATA=true');
    }
    if (env.NODE_ENV === 'production' && env.STRIPE_MODE !== 'live') {
      problem('STRIPE_MODE', 'must be live in production');
    }
    if (env.STRIPE_MODE !== 'fake') {
      if (!env.STRIPE_SECRET_KEY)
        problem('STRIPE_SECRET_KEY', `is required when STRIPE_MODE=${env.STRIPE_MODE}`);
      if (!env.STRIPE_WEBHOOK_SECRET) {
        problem('STRIPE_WEBHOOK_SECRET', `is required when STRIPE_MODE=${env.STRIPE_MODE}`);
      }
    }
  });

export type Env = z.infer<typeof envSchema>;
