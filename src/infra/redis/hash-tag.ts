/**
 * The part of a key Redis Cluster hashes to pick its slot: the text between the first `{` and the first `}`
 * after it when that is not empty, otherwise the whole key (the Redis Cluster specification's rule).
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/**
 * Refuses keys that a Redis Cluster would refuse in one multi-key command, script or pipeline: they must all
 * hash to one slot, which is only guaranteed when they carry the same hash tag (or are the same key). Checked
 * against one Redis too, so a key builder that breaks the rule fails in every test, not only on a cluster.
 */
export function assertOneSlot(keys: string[]): void {
  const tags = new Set(keys.map(hashTagOf));
  if (tags.size > 1)
    throw new Error(`keys of one Redis call must share a {hash tag} (Redis Cluster): ${keys.join(', ')}`);
}
