import { ALLOY_CONFIG, alloyLogPipeline } from './support/alloy-config';
import { attribute, blocks, parseAlloy, references, stringValue } from './support/alloy-syntax';
import { composeFile, readText, readYaml, servicesOf, volumeMounts } from './support/stack-files';

/**
 * docker/alloy/config.alloy, checked without the alloy binary: it parses, every component reference resolves
 * to a declared component and one of its exports, required arguments are present, and the labels it sets
 * are what the logs dashboard and the README rely on.
 */

/** The components the config uses: their required arguments and blocks, and what they export. */
const COMPONENTS: Record<string, { required: string[]; exports: string[] }> = {
  'discovery.docker': { required: ['host'], exports: ['targets'] },
  'discovery.relabel': { required: ['targets'], exports: ['output', 'rules'] },
  'loki.source.docker': { required: ['host', 'targets', 'forward_to'], exports: [] },
  'loki.process': { required: ['forward_to'], exports: ['receiver'] },
  'loki.write': { required: ['endpoint'], exports: ['receiver'] },
};

const pipeline = alloyLogPipeline();
const components = blocks(pipeline.statements);
const services = servicesOf(composeFile());

describe(ALLOY_CONFIG, () => {
  it('parses, and the parser refuses what Alloy refuses', () => {
    expect(components.length).toBeGreaterThan(0);
    expect(() => parseAlloy('loki.write "x" { endpoint { url = "a" "b" } }')).toThrow(SyntaxError);
    expect(() => parseAlloy('a = { x = 1 y = 2 }')).toThrow(/expected , or \}/);
    expect(() => parseAlloy('a = [1, 2')).toThrow(SyntaxError);
    expect(() => parseAlloy('a = "unterminated')).toThrow(/unterminated string/);
    expect(parseAlloy('a = { x = "\\u0041", `y` = [true, null, 1.5, f.g("h")], }')).toHaveLength(1);
  });

  it('uses only known components, each labelled once, with its required arguments', () => {
    const seen = new Set<string>();
    for (const component of components) {
      const spec = COMPONENTS[component.name];
      expect({ component: component.name, known: spec !== undefined }).toEqual({
        component: component.name,
        known: true,
      });
      expect(component.label).toBeTruthy();
      const id = `${component.name}.${component.label}`;
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      const present = component.body.map((s) => s.name);
      for (const name of spec.required)
        expect({ id, has: name, present: present.includes(name) }).toEqual({ id, has: name, present: true });
    }
  });

  it('refers only to declared components and their exports', () => {
    const unresolved = references(pipeline.statements)
      .filter(({ path }) => {
        const ref = path.join('.');
        return !components.some((c) =>
          COMPONENTS[c.name]?.exports.some((exported) => ref === `${c.name}.${c.label}.${exported}`),
        );
      })
      .map(({ path, line }) => `line ${line}: ${path.join('.')}`);
    expect(references(pipeline.statements).length).toBeGreaterThanOrEqual(4);
    expect(unresolved).toEqual([]);
  });

  it('discovers the containers compose labels dispatch.logs=true through the socket compose mounts', () => {
    const docker = blocks(pipeline.statements, 'discovery.docker')[0];
    const filter = blocks(docker.body, 'filter')[0];
    expect(stringValue(attribute(filter, 'name'))).toBe('label');
    expect(attribute(filter, 'values')).toEqual({
      kind: 'list',
      items: [{ kind: 'string', value: 'dispatch.logs=true' }],
    });
    const socket = stringValue(attribute(docker, 'host'))?.replace(/^unix:\/\//, '');
    expect(volumeMounts(services.alloy)).toContainEqual({ type: 'bind', source: socket, target: socket });
    expect(volumeMounts(services.alloy)).toContainEqual({
      type: 'bind',
      source: `./${ALLOY_CONFIG}`,
      target: '/etc/alloy/config.alloy',
    });
    expect(services.alloy.command).toContain('/etc/alloy/config.alloy');
  });

  it('writes to the loki service on the port loki listens on', () => {
    const write = blocks(pipeline.statements, 'loki.write')[0];
    const endpoint = new URL(String(stringValue(attribute(blocks(write.body, 'endpoint')[0], 'url'))));
    const loki = readYaml('docker/loki/loki-config.yml');
    expect(endpoint.hostname).toBe('loki');
    expect(Object.keys(services)).toContain('loki');
    expect(Number(endpoint.port)).toBe((loki.server as { http_listen_port: number }).http_listen_port);
    expect(endpoint.pathname).toBe('/loki/api/v1/push');
  });

  it('labels streams by service, container and level, and keeps the ids as structured metadata', () => {
    expect(pipeline.streamLabels.sort()).toEqual(['container', 'level', 'service']);
    expect(pipeline.structuredMetadata.sort()).toEqual(['correlationId', 'orderId']);
    // High-cardinality ids must never become stream labels.
    for (const id of pipeline.structuredMetadata) expect(pipeline.streamLabels).not.toContain(id);
    expect(pipeline.jsonFields).toEqual(
      expect.objectContaining({
        level: 'level',
        time: 'time',
        correlationId: 'correlationId',
        orderId: 'orderId',
      }),
    );
  });

  it('names every pino level', () => {
    expect(pipeline.levelNames).toEqual({
      '10': 'trace',
      '20': 'debug',
      '30': 'info',
      '40': 'warn',
      '50': 'error',
      '60': 'fatal',
    });
  });

  it('has the Loki it writes to accept structured metadata (schema v13 with tsdb)', () => {
    const loki = readYaml('docker/loki/loki-config.yml');
    expect((loki.limits_config as Record<string, unknown>).allow_structured_metadata).toBe(true);
    const schemas = (loki.schema_config as { configs: { store: string; schema: string }[] }).configs;
    expect(schemas[schemas.length - 1]).toEqual(expect.objectContaining({ store: 'tsdb', schema: 'v13' }));
  });

  it('is what the README documents (Promtail gone)', () => {
    const readme = readText('README.md');
    expect(readme).toContain('docker/alloy/config.alloy');
    expect(readme).not.toMatch(/docker\/promtail|promtail-config/);
  });
});
