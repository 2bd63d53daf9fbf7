/** Builders for every Redlock resource name, so lock keys are never spelled at call sites. */
export const LockKey = {
  order: (orderId: string) => `lock:order:${orderId}`,
  /** One notice's email (its dedupe key): two copies of one job never send concurrently. */
  notice: (dedupeKey: string) => `lock:notify:${dedupeKey}`,
  export: (exportId: string) => `lock:export:${exportId}`,
  invoice: (orderId: string) => `lock:invoice:${orderId}`,
} as const;
