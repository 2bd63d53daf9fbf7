import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type MetricsCollector = () => Promise<void>;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The process's Prometheus registry and every Dispatch metric (names listed in metric-names.ts). Gauges that
 * need a query (queue depth, outbox lag) are filled by collectors registered by their owners, run per scrape.
 */
@Injectable()
export class Metrics {
  private readonly logger = new Logger(Metrics.name);
  readonly registry = new Registry();
  private readonly collectors: MetricsCollector[] = [];

  readonly httpDuration = new Histogram({
    name: 'dispatch_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly orderTransitions = new Counter({
    name: 'dispatch_order_transitions_total',
    help: 'Order status transitions',
    labelNames: ['from', 'to'],
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'dispatch_job_duration_seconds',
    help: 'Job run time by queue, job name and outcome',
    labelNames: ['queue', 'name', 'outcome'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly jobFailures = new Counter({
    name: 'dispatch_job_failures_total',
    help: 'Failed job attempts (final = no attempt left)',
    labelNames: ['queue', 'name', 'final'],
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: 'dispatch_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });
  readonly outboxOldestAge = new Gauge({
    name: 'dispatch_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox row not yet relayed (0 when none)',
    registers: [this.registry],
  });
  readonly outboxUnsent = new Gauge({
    name: 'dispatch_outbox_unsent_rows',
    help: 'Outbox rows not yet relayed',
    registers: [this.registry],
  });
  readonly relayBatchSize = new Histogram({
    name: 'dispatch_outbox_relay_batch_size',
    help: 'Rows per relayed outbox batch',
    buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly externalDuration = new Histogram({
    name: 'dispatch_external_call_duration_seconds',
    help: 'Calls to Stripe and the ERP',
    labelNames: ['service', 'operation', 'outcome'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly externalErrors = new Counter({
    name: 'dispatch_external_call_errors_total',
    help: 'Failed calls to Stripe and the ERP',
    labelNames: ['service', 'operation'],
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'dispatch_circuit_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['circuit'],
    registers: [this.registry],
  });
  readonly reconcilerActions = new Counter({
    name: 'dispatch_reconciler_actions_total',
    help: 'What the reconciler repaired',
    labelNames: ['action'],
    registers: [this.registry],
  });

  // No labels on the three below: a label-less counter is exported as 0 from start-up, so the alert rules'
  // increase() sees the very first event (a labelled series would only appear at its first increment).
  readonly unmatchedPayments = new Counter({
    name: 'dispatch_unmatched_payments_total',
    help: 'Payment events that matched no order (PaymentIntent, amount or currency differ): recorded, not applied',
    registers: [this.registry],
  });
  readonly webhookSignatureFailures = new Counter({
    name: 'dispatch_webhook_signature_failures_total',
    help: 'Stripe webhook requests refused for a missing, malformed, stale or wrong signature',
    registers: [this.registry],
  });
  readonly refundsFailed = new Counter({
    name: 'dispatch_refunds_failed_total',
    help: 'Refunds that failed for good (Stripe refused them, or Dispatch gave up after its retries)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dispatch_' });
  }

  addCollector(collector: MetricsCollector): void {
    this.collectors.push(collector);
  }

  /** Times an external call: latency by outcome, and an error count when it throws. */
  async timeExternal<T>(service: 'stripe' | 'erp', operation: string, call: () => Promise<T>): Promise<T> {
    const end = this.externalDuration.startTimer({ service, operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      this.externalErrors.inc({ service, operation });
      throw error;
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all(
      this.collectors.map((collect) =>
        collect().catch((err: unknown) => this.logger.warn({ err }, 'metrics collector failed')),
      ),
    );
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
