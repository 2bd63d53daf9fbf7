import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { httpClient } from '../support/http-client';
import { orderLoad } from '../support/order-flow';
import { loginBody, signUpBody } from '../support/seed';
import { distribution, ratio } from '../support/stats';

interface Storm {
  signUps: number;
  errors: number;
  samples: string[];
  registerMs: number[];
  loginMs: number[];
}

/** `concurrency` clients, each registering a new user and logging it in, again and again for `seconds`. */
async function storm(ctx: BenchContext, concurrency: number, seconds: number): Promise<Storm> {
  const client = httpClient(ctx.stack.base, concurrency);
  const result: Storm = { signUps: 0, errors: 0, samples: [], registerMs: [], loginMs: [] };
  const fail = (what: string, status: number, body: string) => {
    result.errors++;
    if (result.samples.length < 5) result.samples.push(`${what} ${status} ${body.slice(0, 200)}`);
  };
  const end = Date.now() + seconds * 1000;
  const run = `${Date.now()}`;
  let n = 0;
  const headers = { 'content-type': 'application/json' };
  const loop = async () => {
    while (Date.now() < end) {
      const email = `storm-${run}-${n++}@example.com`;
      const registered = await client.request('POST', '/v1/auth/register', headers, signUpBody(email));
      result.registerMs.push(registered.ms);
      if (registered.status !== 201) {
        fail('register', registered.status, registered.body);
        continue;
      }
      const login = await client.request('POST', '/v1/auth/login', headers, loginBody(email));
      result.loginMs.push(login.ms);
      if (login.status !== 200 || !login.body.includes('accessToken'))
        fail('login', login.status, login.body);
      else result.signUps++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    client.close();
  }
  return result;
}

/**
 * Sign-up storm: `BENCH_SIGNUPS` (100) concurrent registrations and logins (argon2 hashing and verifying on the
 * api) for BENCH_STORM_DURATION while POST /v1/orders runs as in the orders phase; the orders are measured over
 * exactly the storm's span, to compare with the plain orders phase.
 */
export async function signupStorm(ctx: BenchContext): Promise<PhaseReport> {
  const { settings } = ctx;
  const seconds = settings.durations.stormSeconds;
  const measured = await measure(
    ctx,
    'signup-storm',
    { profileTarget: ctx.stack.get('api'), units: (r) => r.orders.ok },
    async () => {
      const signUps = storm(ctx, settings.signupConcurrency, seconds);
      // The orders run ends when the storm does; the duration is only a bound.
      const [orders, done] = await Promise.all([
        orderLoad(ctx, ctx.seed.bodies, seconds + 120, signUps),
        signUps,
      ]);
      return { orders, signUps: done };
    },
  );
  const { orders, signUps } = measured.result;
  const plain = ctx.reports.get('orders')?.throughput ?? null;
  return phaseReport(
    {
      id: 'signup-storm',
      title: `sign-up storm (${settings.signupConcurrency} concurrent) + POST /v1/orders`,
      unit: 'req/s',
      throughput: orders.perSecond,
      latencyMs: orders.latencyMs,
      errors: orders.errors + signUps.errors,
      details: {
        orders,
        ordersVsPlainOrders: ratio(orders.perSecond, plain),
        signUps: signUps.signUps,
        signUpErrors: signUps.errors,
        signUpErrorSamples: signUps.samples,
        registerMs: distribution(signUps.registerMs),
        loginMs: distribution(signUps.loginMs),
      },
    },
    measured,
    orders.ok,
  );
}
