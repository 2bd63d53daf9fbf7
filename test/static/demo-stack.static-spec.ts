import { loadConfig } from '../../src/config/load-config';
import {
  activeServices,
  asArray,
  composeFile,
  DEMO_ENV_FILE,
  exists,
  interpolate,
  isObj,
  Obj,
  readEnvFile,
  readText,
  readYaml,
  servicesOf,
} from './support/stack-files';

/**
 * The compose `demo` profile (docker/demo.env): the app's own configuration validation accepts what the
 * containers get, and the api, worker and fakes point at each other consistently.
 */

const compose = composeFile();
const demoEnv = readEnvFile(DEMO_ENV_FILE);
const demoServices = servicesOf(interpolate(compose, demoEnv).value);
const FAKES = ['fake-stripe', 'fake-erp', 'smtp-capture'];

/** What the app process in a container sees: its env file, then the compose `environment` on top. */
function containerEnv(service: string, envFile: Record<string, string>): Record<string, string> {
  const environment = (demoServices[service].environment ?? {}) as Record<string, string>;
  return { ...envFile, ...environment };
}

function url(value: string | undefined): URL {
  return new URL(String(value));
}

describe('docker/demo.env', () => {
  it('says it is not for production, as docker-compose.yml does around the fakes', () => {
    expect(readText(DEMO_ENV_FILE)).toMatch(/NOT FOR PRODUCTION/);
    expect(readText('docker-compose.yml')).toMatch(/demo profile only: NOT FOR PRODUCTION/);
  });

  it.each(['api', 'worker'])('is a configuration the app accepts in the %s container', (service) => {
    const config = loadConfig(containerEnv(service, demoEnv));
    expect(config.env).toBe('development');
    expect(config.stripe.mode).toBe('mock');
    expect(config.erp.mode).toBe('http');
    expect(config.dev.smtpCapture).toBeNull();
    expect(config.log.pretty).toBe(false);
    expect(config.dev.seed.enabled).toBe(true);
  });

  it('needs NODE_ENV=development: production refuses the fakes and the demo seed', () => {
    expect(() => loadConfig({ ...containerEnv('api', demoEnv), NODE_ENV: 'production' })).toThrow(
      /SEED_TEST_DATA must not be true in production[\s\S]*STRIPE_MODE must be live in production/,
    );
  });

  it('points the SDKs at the fake containers, on the ports the fakes listen on', () => {
    const stripe = url(demoEnv.STRIPE_API_URL);
    expect([stripe.hostname, stripe.port]).toEqual(['fake-stripe', demoEnv.FAKE_STRIPE_PORT]);
    const erp = url(demoEnv.ERP_URL);
    expect([erp.hostname, erp.port]).toEqual(['fake-erp', demoEnv.FAKE_ERP_PORT]);
    expect([demoEnv.SMTP_HOST, demoEnv.SMTP_PORT]).toEqual(['smtp-capture', demoEnv.FAKE_SMTP_PORT]);
    for (const host of ['fake-stripe', 'fake-erp', 'smtp-capture'])
      expect(Object.keys(demoServices)).toContain(host);
  });

  it('shares the secrets each fake checks with the app', () => {
    expect(demoEnv.FAKE_STRIPE_WEBHOOK_SECRET).toBe(demoEnv.STRIPE_WEBHOOK_SECRET);
    expect(demoEnv.FAKE_ERP_USERNAME).toBe(demoEnv.ERP_USERNAME);
    expect(demoEnv.FAKE_ERP_PASSWORD).toBe(demoEnv.ERP_PASSWORD);
  });

  it("has the fake Stripe deliver its signed webhooks to the api container's webhook route", () => {
    const target = url(demoEnv.FAKE_STRIPE_WEBHOOK_URL);
    const apiPort = String(loadConfig(containerEnv('api', demoEnv)).http.port);
    expect(target.hostname).toBe('api');
    expect(target.port).toBe(apiPort);
    expect(target.pathname).toBe('/v1/payments/webhook');
    expect(asArray(demoServices.api.ports).map(String)).toContainEqual(expect.stringMatching(`:${apiPort}$`));
  });

  it('mails the alerts to the SMTP capture (alertmanager.demo.yml)', () => {
    expect(demoEnv.ALERTMANAGER_CONFIG).toBe('./docker/alertmanager/alertmanager.demo.yml');
    const global = readYaml('docker/alertmanager/alertmanager.demo.yml').global as Obj;
    expect(global.smtp_smarthost).toBe(`smtp-capture:${demoEnv.FAKE_SMTP_PORT}`);
  });
});

describe('the demo profile', () => {
  it('adds the three fakes, and only them, to the stack', () => {
    const plain = Object.keys(activeServices(compose));
    const demo = Object.keys(activeServices(compose, ['demo']));
    expect(demo.filter((s) => !plain.includes(s)).sort()).toEqual([...FAKES].sort());
  });

  it.each(FAKES)('runs %s from the image with its loopback port published to the network', (name) => {
    const service = demoServices[name];
    expect(service.image).toBe(demoServices.api.image);
    expect(service.environment).toEqual(expect.objectContaining({ FAKE_SERVERS_PUBLISH: 'true' }));
    expect(service.healthcheck).toEqual({ disable: true });
  });

  it('runs each fake by a dist/ path whose source exists, the same path as its npm script', () => {
    const entrypoints = compose['x-demo-entrypoints'] as Record<string, string>;
    const scripts = (JSON.parse(readText('package.json')) as { scripts: Record<string, string> }).scripts;
    const scriptOf: Record<string, string> = {
      'fake-stripe': 'fake:stripe',
      'fake-erp': 'fake:erp',
      'smtp-capture': 'fake:smtp',
    };
    expect(Object.keys(entrypoints).sort()).toEqual([...FAKES].sort());
    for (const name of FAKES) {
      const entry = entrypoints[name];
      expect(asArray(demoServices[name].command)).toEqual(['node', entry]);
      expect(entry).toMatch(/^dist\/.+\.js$/);
      expect(exists(entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))).toBe(true);
      expect(scripts[scriptOf[name]]).toBe(`node ${entry}`);
    }
  });

  it('starts no fake without the profile, and never gives api or worker a profile', () => {
    for (const name of FAKES) expect(demoServices[name].profiles).toEqual(['demo']);
    for (const name of ['api', 'worker'])
      expect(isObj(demoServices[name]) && demoServices[name].profiles).toBeFalsy();
  });
});

describe('.env.example.production', () => {
  const example = readEnvFile('.env.example.production');
  const SECRETS = [
    'ERP_PASSWORD',
    'JWT_SECRET',
    'METRICS_TOKEN',
    'STRIPE_SECRET_KEY',
    'STRIPE_WEBHOOK_SECRET',
  ];

  it('leaves the secrets empty, and the app refuses to start until they are set', () => {
    expect(() => loadConfig(example)).toThrow(
      new RegExp(SECRETS.map((name) => `${name} (is required|must)`).join('[\\s\\S]*')),
    );
  });

  it('is a production configuration the app accepts once the secrets are filled in', () => {
    const filled = Object.fromEntries(
      SECRETS.map((name) => [name, `${name.toLowerCase()}-0123456789abcdef-0123456789`]),
    );
    const config = loadConfig({ ...example, ...filled });
    expect(config.env).toBe('production');
    expect(config.stripe.mode).toBe('live');
  });
});
