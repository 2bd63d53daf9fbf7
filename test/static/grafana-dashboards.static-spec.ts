import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { alloyLogPipeline } from './support/alloy-config';
import { exportedMetricNames, METRIC_NAMES, SHARED_GAUGES } from './support/exported-metrics';
import {
  logqlPipelineLabels,
  logqlSelectorLabels,
  logqlSelectors,
  onlyDeduplicated,
  promqlMetricNames,
} from './support/query-labels';
import {
  asArray,
  composeFile,
  isObj,
  Obj,
  parseYaml,
  ROOT,
  servicesOf,
  volumeMounts,
  yamlFiles,
} from './support/stack-files';

/**
 * Grafana provisioning and dashboards: datasources provisioned, metrics the app exports, gauges that every
 * process exports never summed, LogQL labels that Alloy sets, and the logs dashboard's variables.
 */

const DASHBOARDS_DIR = path.join(ROOT, 'grafana/dashboards');
const services = servicesOf(composeFile());

interface Datasource {
  uid: string;
  type: string;
}

const datasources: Datasource[] = yamlFiles('grafana/provisioning/datasources').flatMap((file) => {
  const doc = parseYaml(readFileSync(path.join(ROOT, file), 'utf8'));
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

function variables(dashboard: Obj): Obj[] {
  const templating = isObj(dashboard.templating) ? dashboard.templating : {};
  return asArray(templating.list).filter(isObj);
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
  const fromVariables = variables(dashboard.json)
    .filter((v) => v.type === 'query')
    .map((v) => ({
      where: `${dashboard.file} / variable ${String(v.name)}`,
      expr: isObj(v.query) ? String(v.query.query ?? '') : String(v.query ?? ''),
      datasourceType: typeOf(v.datasource),
    }));
  return [...fromPanels, ...fromVariables];
}

/** The expression as Grafana sends it with every variable at its default: All for lists, empty text boxes. */
function withDefaults(expr: string, dashboard: Obj): string {
  let result = expr;
  for (const variable of variables(dashboard)) {
    const name = String(variable.name);
    const value = variable.type === 'textbox' ? '' : String(variable.allValue ?? '.*');
    result = result.replace(new RegExp(`\\$\\{${name}(?::[a-z]+)?\\}|\\$${name}\\b`, 'g'), value);
  }
  return result.replace(/\$__(range|interval|rate_interval)\b/g, '5m');
}

/** Loki refuses a selector whose every matcher also matches an empty value. */
function selectsSomething(expr: string): boolean {
  return logqlSelectors(expr).every((matchers) =>
    matchers.some(
      ({ op, value }) =>
        (op === '=' && value !== '') || (op === '=~' && !new RegExp(`^(?:${value})$`).test('')),
    ),
  );
}

const { dashboards, unparsable } = loadDashboards();
const logs = dashboards.find((d) => d.file === 'logs.json') as Dashboard;

describe('Grafana provisioning and dashboards', () => {
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
    const mount = volumeMounts(services.grafana).find(
      ({ source }) => path.resolve(ROOT, source) === DASHBOARDS_DIR,
    );
    expect(mount).toBeDefined();
    const providers = yamlFiles('grafana/provisioning/dashboards').flatMap((file) => {
      const doc = parseYaml(readFileSync(path.join(ROOT, file), 'utf8'));
      return (isObj(doc) ? asArray(doc.providers) : []).filter(isObj);
    });
    const paths = providers.map((p) => (isObj(p.options) ? p.options.path : undefined));
    expect(paths).toContain(mount?.target);
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
        check(where, panel.datasource, panel.type !== 'row' && panel.type !== 'text');
        for (const target of asArray(panel.targets).filter(isObj))
          check(`${where} / ${String(target.refId)}`, target.datasource, true);
      }
      for (const variable of variables(json))
        check(`${file} / variable ${String(variable.name)}`, variable.datasource, variable.type === 'query');
    }
    expect(problems).toEqual([]);
  });

  it('queries only metrics the app exports (and lists in src/infra/metrics/metric-names.ts)', () => {
    const exported = exportedMetricNames();
    const listed = new Set<string>(METRIC_NAMES);
    const promql = dashboards.flatMap(queries).filter((q) => q.datasourceType === 'prometheus');
    expect(promql.length).toBeGreaterThan(0);
    const unknown = promql.flatMap((q) =>
      promqlMetricNames(q.expr)
        .filter((name) => !exported.has(name) || !listed.has(name))
        .map((name) => `${q.where}: ${name}`),
    );
    const withoutMetric = promql.filter((q) => promqlMetricNames(q.expr).length === 0).map((q) => q.where);
    expect(unknown).toEqual([]);
    expect(withoutMetric).toEqual([]);
  });

  it('never sums a gauge that every process exports ("Jobs by queue and state" counted each job twice)', () => {
    const promql = dashboards.flatMap(queries).filter((q) => q.datasourceType === 'prometheus');
    const summed = promql.flatMap((q) =>
      SHARED_GAUGES.filter((gauge) => q.expr.includes(gauge) && !onlyDeduplicated(q.expr, gauge)).map(
        (gauge) => `${q.where}: ${gauge}`,
      ),
    );
    expect(promql.some((q) => q.expr.includes('dispatch_queue_jobs'))).toBe(true);
    expect(summed).toEqual([]);
  });

  it('selects and filters log streams only by labels and structured metadata Alloy sets', () => {
    const { streamLabels, structuredMetadata } = alloyLogPipeline();
    const logql = dashboards.flatMap(queries).filter((q) => q.datasourceType === 'loki');
    expect(logql.map((q) => q.where)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^logs\.json \//)]),
    );
    const unknown = logql.flatMap((q) => {
      const selector = logqlSelectorLabels(q.expr);
      if (selector.length === 0) return [`${q.where}: no stream selector`];
      return [
        ...selector.filter((l) => !streamLabels.includes(l)).map((l) => `${q.where}: stream label ${l}`),
        ...logqlPipelineLabels(q.expr)
          .filter((l) => !streamLabels.includes(l) && !structuredMetadata.includes(l))
          .map((l) => `${q.where}: label ${l}`),
      ];
    });
    expect(unknown).toEqual([]);
  });

  it('sends Loki only selectors it accepts, with every variable at its default', () => {
    const logql = dashboards.flatMap((d) =>
      queries(d)
        .filter((q) => q.datasourceType === 'loki')
        .map((q) => ({ ...q, expr: withDefaults(q.expr, d.json) })),
    );
    expect(logql.filter((q) => !selectsSomething(q.expr)).map((q) => `${q.where}: ${q.expr}`)).toEqual([]);
    expect(selectsSomething('{service=~".*", level=~".*"}')).toBe(false);
  });
});

