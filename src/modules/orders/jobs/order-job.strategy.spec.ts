import { OrderJob } from '../../../infra/queue/queue-names';
import { buildStrategyRegistry, OrderJobStrategy } from './order-job.strategy';

const strategy = (job: OrderJob): OrderJobStrategy => ({ job, handle: async () => ({ status: 'done' }) });

describe(buildStrategyRegistry.name, () => {
  it('maps every job to its strategy', () => {
    const sut = buildStrategyRegistry(Object.values(OrderJob).map(strategy));
    expect([...sut.keys()].sort()).toEqual(Object.values(OrderJob).sort());
  });

  it('fails when a job has no strategy', () => {
    const all = Object.values(OrderJob)
      .filter((j) => j !== OrderJob.Refund)
      .map(strategy);
    expect(() => buildStrategyRegistry(all)).toThrow('No strategy handles orders job(s) REFUND');
  });

  it('fails when a job has two strategies', () => {
    const all = [...Object.values(OrderJob).map(strategy), strategy(OrderJob.Cancel)];
    expect(() => buildStrategyRegistry(all)).toThrow('Two strategies handle orders job CANCEL');
  });
});
