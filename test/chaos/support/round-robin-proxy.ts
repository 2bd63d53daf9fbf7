import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP load balancer in front of the api replicas, as a production one would be: each connection goes to
 * the next api in turn, and to the one after it when that one refuses the connection (it is down or
 * restarting). The fake Stripe delivers its webhooks through it, so a webhook reaches whichever api is up.
 */
export class RoundRobinProxy {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly ports: () => number[],
  ) {}

  static async start(ports: () => number[]): Promise<RoundRobinProxy> {
    const server = createServer();
    const proxy = new RoundRobinProxy(server, ports);
    server.on('connection', (client) => proxy.forward(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private forward(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.pause();
    const ports = this.ports();
    const first = this.next++;
    const attempt = (tried: number) => {
      if (tried >= ports.length) {
        client.destroy();
        return;
      }
      const upstream = connect(ports[(first + tried) % ports.length], '127.0.0.1');
      upstream.once('connect', () => {
        this.sockets.add(upstream);
        upstream.once('close', () => this.sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.pipe(client);
        client.pipe(upstream);
        client.resume();
      });
      upstream.once('error', (error: NodeJS.ErrnoException) => {
        if (upstream.connecting || error.code === 'ECONNREFUSED') attempt(tried + 1);
      });
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