describe('grafana/dashboards/logs.json', () => {
  const byName = new Map(variables(logs.json).map((v) => [String(v.name), v]));
  const lokiQueries = queries(logs).filter((q) => q.datasourceType === 'loki');

  it('offers every level Alloy labels, and All matches each of them', () => {
    const level = byName.get('level') as Obj;
    const levels = Object.values(alloyLogPipeline().levelNames);
    const offered = asArray(level.options)
      .filter(isObj)
      .map((o) => String(o.value))
      .filter((v) => v !== '$__all');
    expect(offered.sort()).toEqual([...levels].sort());
    expect(String(level.query).split(',').sort()).toEqual([...levels].sort());
    expect(level.includeAll).toBe(true);
    // Without allValue Grafana joins the options; with one, the regex must match every level.
    const all = level.allValue === undefined ? offered.join('|') : String(level.allValue);
    for (const name of levels) expect(new RegExp(`^(?:${all})$`).test(name)).toBe(true);
  });

  it('offers every service whose logs Alloy collects', () => {
    const service = byName.get('service') as Obj;
    const offered = asArray(service.options)
      .filter(isObj)
      .map((o) => String(o.value))
      .filter((v) => v !== '$__all');
    const collected = Object.entries(services)
      .filter(([, s]) => isObj(s.labels) && s.labels['dispatch.logs'] === 'true')
      .map(([name]) => name);
    expect(offered.sort()).toEqual(collected.sort());
  });

  it.each(['orderId', 'correlationId'])('filters the log lines by the %s text box', (name) => {
    expect(byName.get(name)?.type).toBe('textbox');
    // The correlation ids table lists the ids of an order, so it filters by the order id only.
    const filtered = lokiQueries.filter((q) => !q.where.includes('/ Correlation ids of this order /'));
    expect(filtered.length).toBe(lokiQueries.length - 1);
    for (const q of filtered) expect(q.expr).toMatch(new RegExp(`\\$(\\{)?${name}\\b`));
  });

  it('finds an order by its id anywhere in the line, and a request by its correlation id metadata', () => {
    const [lines] = lokiQueries.filter((q) => q.where.includes('/ Lines /'));
    expect(lines.expr).toContain('|= "$orderId"');
    expect(lines.expr).toContain('| correlationId=~"${correlationId:regex}.*"');
  });
});
