import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Redis from 'ioredis';

import { freePort } from './app-process';
import { waitFor } from './wait-for';

const HOST = '127.0.0.1';

interface ClusterNode {
  port: number;
  /** The cluster bus port, chosen too: port + 10000 may be taken or beyond 65535. */
  busPort: number;
  child?: ChildProcess;
  exited?: Promise<void>;
  output: string;
}

/** Fails with what to install instead of a spawn ENOENT deep inside a test. */
function requireBinary(name: string): void {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${name} is not installed or does not run (${probe.error?.message ?? probe.stderr}); the Redis Cluster ` +
        `tests start their own cluster and need redis-server and redis-cli: apt-get install -y redis-server ` +
        `(./install.sh test installs it)`,
    );
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Every cluster still running in this process, stopped if the test process exits without stop(). */
const running = new Set<RedisTestCluster>();
process.once('exit', () => {
  for (const cluster of running) cluster.killAllSync();
});

/**
 * A real Redis Cluster of `masters` masters (no replicas) on loopback, for one test file: `redis-server`
 * children on free ports with their state in a temp dir, joined by `redis-cli --cluster create`. A master can
 * be SIGKILLed and restarted on the same port with the same nodes.conf: it rejoins with its slots and no data
 * (nothing is persisted). `stop()` kills every child and removes the temp dir.
 */
export class RedisTestCluster {
  private constructor(
    readonly dir: string,
    private readonly nodes: ClusterNode[],
    private readonly nodeTimeoutMs: number,
  ) {}

  static async start(options: { masters?: number; nodeTimeoutMs?: number } = {}): Promise<RedisTestCluster> {
    const masters = options.masters ?? 3;
    requireBinary('redis-server');
    requireBinary('redis-cli');
    const ports = await distinctFreePorts(masters * 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-redis-cluster-'));
    const nodes = Array.from({ length: masters }, (_, i) => ({
      port: ports[i],
      busPort: ports[masters + i],
      output: '',
    }));
    const cluster = new RedisTestCluster(dir, nodes, options.nodeTimeoutMs ?? 2000);
    running.add(cluster);
    try {
      for (const node of nodes) await cluster.launch(node);
      const create = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => `${HOST}:${n.port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (create.status !== 0)
        throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** REDIS_CLUSTER_NODES for an app on this cluster. */
  get seeds(): string {
    return this.nodes.map((n) => `${HOST}:${n.port}`).join(',');
  }

  get ports(): number[] {
    return this.nodes.map((n) => n.port);
  }

  /** The port of the master serving `key`'s slot. */
  async masterFor(key: string): Promise<number> {
    return this.withNode(this.nodes[0].port, async (redis) => {
      const slot = (await redis.cluster('KEYSLOT', key)) as number;
      const range = (await redis.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
      if (!range?.[2]) throw new Error(`no master serves slot ${slot}`);
      return range[2][1];
    });
  }

  /** SIGKILLs the master on `port` (it loses every key: nothing is persisted). */
  async kill(port: number): Promise<void> {
    const node = this.node(port);
    node.child?.kill('SIGKILL');
    await node.exited;
    node.child = undefined;
  }

  /** Starts the node on `port` again with its nodes.conf: same id, same slots, empty data. */
  async restart(port: number): Promise<void> {
    const node = this.node(port);
    if (node.child) throw new Error(`node ${port} is still running`);
    await this.launch(node);
  }

  /** Every node up, agreeing the cluster is ok with all slots served and every node known. */
  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes) {
          const info = await this.withNode(
            node.port,
            (redis) => redis.cluster('INFO') as Promise<string>,
          ).catch(() => '');
          const ok =
            info.includes('cluster_state:ok') &&
            info.includes('cluster_slots_ok:16384') &&
            info.includes(`cluster_known_nodes:${this.nodes.length}`);
          if (!ok) return false;
        }
        return true;
      },
      { timeoutMs, intervalMs: 100, what: 'the Redis Cluster to report cluster_state:ok on every node' },
    );
  }

  /** Every running node reports `cluster_state:<state>` (e.g. `fail` once a dead master's timeout passed). */
  async waitForState(state: 'ok' | 'fail', timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes.filter((n) => n.child)) {
          const info = await this.withNode(
            node.port,
            (redis) => redis.cluster('INFO') as Promise<string>,
          ).catch(() => '');
          if (!info.includes(`cluster_state:${state}`)) return false;
        }
        return true;
      },
      {
        timeoutMs,
        intervalMs: 100,
        what: `every running Redis Cluster node to report cluster_state:${state}`,
      },
    );
  }

  async stop(): Promise<void> {
    running.delete(this);
    for (const node of this.nodes) {
      node.child?.kill('SIGKILL');
      await node.exited;
      node.child = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For the exit hook: no awaiting possible there. */
  killAllSync(): void {
    for (const node of this.nodes) node.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private node(port: number): ClusterNode {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    return node;
  }

  private async launch(node: ClusterNode): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--bind',
        HOST,
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(node.busPort),
        '--cluster-config-file',
        path.join(this.dir, `nodes-${node.port}.conf`),
        // Short, so a dead master is noticed (cluster_state:fail) and a restarted one rejoins within seconds.
        '--cluster-node-timeout',
        String(this.nodeTimeoutMs),
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.output = '';
    child.stdout!.on(
      'data',
      (chunk: Buffer) => (node.output = (node.output + chunk.toString()).slice(-8000)),
    );
    child.stderr!.on(
      'data',
      (chunk: Buffer) => (node.output = (node.output + chunk.toString()).slice(-8000)),
    );
    node.child = child;
    node.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`redis-server on ${node.port} exited (${child.exitCode}):\n${node.output}`);
        return (await this.withNode(node.port, (redis) => redis.ping()).catch(() => '')) === 'PONG';
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `redis-server on port ${node.port}` },
    );
  }

  /** One short-lived plain connection to one node (no cluster routing), closed afterwards. */
  private async withNode<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({
      host: HOST,
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }
}
