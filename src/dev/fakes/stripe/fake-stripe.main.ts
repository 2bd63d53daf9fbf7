/**
 * Runs the fake Stripe server on its own, for a dev setup where api and worker are separate processes or for
 * chaos tests driving it over `/__fake/*`:
 *
 *   FAKE_STRIPE_PORT=12111 FAKE_STRIPE_WEBHOOK_URL=http://127.0.0.1:3000/v1/payments/webhook \
 *   FAKE_STRIPE_WEBHOOK_SECRET=whsec_dispatch_fake node dist/dev/fakes/stripe/fake-stripe.main.js
 *
 * Its settings come from the environment (see config/fake-servers.env.ts), not from AppConfig.
 */
import { runStandaloneServer } from '../run-standalone-server';
import { fakeServerEnv } from '../../dev-tools.env';
import { FakeStripeServer } from './fake-stripe.server';

const DEFAULT_PORT = 12111;

async function start(): Promise<{ port: number; stop(): Promise<void> }> {
  const { FAKE_STRIPE_PORT, FAKE_STRIPE_WEBHOOK_URL, FAKE_STRIPE_WEBHOOK_SECRET } = fakeServerEnv();
  const port = FAKE_STRIPE_PORT ? Number(FAKE_STRIPE_PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`FAKE_STRIPE_PORT is not a port: ${FAKE_STRIPE_PORT}`);
  if (Boolean(FAKE_STRIPE_WEBHOOK_URL) !== Boolean(FAKE_STRIPE_WEBHOOK_SECRET)) {
    throw new Error('Set both FAKE_STRIPE_WEBHOOK_URL and FAKE_STRIPE_WEBHOOK_SECRET, or neither');
  }

  return FakeStripeServer.start({
    port,
    webhook:
      FAKE_STRIPE_WEBHOOK_URL && FAKE_STRIPE_WEBHOOK_SECRET
        ? { url: FAKE_STRIPE_WEBHOOK_URL, secret: FAKE_STRIPE_WEBHOOK_SECRET }
        : undefined,
    onWebhookAttempt: (attempt) =>
      process.stdout.write(
        `webhook ${attempt.eventType} ${attempt.eventId} attempt ${attempt.attempt} → ${attempt.status ?? attempt.error}\n`,
      ),
  });
}

runStandaloneServer('fake stripe', start);
