export interface FaultOptions {
  /** Delay before answering each matching request, until `clearFaults()`. */
  latencyMs?: number;
  /** Answer the next N matching requests with a 500 `api_error`. */
  status5xx?: number;
  /** Reset (RST) the connection of the next N matching requests. */
  resets?: number;
  /**
   * Apply the 500/reset after the request took effect (and its idempotent result was stored): the change
   * happens but the caller never sees the answer. By default a fault means nothing happened.
   */
  afterEffect?: boolean;
  /** Which requests the fault applies to; a string path is compiled as a regular expression. */
  match?: { method?: string; path?: RegExp | string };
}

export type FaultAction = 'status5xx' | 'reset';

export interface FaultPlan {
  latencyMs: number;
  action?: FaultAction;
  afterEffect: boolean;
}

interface FaultRule {
  latencyMs: number;
  status5xx: number;
  resets: number;
  afterEffect: boolean;
  method?: string;
  path?: RegExp;
}

/**
 * Decides, per API request, which injected fault applies. Latency of every matching rule applies (the largest
 * wins); a 500 or reset is taken from the first matching rule that still has one left, resets first.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private down = false;

  add(options: FaultOptions): void {
    const rule: FaultRule = {
      latencyMs: count(options.latencyMs, 'latencyMs'),
      status5xx: count(options.status5xx, 'status5xx'),
      resets: count(options.resets, 'resets'),
      afterEffect: options.afterEffect === true,
      method: options.match?.method?.toUpperCase(),
      path: pathPattern(options.match?.path),
    };
    if (rule.latencyMs + rule.status5xx + rule.resets === 0) {
      throw new Error('injectFaults needs at least one of latencyMs, status5xx or resets');
    }
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  get isDown(): boolean {
    return this.down;
  }

  get activeRules(): number {
    return this.rules.length;
  }

  /** The fault for this request, consuming one 500/reset from the rule that supplies it. */
  plan(method: string, path: string): FaultPlan | undefined {
    const matching = this.rules.filter(
      (rule) => (!rule.method || rule.method === method) && (!rule.path || rule.path.test(path)),
    );
    if (matching.length === 0) return undefined;
    const latencyMs = Math.max(...matching.map((rule) => rule.latencyMs));
    const source = matching.find((rule) => rule.resets > 0 || rule.status5xx > 0);
    let action: FaultAction | undefined;
    if (source) {
      action = source.resets > 0 ? 'reset' : 'status5xx';
      if (action === 'reset') source.resets--;
      else source.status5xx--;
      // A used-up rule without latency has nothing left to do.
      if (source.resets + source.status5xx + source.latencyMs === 0) {
        this.rules = this.rules.filter((rule) => rule !== source);
      }
    }
    return { latencyMs, action, afterEffect: source?.afterEffect ?? false };
  }
}

// A /g or /y pattern keeps state between test() calls and would match every other request only.
function pathPattern(path: RegExp | string | undefined): RegExp | undefined {
  if (path === undefined) return undefined;
  return typeof path === 'string'
    ? new RegExp(path)
    : new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
}

function count(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}
