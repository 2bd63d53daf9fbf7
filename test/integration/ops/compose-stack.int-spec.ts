import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { CORE_SCHEMA, load as loadYaml, mergeTag } from 'js-yaml';

import { METRIC_NAMES } from '../../../src/infra/metrics/metric-names';

/**
 * Static checks of the compose stack (no Docker engine needed): docker-compose.yml, docker/Dockerfile, the
 * Prometheus and Promtail configs and the Grafana provisioning and dashboards must agree with each other and
 * with what the app exports.
 */

const ROOT = path.resolve(__dirname, '../../..');
const DASHBOARDS_DIR = path.join(ROOT, 'grafana/dashboards');
const DATASOURCES_DIR = path.join(ROOT, 'grafana/provisioning/datasources');

type Obj = Record<string, unknown>;

/** Compose relies on YAML merge keys (`<<: *app`); js-yaml 5's default core schema leaves them out. */
const YAML_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

function load(text: string): unknown {
  return loadYaml(text, { schema: YAML_SCHEMA });
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function readText(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

function readYaml(relative: string): Obj {
  const doc = load(readText(relative));
  if (!isObj(doc)) throw new Error(`${relative} is not a YAML mapping`);
  return doc;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f));
}

// ---------------------------------------------------------------------------------------------- compose

const compose = readYaml('docker-compose.yml');
const services = (isObj(compose.services) ? compose.services : {}) as Record<string, Obj>;

/** Host side of a bind mount: short syntax `./host:/container[:ro]` or long syntax `{ type: bind, source }`. */
function bindSources(service: Obj): string[] {
  return asArray(service.volumes).flatMap((entry) => {
    if (typeof entry === 'string') return [entry.split(':')[0]];
    if (isObj(entry) && typeof entry.source === 'string') return [entry.source];
    return [];
  });
}

interface EnvFileEntry {
  path: string;
  required: boolean;
}

function envFiles(service: Obj): EnvFileEntry[] {
  return asArray(service.env_file).flatMap((entry): EnvFileEntry[] => {
    if (typeof entry === 'string') return [{ path: entry, required: true }];
    if (isObj(entry) && typeof entry.path === 'string')
      return [{ path: entry.path, required: entry.required !== false }];
    throw new Error(`unreadable env_file entry ${JSON.stringify(entry)}`);
  });
}

/** `.env.production` is created by the operator from the committed `.env.example.production`. */
function committedEnvFile(file: string): string {
  const base = path.basename(file);
  const match = /^\.env\.(?!example\.)(.+)$/.exec(base);
  return match ? path.join(path.dirname(file), `.env.example.${match[1]}`) : file;
}

function commandLine(command: unknown): string {
  return asArray(command).map(String).join(' ');
}

