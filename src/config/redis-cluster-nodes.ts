/** One seed node of a Redis Cluster. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** REDIS_CLUSTER_NODES parsed: the seed nodes and what every connection to them needs. */
export interface RedisClusterSeeds {
  nodes: RedisNodeAddress[];
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * Parses `host:port,host:port,…`. An entry may also be a `redis://` or `rediss://` URL, which is how
 * credentials and TLS are given; every entry must then agree on them (a cluster has one ACL and one TLS
 * setting, and a mix would connect to some nodes differently from others). Returns the problem as a string
 * when the value is unusable.
 */
export function parseRedisClusterNodes(value: string): RedisClusterSeeds | string {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return 'must list at least one host:port';
  const parsed: (RedisNodeAddress & { scheme: string; username: string; password: string })[] = [];
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(entry.includes('://') ? entry : `redis://${entry}`);
    } catch {
      return `has a malformed entry "${entry}" (want host:port)`;
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
      return `has an entry "${entry}" that is neither host:port nor a redis:// or rediss:// URL`;
    if (!url.hostname || !url.port) return `has an entry "${entry}" without host and port`;
    if (url.pathname.length > 1)
      return `has an entry "${entry}" naming a database (a Redis Cluster has only database 0)`;
    parsed.push({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port),
      scheme: url.protocol,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
  }
  const [first] = parsed;
  const disagree = parsed.some(
    (node) =>
      node.scheme !== first.scheme || node.username !== first.username || node.password !== first.password,
  );
  if (disagree) return 'mixes entries with different schemes or credentials';
  return {
    nodes: parsed.map(({ host, port }) => ({ host, port })),
    username: first.username || undefined,
    password: first.password || undefined,
    tls: first.scheme === 'rediss:',
  };
}
