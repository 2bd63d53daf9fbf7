/**
 * The typed configuration every other part of Dispatch reads. Injected by class token; built once at boot
 * by `loadConfig` from the environment.
 */
export class AppConfig {
  env: 'development' | 'test' | 'production';
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** Take the client IP from X-Forwarded-For (only behind a trusted proxy). */
    trustProxy: boolean;
    corsOrigins: string[];
  };
  log: { level: string; pretty: boolean };
  db: { url: string; poolSize: number; runMigrations: boolean };
  redis: { url: string; keyPrefix: string };
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlDays: number };
  stripe: { mode: 'fake' | 'mock' | 'live'; secretKey?: string; webhookSecret?: string };
  rateLimit: { windowMs: number; max: number; authMax: number };
  catalog: { cacheTtlSeconds: number };
  seed: { enabled: boolean; adminEmail?: string; adminPassword?: string };
}
