import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

import { CORE_SCHEMA, load as loadYaml, mergeTag } from 'js-yaml';

/** Reading the compose stack's files (compose, env files, configs) for the static checks. */

export const ROOT = path.resolve(__dirname, '../../..');

export type Obj = Record<string, unknown>;

/** Compose relies on YAML merge keys (`<<: *app`); js-yaml 5's default core schema leaves them out. */
const YAML_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

export function parseYaml(text: string): unknown {
  return loadYaml(text, { schema: YAML_SCHEMA });
}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function readText(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

export function readYaml(relative: string): Obj {
  const doc = parseYaml(readText(relative));
  if (!isObj(doc)) throw new Error(`${relative} is not a YAML mapping`);
  return doc;
}

export function exists(relative: string): boolean {
  return existsSync(path.resolve(ROOT, relative));
}

export function yamlFiles(relativeDir: string): string[] {
  return readdirSync(path.join(ROOT, relativeDir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(relativeDir, f));
}

/** An env file as Compose and Node read it (`KEY=value` lines, comments, quotes). */
export function readEnvFile(relative: string): Record<string, string> {
  return parseEnv(readText(relative)) as Record<string, string>;
}

export interface Interpolated<T> {
  value: T;
  /** `${VAR:?message}` / `${VAR?message}` whose variable was missing: Compose refuses to start with these. */
  missing: string[];
}

const VARIABLE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose's interpolation of every string in a parsed compose file: `$$` is a literal `$`; `${VAR}` and `$VAR`;
 * `${VAR:-default}` (unset or empty) and `${VAR-default}` (unset); `${VAR:?err}` and `${VAR?err}` (required).
 */
export function interpolate<T>(value: T, env: Record<string, string>): Interpolated<T> {
  const missing: string[] = [];
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(VARIABLE, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
        if (match === '$$') return '$';
        const name = (braced ?? bare) as string;
        const current = env[name];
        const unset = current === undefined || (op?.startsWith(':') === true && current === '');
        if (op === ':-' || op === '-') return unset ? (arg ?? '') : current;
        if ((op === ':?' || op === '?') && unset) {
          missing.push(`${name}: ${arg ?? ''}`);
          return '';
        }
        return current ?? '';
      });
    }
    if (Array.isArray(node)) return node.map(visit);
    if (isObj(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)]));
    return node;
  };
  return { value: visit(value) as T, missing };
}

/** docker-compose.yml as written (merge keys applied, nothing interpolated). */
export function composeFile(): Obj {
  return readYaml('docker-compose.yml');
}

export function servicesOf(compose: Obj): Record<string, Obj> {
  return (isObj(compose.services) ? compose.services : {}) as Record<string, Obj>;
}

/** Services started by `docker compose [--profile P...] up`: those without profiles, and those of P. */
export function activeServices(compose: Obj, profiles: string[] = []): Record<string, Obj> {
  return Object.fromEntries(
    Object.entries(servicesOf(compose)).filter(([, service]) => {
      const own = asArray(service.profiles).map(String);
      return own.length === 0 || own.some((p) => profiles.includes(p));
    }),
  );
}

/** The demo's environment file: compose's --env-file and the app's env_file in one. */
export const DEMO_ENV_FILE = 'docker/demo.env';

/** Short or long volume syntax, as `{ type, source, target }`. */
export function volumeMounts(service: Obj): { type: string; source: string; target: string }[] {
  return asArray(service.volumes).flatMap((entry) => {
    if (typeof entry === 'string') {
      const [source, target] = entry.split(':');
      const type = source.startsWith('.') || source.startsWith('/') ? 'bind' : 'volume';
      return [{ type, source, target }];
    }
    if (isObj(entry)) {
      return [{ type: String(entry.type), source: String(entry.source ?? ''), target: String(entry.target) }];
    }
    return [];
  });
}

export function commandLine(command: unknown): string {
  return asArray(command).map(String).join(' ');
}
