import type { Logger } from 'nestjs-pino';

import { AppLogger } from './app-logger';

describe(AppLogger.name, () => {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      calls.push([level, args]);
  const inner = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  } as unknown as Logger;
  const sut = new AppLogger(inner);

  beforeEach(() => (calls.length = 0));

  it('moves Nest’s boot chatter (modules, routes, started) to debug', () => {
    sut.log('Mapped {/v1/items, GET} route', 'RouterExplorer');
    sut.log('ItemsController {/v1/items}:', 'RoutesResolver');
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    sut.log('Starting Nest application...', 'NestFactory');
    sut.log('Nest application successfully started', 'NestApplication');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug', 'debug', 'debug']);
  });

  it('keeps the application’s own lines at their level', () => {
    sut.log({ orderId: 'o1' }, 'order placed', 'PlaceOrderService');
    sut.warn('job failed', 'OrderJobsProcessor');
    sut.error('unhandled error', 'HttpExceptionFilter');
    expect(calls).toEqual([
      ['log', [{ orderId: 'o1' }, 'order placed', 'PlaceOrderService']],
      ['warn', ['job failed', 'OrderJobsProcessor']],
      ['error', ['unhandled error', 'HttpExceptionFilter']],
    ]);
  });

  it('leaves a failed boot to bootstrap’s one fatal line (Nest’s own echo of it goes to debug)', () => {
    sut.error(new Error('boom'), 'ExceptionHandler');
    expect(calls.map(([level]) => level)).toEqual(['debug']);
  });
});
