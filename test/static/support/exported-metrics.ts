import 'reflect-metadata';

import { METRIC_NAMES } from '../../../src/infra/metrics/metric-names';
import { Metrics } from '../../../src/infra/metrics/metrics.service';

/** Names the app's own registry exports (a real Metrics instance, default process metrics included). */
export function exportedMetricNames(): Set<string> {
  return new Set(
    new Metrics().registry
      .getMetricsAsArray()
      .map((metric) => metric.name)
      .filter((name) => name.startsWith('dispatch_')),
  );
}

/**
 * Gauges that every api and worker process exports for the same thing (queue depth and outbox lag read from
 * Redis and Postgres; the state of a circuit): summed across processes they would count it once per process.
 */
export const SHARED_GAUGES = [
  'dispatch_queue_jobs',
  'dispatch_outbox_oldest_unsent_age_seconds',
  'dispatch_outbox_unsent_rows',
  'dispatch_circuit_state',
];

export { METRIC_NAMES };
