/**
 * Runs the SMTP capture on its own, for a dev setup (the compose `demo` profile) where the api and worker
 * send mail to a separate process instead of each starting an in-process capture:
 *
 *   FAKE_SMTP_PORT=2525 node dist/modules/notifications/smtp/smtp-capture.main.js
 *
 * Point the app at it with SMTP_HOST/SMTP_PORT and SMTP_CAPTURE=false. Every received message is printed as
 * one JSON line (envelope, subject, the X-Dispatch-* and X-Correlation-Id headers), so the demo's log
 * pipeline shows what was sent. Its settings come from the environment (see config/fake-servers.env.ts).
 */
import { runStandaloneServer } from '../run-standalone-server';
import { fakeServerEnv } from '../../dev-tools.env';
import { CapturedMessage, SmtpCaptureServer } from './smtp-capture.server';

const DEFAULT_PORT = 2525;
// waitFor() takes a timer; the longest one Node accepts, renewed, waits for ever.
const WAIT_MS = 2 ** 31 - 1;
const LOGGED_HEADERS = ['x-dispatch-kind', 'x-dispatch-order-id', 'x-correlation-id', 'message-id'];

function summary(message: CapturedMessage): Record<string, unknown> {
  const headers = Object.fromEntries(
    LOGGED_HEADERS.filter((name) => message.headers[name] !== undefined).map((name) => [
      name,
      message.headers[name],
    ]),
  );
  // pino's shape (numeric level 30 = info, epoch ms), so the demo's log pipeline reads it like the app's lines.
  return {
    level: 30,
    time: Date.parse(message.receivedAt),
    msg: 'mail captured',
    from: message.envelope.from,
    to: message.envelope.to,
    subject: message.subject,
    orderId: message.headers['x-dispatch-order-id'],
    correlationId: message.headers['x-correlation-id'],
    headers,
  };
}

/** Prints every message as it arrives, oldest first, and forgets it (the log is where it stays). */
async function printMessages(capture: SmtpCaptureServer, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    // Rejects at once when the server stops, and after WAIT_MS without mail: either way, look again.
    await capture.waitFor(() => true, WAIT_MS).catch(() => undefined);
    const batch = capture.messages();
    capture.clear();
    for (const message of batch) process.stdout.write(`${JSON.stringify(summary(message))}\n`);
  }
}

async function start(): Promise<{ port: number; stop(): Promise<void> }> {
  const { FAKE_SMTP_PORT } = fakeServerEnv();
  const port = FAKE_SMTP_PORT ? Number(FAKE_SMTP_PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`FAKE_SMTP_PORT is not a port: ${FAKE_SMTP_PORT}`);

  const capture = await SmtpCaptureServer.start({ port });
  let stopped = false;
  void printMessages(capture, () => stopped);
  return {
    port: capture.port,
    stop: () => {
      stopped = true;
      return capture.stop();
    },
  };
}

runStandaloneServer('smtp capture', start);
