import { OrderJobPayloads } from '../../../infra/queue/job-payloads';
import { OrderJob } from '../../../infra/queue/queue-names';

import type { JobOutcome } from '../../../infra/queue/job-outcome';

export type { JobOutcome };

/**
 * One class per orders job. `handle` must be idempotent: re-read the order, check the transition, use
 * deterministic Stripe keys, and return `skipped` (not throw) for states where there is nothing to do.
 */
export interface OrderJobStrategy<N extends OrderJob = OrderJob> {
  readonly job: N;
  handle(payload: OrderJobPayloads[N]): Promise<JobOutcome>;
}

/** Multi-provider token under which every strategy is registered. */
export const ORDER_JOB_STRATEGIES = Symbol('ORDER_JOB_STRATEGIES');

/** Builds the job → strategy map; a job with no strategy or with two stops the boot. */
export function buildStrategyRegistry(strategies: OrderJobStrategy[]): Map<OrderJob, OrderJobStrategy> {
  const registry = new Map<OrderJob, OrderJobStrategy>();
  for (const strategy of strategies) {
    if (registry.has(strategy.job)) throw new Error(`Two strategies handle orders job ${strategy.job}`);
    registry.set(strategy.job, strategy);
  }
  const missing = Object.values(OrderJob).filter((job) => !registry.has(job));
  if (missing.length) throw new Error(`No strategy handles orders job(s) ${missing.join(', ')}`);
  return registry;
}
