/** Every metric Dispatch exports (the metrics module registers exactly these; dashboards may only use them). */
export const METRIC_NAMES = [
  'dispatch_http_request_duration_seconds',
  'dispatch_order_transitions_total',
  'dispatch_job_duration_seconds',
  'dispatch_job_failures_total',
  'dispatch_queue_jobs',
  'dispatch_outbox_oldest_unsent_age_seconds',
  'dispatch_outbox_unsent_rows',
  'dispatch_outbox_relay_batch_size',
  'dispatch_external_call_duration_seconds',
  'dispatch_external_call_errors_total',
  'dispatch_circuit_state',
  'dispatch_reconciler_actions_total',
  'dispatch_unmatched_payments_total',
  'dispatch_webhook_signature_failures_total',
  'dispatch_process_resident_memory_bytes',
] as const;
