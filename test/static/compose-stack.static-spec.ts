import { readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv, { ValidateFunction } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';

import {
  activeServices,
  asArray,
  commandLine,
  composeFile,
  DEMO_ENV_FILE,
  exists,
  interpolate,
  isObj,
  Obj,
  readEnvFile,
  readText,
  ROOT,
  servicesOf,
  volumeMounts,
} from './support/stack-files';

/**
 * docker-compose.yml and docker/Dockerfile, checked without a Docker engine: the Compose specification's
 * JSON schema (as shipped by dclint, which tracks compose-spec), then what the schema cannot know: files and
 * volumes that must exist, and how the services fit together.
 */

const compose = composeFile();
const services = servicesOf(compose);
/** The services as Compose runs them in production (bind sources may be ${VAR:-default}). */
const productionServices = servicesOf(interpolate(compose, readEnvFile('.env.example.production')).value);
const productionEnv = readEnvFile('.env.example.production');
const demoEnv = readEnvFile(DEMO_ENV_FILE);

/** The compose-spec schema file inside the dclint package (its exports map hides the path from require). */
function composeSchema(): Obj {
  const dir = path.dirname(require.resolve('dclint/package.json'));
  return JSON.parse(readFileSync(path.join(dir, 'schemas/compose.schema.json'), 'utf8')) as Obj;
}

let validator: ValidateFunction | undefined;

function schemaErrors(doc: unknown): string[] {
  if (!validator) {
    // strict: false because the schema uses annotation keywords (deprecated, …) unknown to draft-07 validators.
    const ajv = new Ajv({ allErrors: true, strict: false });
    // The schema names draft-07 by its https address; Ajv ships that meta-schema under the http one.
    ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
    validator = ajv.compile(composeSchema());
  }
  if (validator(doc)) return [];
  return (validator.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

describe('docker-compose.yml against the Compose specification schema', () => {
  it('uses a schema that knows current Compose (env_file path/required, secrets from the environment)', () => {
    const definitions = composeSchema().definitions as Obj;
    expect(JSON.stringify(definitions.service)).toContain('"required"');
    expect(JSON.stringify(definitions.secret)).toContain('"environment"');
  });

  it('validates as written', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it.each([
    ['.env.example.production', productionEnv],
    [DEMO_ENV_FILE, demoEnv],
  ])('validates once interpolated with %s', (_file, env) => {
    expect(schemaErrors(interpolate(compose, env).value)).toEqual([]);
  });

  it('rejects what Compose rejects (the validator is not a no-op)', () => {
    expect(schemaErrors({ services: { api: { image: 'x', ports: { bad: true } } } })).not.toEqual([]);
    expect(schemaErrors({ services: { api: { image: 'x', restart_policy: 'always' } } })).not.toEqual([]);
  });

  it('interpolates the demo without a missing required variable (it runs as shipped)', () => {
    expect(interpolate(compose, demoEnv).missing).toEqual([]);
  });

  it('interpolates production only with the operator secrets reported missing', () => {
    expect(interpolate(compose, productionEnv).missing.map((m) => m.split(':')[0])).toEqual([
      'GRAFANA_ADMIN_PASSWORD',
    ]);
  });
});

describe('docker-compose.yml services', () => {
  it('defines every service of the stack, and Promtail no more (Alloy replaces it)', () => {
    const names = Object.keys(activeServices(compose));
    for (const name of [
      'api',
      'worker',
      'postgres',
      'redis',
      'prometheus',
      'alertmanager',
      'loki',
      'alloy',
      'grafana',
    ])
      expect(names).toContain(name);
    expect(Object.keys(services)).not.toContain('promtail');
    expect(exists('docker/promtail')).toBe(false);
  });

  it('runs redis with AOF persistence and the noeviction policy (BullMQ must never lose keys)', () => {
    const command = commandLine(services.redis.command);
    expect(command).toMatch(/--appendonly\s+yes\b/);
    expect(command).toMatch(/--maxmemory-policy\s+noeviction\b/);
  });

  it.each([
    ['api', 1],
    ['worker', 2],
  ])('runs %s as replicas (deploy.replicas, default %i, overridable)', (name, replicas) => {
    const deploy = services[name].deploy as Obj | undefined;
    const interpolated = /^\$\{([A-Z_]+):-(\d+)\}$/.exec(String(deploy?.replicas));
    expect(interpolated?.[1]).toBe(`${String(name).toUpperCase()}_REPLICAS`);
    expect(Number(interpolated?.[2])).toBe(replicas);
  });

  it.each(['api', 'worker'])('builds %s from docker/Dockerfile', (name) => {
    const build = services[name].build;
    expect(isObj(build)).toBe(true);
    const { context, dockerfile } = build as Obj;
    const dockerfilePath = path.resolve(ROOT, String(context ?? '.'), String(dockerfile ?? 'Dockerfile'));
    expect(path.relative(ROOT, dockerfilePath)).toBe(path.join('docker', 'Dockerfile'));
    expect(exists(path.relative(ROOT, dockerfilePath))).toBe(true);
  });

  it.each([
    ['production', productionEnv],
    ['demo', demoEnv],
  ])('bind-mounts only host paths that exist in the repository (%s)', (_name, env) => {
    const missing: string[] = [];
    let checked = 0;
    for (const [name, service] of Object.entries(interpolate(services, env).value)) {
      for (const { type, source } of volumeMounts(service)) {
        if (type !== 'bind' || !source.startsWith('.')) continue;
        checked += 1;
        if (!exists(source)) missing.push(`${name}: ${source}`);
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('declares every named volume a service mounts', () => {
    const declared = Object.keys(isObj(compose.volumes) ? compose.volumes : {});
    const used = Object.values(productionServices).flatMap((s) =>
      volumeMounts(s)
        .filter((m) => m.type === 'volume')
        .map((m) => m.source),
    );
    expect(used.length).toBeGreaterThan(5);
    expect(declared).toEqual(expect.arrayContaining([...new Set(used)]));
  });

  it('mounts one documents volume in api and worker at their DOCUMENTS_DIR', () => {
    for (const name of ['api', 'worker']) {
      const environment = services[name].environment as Obj;
      const dir = String(environment.DOCUMENTS_DIR);
      expect(path.isAbsolute(dir)).toBe(true);
      expect(volumeMounts(services[name])).toContainEqual({
        type: 'volume',
        source: 'documents',
        target: dir,
      });
    }
    expect(services.api.environment).toEqual(
      expect.objectContaining({ DOCUMENTS_DIR: '/app/var/documents' }),
    );
  });

  it('creates the documents directory in the image, owned by the unprivileged user (a new volume copies it)', () => {
    const dockerfile = readText('docker/Dockerfile');
    expect(dockerfile).toMatch(/mkdir -p [^\n]*var\/documents/);
    expect(dockerfile).toMatch(/chown -R node:node var\b/);
  });

  it('reads the app environment from .env.production by default, docker/demo.env in the demo', () => {
    const envFileOf = (env: Record<string, string>) =>
      asArray(interpolate(services.api, env).value.env_file).map((e) => (isObj(e) ? e.path : e));
    expect(envFileOf(productionEnv)).toEqual(['.env.production']);
    expect(envFileOf(demoEnv)).toEqual([DEMO_ENV_FILE]);
    expect(exists('.env.example.production')).toBe(true);
  });

  it('gives every secret a source the env files document', () => {
    const secrets = (isObj(compose.secrets) ? compose.secrets : {}) as Record<string, Obj>;
    expect(Object.keys(secrets).sort()).toEqual(['alertmanager_webhook_url', 'metrics_token']);
    for (const secret of Object.values(secrets)) {
      const variable = String(secret.environment);
      expect(Object.keys(productionEnv)).toContain(variable);
      expect(demoEnv[variable]).toBeTruthy();
    }
  });

  it('collects the logs of the api, the worker and the demo fakes (label dispatch.logs=true)', () => {
    const labelled = Object.entries(services)
      .filter(([, s]) => isObj(s.labels) && s.labels['dispatch.logs'] === 'true')
      .map(([name]) => name)
      .sort();
    expect(labelled).toEqual(['api', 'fake-erp', 'fake-stripe', 'smtp-capture', 'worker']);
  });
});

// ---------------------------------------------------------------------------------------------- Dockerfile

/** Dockerfile instructions, continuation lines joined, comments and blank lines dropped. */
function dockerfileInstructions(): string[] {
  return readText('docker/Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function fromIndexes(instructions: string[]): number[] {
  return instructions.flatMap((line, i) => (/^FROM\s/i.test(line) ? [i] : []));
}

describe('docker/Dockerfile', () => {
  it('is a multi-stage build', () => {
    expect(fromIndexes(dockerfileInstructions()).length).toBeGreaterThanOrEqual(2);
  });

  it('runs the final stage as a non-root user', () => {
    const instructions = dockerfileInstructions();
    const froms = fromIndexes(instructions);
    expect(froms.length).toBeGreaterThan(0);
    const finalStage = instructions.slice(froms[froms.length - 1]);
    const users = finalStage.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].replace(/^USER\s+/i, '').split(':')[0];
    expect(['root', '0']).not.toContain(user);
  });
});
