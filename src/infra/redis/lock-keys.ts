/** Builders for every Redlock resource name, so lock keys are never spelled at call sites. */
export const LockKey = {
  order: (orderId: string) => `lock:order:${orderId}`,
} as const;
