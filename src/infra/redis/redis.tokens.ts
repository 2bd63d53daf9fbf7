/** Injection token of the shared `app` ioredis connection (prefixed keys). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
