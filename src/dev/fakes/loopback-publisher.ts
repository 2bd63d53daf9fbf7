import { connect, createServer, Server, Socket } from 'node:net';
import { NetworkInterfaceInfo, networkInterfaces } from 'node:os';

export interface LoopbackPublisher {
  /** The addresses now forwarding to 127.0.0.1:port. */
  readonly addresses: string[];
  close(): Promise<void>;
}

/** This machine's own non-loopback addresses (a container's eth0), without link-local IPv6 ones. */
export function externalAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  return Object.values(interfaces)
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.address.startsWith('fe80:')))
    .map((entry) => entry.address);
}

function pipeBothWays(client: Socket, port: number, open: Set<Socket>): void {
  const upstream = connect(port, '127.0.0.1');
  for (const socket of [client, upstream]) {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  }
  // A reset on either side ends both; without the listeners a reset would crash the process.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream).pipe(client);
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))).then(
    () => undefined,
  );
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Makes a server that listens on 127.0.0.1:port reachable on the same port at the machine's other addresses,
 * by forwarding TCP. The fake Stripe, fake ERP and SMTP capture bind loopback only, so that a developer's fake
 * is never reachable from the network by accident; in a container (the compose `demo` profile) the api and
 * worker are other machines, and this is what lets them in. Binding the specific addresses, not 0.0.0.0,
 * leaves 127.0.0.1:port to the server itself.
 */
export async function publishLoopbackPort(
  port: number,
  addresses: string[] = externalAddresses(),
): Promise<LoopbackPublisher> {
  const servers: Server[] = [];
  // Pooled clients (the Stripe SDK, nodemailer) keep connections open, and close() would wait for them.
  const open = new Set<Socket>();
  const closeEverything = (): Promise<void> => {
    for (const socket of open) socket.destroy();
    return closeAll(servers);
  };
  try {
    for (const address of addresses) {
      const server = createServer((client) => pipeBothWays(client, port, open));
      await listen(server, port, address);
      servers.push(server);
    }
  } catch (error) {
    await closeEverything();
    throw error;
  }
  return {
    addresses: [...addresses],
    close: closeEverything,
  };
}
