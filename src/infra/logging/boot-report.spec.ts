import { DependencyUnreachableError } from '../errors/dependency-errors';
import { bootFailureLine, bootLine } from './boot-report';

describe('boot lines', () => {
  describe(bootLine.name, () => {
    it('lists an api process’s URLs and what modules added, in fields and in the message', () => {
      const sut = bootLine(
        'all',
        { apiBase: 'http://127.0.0.1:3000' },
        { fakeStripe: 'http://127.0.0.1:12111' },
      );
      expect(sut.fields).toEqual({
        role: 'all',
        urls: {
          api: 'http://127.0.0.1:3000/v1',
          docs: 'http://127.0.0.1:3000/docs',
          bullBoard: 'http://127.0.0.1:3000/bull-board',
          metrics: 'http://127.0.0.1:3000/metrics',
          fakeStripe: 'http://127.0.0.1:12111',
        },
      });
      expect(sut.message).toBe(
        'dispatch all started: api http://127.0.0.1:3000/v1, docs http://127.0.0.1:3000/docs, ' +
          'bullBoard http://127.0.0.1:3000/bull-board, metrics http://127.0.0.1:3000/metrics, ' +
          'fakeStripe http://127.0.0.1:12111',
      );
    });

    it('gives a worker only its metrics URL', () => {
      const sut = bootLine('worker', { metrics: 'http://127.0.0.1:9464/metrics' }, {});
      expect(sut.fields).toEqual({ role: 'worker', urls: { metrics: 'http://127.0.0.1:9464/metrics' } });
      expect(sut.message).toBe('dispatch worker started: metrics http://127.0.0.1:9464/metrics');
    });
  });

  describe(bootFailureLine.name, () => {
    it('names the unreachable dependency and where, even wrapped in another error', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), {
        code: 'ECONNREFUSED',
      });
      const cause = new DependencyUnreachableError('postgres', '127.0.0.1:5999', refused);
      const sut = bootFailureLine(new Error('module init failed', { cause }));
      expect(sut.fields).toEqual({ dependency: 'postgres', target: '127.0.0.1:5999', err: refused });
      expect(sut.message).toBe(
        'boot failed: postgres unreachable at 127.0.0.1:5999: connect ECONNREFUSED 127.0.0.1:5999',
      );
    });

    it('lists every attempt of an AggregateError (IPv6 and IPv4 tried)', () => {
      const attempts = new AggregateError(
        [new Error('connect ECONNREFUSED ::1:5999'), new Error('connect ECONNREFUSED 127.0.0.1:5999')],
        '',
      );
      const sut = bootFailureLine(new DependencyUnreachableError('postgres', 'localhost:5999', attempts));
      expect(sut.message).toBe(
        'boot failed: postgres unreachable at localhost:5999: connect ECONNREFUSED ::1:5999; ' +
          'connect ECONNREFUSED 127.0.0.1:5999',
      );
    });

    it('lists the configuration problems of an invalid environment', () => {
      const invalid = Object.assign(new Error('Invalid environment configuration'), {
        name: 'InvalidConfigError',
        problems: ['JWT_SECRET is required'],
      });
      expect(bootFailureLine(invalid).fields).toEqual({ problems: ['JWT_SECRET is required'] });
    });

    it('keeps any other error whole', () => {
      const other = new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000');
      expect(bootFailureLine(other)).toEqual({
        fields: { err: other },
        message: 'boot failed: listen EADDRINUSE: address already in use 0.0.0.0:3000',
      });
    });
  });
});
