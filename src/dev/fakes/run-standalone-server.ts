import { fakeServerEnv } from '../dev-tools.env';
import { LoopbackPublisher, publishLoopbackPort } from './loopback-publisher';

interface StandaloneServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * Entry-point plumbing shared by the standalone fake servers (fake Stripe, fake ERP, SMTP capture): start,
 * announce the port, stop cleanly on SIGINT/SIGTERM, and exit 1 with the reason when start-up fails. With
 * FAKE_SERVERS_PUBLISH=true (containers of the compose demo) the loopback-only server is also reachable at
 * the machine's other addresses on the same port.
 */
export function runStandaloneServer(name: string, start: () => Promise<StandaloneServer>): void {
  start()
    .then(async (server) => {
      const publisher: LoopbackPublisher | null =
        fakeServerEnv().FAKE_SERVERS_PUBLISH === 'true'
          ? await publishLoopbackPort(server.port).catch(async (error: unknown) => {
              await server.stop();
              throw error;
            })
          : null;
      const where = publisher?.addresses.length ? ` (also at ${publisher.addresses.join(', ')})` : '';
      process.stdout.write(`${name} listening on ${server.port}${where}\n`);
      const shutdown = () => {
        Promise.all([publisher?.close(), server.stop()]).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