describe('docker-compose.yml', () => {
  it('defines every service of the stack', () => {
    for (const name of ['api', 'worker', 'postgres', 'redis', 'prometheus', 'loki', 'promtail', 'grafana'])
      expect(Object.keys(services)).toContain(name);
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
    const value = String(deploy?.replicas);
    const interpolated = /^\$\{([A-Z_]+):-(\d+)\}$/.exec(value);
    expect(interpolated?.[1]).toBe(`${name.toUpperCase()}_REPLICAS`);
    expect(Number(interpolated?.[2])).toBe(replicas);
  });

  it.each(['api', 'worker'])('builds %s from docker/Dockerfile', (name) => {
    const build = services[name].build;
    expect(isObj(build)).toBe(true);
    const { context, dockerfile } = build as Obj;
    const dockerfilePath = path.resolve(ROOT, String(context ?? '.'), String(dockerfile ?? 'Dockerfile'));
    expect(path.relative(ROOT, dockerfilePath)).toBe(path.join('docker', 'Dockerfile'));
    expect(existsSync(dockerfilePath)).toBe(true);
  });

  it('bind-mounts only host paths that exist in the repository', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const source of bindSources(service)) {
        if (!source.startsWith('./') && !source.startsWith('../')) continue;
        checked += 1;
        if (!existsSync(path.resolve(ROOT, source))) missing.push(`${name}: ${source}`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('references env files that exist (operator-created .env.<name> files: their committed .env.example.<name>)', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const entry of envFiles(service)) {
        const example = committedEnvFile(entry.path);
        if (example !== entry.path) {
          checked += 1;
          if (!existsSync(path.resolve(ROOT, example)))
            missing.push(`${name}: ${example} (for ${entry.path})`);
        } else if (entry.required) {
          checked += 1;
          if (!existsSync(path.resolve(ROOT, entry.path))) missing.push(`${name}: ${entry.path}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
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

// ---------------------------------------------------------------------------------------------- Prometheus

describe('docker/prometheus/prometheus.yml', () => {
  const prometheus = readYaml('docker/prometheus/prometheus.yml');
  const jobs = asArray(prometheus.scrape_configs).filter(isObj);

  it.each(['api', 'worker'])('scrapes %s at /metrics on a compose service', (job) => {
    const config = jobs.find((j) => j.job_name === job);
    expect(config).toBeDefined();
    expect(config?.metrics_path ?? '/metrics').toBe('/metrics');
    // Static targets, or DNS discovery of every replica of a compose service.
    const targets = [
      ...asArray(config?.static_configs).flatMap((s) => (isObj(s) ? asArray(s.targets) : [])),
      ...asArray(config?.dns_sd_configs).flatMap((s) => (isObj(s) ? asArray(s.names) : [])),
    ];
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(Object.keys(services)).toContain(String(target).split(':')[0]);
  });
});

// ---------------------------------------------------------------------------------------------- Grafana

interface Datasource {
  uid: string;
  type: string;
}

const datasources: Datasource[] = yamlFiles(DATASOURCES_DIR).flatMap((file) => {
  const doc = load(readFileSync(file, 'utf8'));
  return (isObj(doc) ? asArray(doc.datasources) : []).filter(isObj).map((ds) => ({
    uid: String(ds.uid),
    type: String(ds.type),
  }));
});
const datasourceByUid = new Map(datasources.map((ds) => [ds.uid, ds]));

interface Dashboard {
  file: string;
  json: Obj;
}

/** Parsed dashboards, and the files that are not a JSON object (reported by their own test). */
function loadDashboards(): { dashboards: Dashboard[]; unparsable: string[] } {
  const dashboards: Dashboard[] = [];
  const unparsable: string[] = [];
  for (const file of readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    try {
      const json: unknown = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8'));
      if (isObj(json)) dashboards.push({ file, json });
      else unparsable.push(`${file}: not a JSON object`);
    } catch (error) {
      unparsable.push(`${file}: ${(error as Error).message}`);
    }
  }
  return { dashboards, unparsable };
}

/** Every panel, including those nested in (collapsed) rows. */
function allPanels(dashboard: Obj): Obj[] {
  const walk = (panels: unknown): Obj[] =>
    asArray(panels)
      .filter(isObj)
      .flatMap((p) => [p, ...walk(p.panels)]);
  return walk(dashboard.panels);
}

interface Query {
  where: string;
  expr: string;
  datasourceType: string;
}

/** Every query of a dashboard (panel targets and query variables), with the type of its datasource. */
function queries(dashboard: Dashboard): Query[] {
  const typeOf = (ds: unknown): string =>
    (isObj(ds) && datasourceByUid.get(String(ds.uid))?.type) || 'unknown';
  const fromPanels = allPanels(dashboard.json).flatMap((panel) =>
    asArray(panel.targets)
      .filter(isObj)
      .filter((t) => typeof t.expr === 'string')
      .map((t) => ({
        where: `${dashboard.file} / ${String(panel.title)} / ${String(t.refId)}`,
        expr: t.expr as string,
        datasourceType: typeOf(t.datasource ?? panel.datasource),
      })),
  );
  const templating = isObj(dashboard.json.templating) ? dashboard.json.templating : {};
  const fromVariables = asArray(templating.list)
    .filter(isObj)
    .filter((v) => v.type === 'query')
    .map((v) => ({
      where: `${dashboard.file} / variable ${String(v.name)}`,
      expr: isObj(v.query) ? String(v.query.query ?? '') : String(v.query ?? ''),
      datasourceType: typeOf(v.datasource),
    }));
  return [...fromPanels, ...fromVariables];
}

/** Metric names a PromQL expression reads: dispatch_* identifiers, histogram/summary series suffixes stripped. */
function promqlMetricNames(expr: string): string[] {
  const names = expr.match(/dispatch_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

/** Label names used in the stream selectors (`{...}` outside string literals) of a LogQL expression. */
function logqlSelectorLabels(expr: string): string[] {
  const labels = new Set<string>();
  let i = 0;
  const skipString = (): void => {
    const quote = expr[i];
    i += 1;
    while (i < expr.length && expr[i] !== quote) i += quote !== '`' && expr[i] === '\\' ? 2 : 1;
    i += 1;
  };
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '"' || ch === '`') {
      skipString();
    } else if (ch === '{') {
      let selector = '';
      i += 1;
      while (i < expr.length && expr[i] !== '}') {
        if (expr[i] === '"' || expr[i] === '`') {
          skipString();
          selector += '""';
        } else {
          selector += expr[i];
          i += 1;
        }
      }
      i += 1;
      for (const m of selector.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.add(m[1]);
    } else {
      i += 1;
    }
  }
  return [...labels];
}

describe('Grafana provisioning and dashboards', () => {
  const { dashboards, unparsable } = loadDashboards();

  it('parses every dashboard JSON', () => {
    expect(unparsable).toEqual([]);
  });

  it('provisions datasources and finds dashboards', () => {
    expect(datasources.length).toBeGreaterThan(0);
    expect(dashboards.map((d) => d.file)).toEqual(
      expect.arrayContaining(['logs.json', 'orders-queues.json']),
    );
  });

  it('loads dashboards from the directory compose mounts ./grafana/dashboards at', () => {
    const mount = asArray(services.grafana.volumes)
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.split(':'))
      .find(([source]) => path.resolve(ROOT, source) === DASHBOARDS_DIR);
    expect(mount).toBeDefined();
    const providers = yamlFiles(path.join(ROOT, 'grafana/provisioning/dashboards')).flatMap((file) => {
      const doc = load(readFileSync(file, 'utf8'));
      return (isObj(doc) ? asArray(doc.providers) : []).filter(isObj);
    });
    const paths = providers.map((p) => (isObj(p.options) ? p.options.path : undefined));
    expect(paths).toContain(mount?.[1]);
  });

  it('gives every dashboard a unique uid', () => {
    const uids = dashboards.map((d) => d.json.uid);
    for (const uid of uids) expect(typeof uid).toBe('string');
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('points every panel, target and query variable at a provisioned datasource uid', () => {
    const provisioned = [...datasourceByUid.keys()];
    const problems: string[] = [];
    const check = (where: string, ds: unknown, required: boolean): void => {
      if (ds === undefined && !required) return;
      if (!isObj(ds) || typeof ds.uid !== 'string' || !datasourceByUid.has(ds.uid))
        problems.push(`${where}: datasource ${JSON.stringify(ds)} (provisioned: ${provisioned.join(', ')})`);
    };
    for (const { file, json } of dashboards) {
      for (const panel of allPanels(json)) {
        const where = `${file} / ${String(panel.title)}`;
        const targets = asArray(panel.targets).filter(isObj);
        check(where, panel.datasource, panel.type !== 'row' && panel.type !== 'text');
        for (const target of targets) check(`${where} / ${String(target.refId)}`, target.datasource, true);
      }
      const templating = isObj(json.templating) ? json.templating : {};
      for (const variable of asArray(templating.list).filter(isObj))
        check(`${file} / variable ${String(variable.name)}`, variable.datasource, variable.type === 'query');
    }
    expect(problems).toEqual([]);
  });

  it('queries only metrics the app registers (src/infra/metrics/metric-names.ts)', () => {
    const registered = new Set<string>(METRIC_NAMES);
    const promql = dashboards.flatMap(queries).filter((q) => q.datasourceType === 'prometheus');
    expect(promql.length).toBeGreaterThan(0);
    const unknown = promql.flatMap((q) =>
      promqlMetricNames(q.expr)
        .filter((name) => !registered.has(name))
        .map((name) => `${q.where}: ${name}`),
    );
    const withoutMetric = promql.filter((q) => promqlMetricNames(q.expr).length === 0).map((q) => q.where);
    expect(unknown).toEqual([]);
    expect(withoutMetric).toEqual([]);
  });

  it('selects log streams only by labels promtail sets', () => {
    const promtail = readYaml('docker/promtail/promtail-config.yml');
    const promtailLabels = new Set<string>();
    const addStageLabels = (stages: unknown): void => {
      for (const stage of asArray(stages).filter(isObj)) {
        for (const key of ['labels', 'static_labels'])
          if (isObj(stage[key])) Object.keys(stage[key]).forEach((l) => promtailLabels.add(l));
        if (isObj(stage.match)) addStageLabels(stage.match.stages);
      }
    };
    for (const job of asArray(promtail.scrape_configs).filter(isObj)) {
      for (const sc of asArray(job.static_configs).filter(isObj))
        if (isObj(sc.labels)) Object.keys(sc.labels).forEach((l) => promtailLabels.add(l));
      for (const rule of asArray(job.relabel_configs).filter(isObj))
        if (typeof rule.target_label === 'string' && !rule.target_label.startsWith('__'))
          promtailLabels.add(rule.target_label);
      addStageLabels(job.pipeline_stages);
    }
    expect([...promtailLabels]).toEqual(expect.arrayContaining(['service', 'level']));

    const logql = dashboards.flatMap(queries).filter((q) => q.datasourceType === 'loki');
    expect(logql.map((q) => q.where)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^logs\.json \//) as unknown]),
    );
    const unknown = logql.flatMap((q) => {
      const labels = logqlSelectorLabels(q.expr);
      if (labels.length === 0) return [`${q.where}: no stream selector`];
      return labels.filter((l) => !promtailLabels.has(l)).map((l) => `${q.where}: ${l}`);
    });
    expect(unknown).toEqual([]);
  });
});

describe('query parsers', () => {
  it('extracts base metric names from PromQL', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le) (rate(dispatch_a_seconds_bucket{x="1"}[5m]))) / dispatch_b_total + dispatch_a_seconds_count',
      ).sort(),
    ).toEqual(['dispatch_a_seconds', 'dispatch_b_total']);
  });

  it('extracts stream selector labels from LogQL, ignoring strings and line filters', () => {
    expect(
      logqlSelectorLabels(
        'sum(rate({service=~"api|worker", level!="de}bug"} |= "x{y=1}" | json | orderId=~".*" [5m])) + count_over_time({container="c"}[1m])',
      ).sort(),
    ).toEqual(['container', 'level', 'service']);
  });
});
