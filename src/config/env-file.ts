import { existsSync } from 'node:fs';

/**
 * Loads `.env.local` (or ENV_FILE) into process.env when present; variables already set in the
 * environment win. Production containers get their environment from the orchestrator instead.
 */
export function loadEnvFile(): void {
  const file = process.env.ENV_FILE ?? '.env.local';
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before);
}
