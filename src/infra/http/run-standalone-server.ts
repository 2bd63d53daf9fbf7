/**
 * Entry-point plumbing shared by the standalone fake servers (fake Stripe, fake ERP): start, announce the
 * port, stop cleanly on SIGINT/SIGTERM, and exit 1 with the reason when start-up fails.
 */
export function runStandaloneServer(
  name: string,
  start: () => Promise<{ port: number; stop(): Promise<void> }>,
): void {
  start()
    .then((server) => {
      process.stdout.write(`${name} listening on ${server.port}\n`);
      const shutdown = () => {
        server.stop().then(
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
