// Quota bookkeeping as ZooKeeper 3.8 keeps it: /zookeeper/quota/<path>/zookeeper_limits
// marks a quota root, and its sibling zookeeper_stats holds "count=N,bytes=M"
// (StatsTrack), which the tree rewrites in place on every create/delete/setData
// below the root. The stats node's data is part of the snapshot, so it must match.

/** Where quota nodes live. */
export const QUOTA_ROOT = "/zookeeper/quota";
/** The child that marks a quota and holds its limits. */
export const LIMIT_NODE = "zookeeper_limits";
/** The child that holds the live counts. */
export const STAT_NODE = "zookeeper_stats";

const utf8 = new TextDecoder();
const enc = new TextEncoder();

/** Parses StatsTrack text ("count=1,bytes=2=;byteHardLimit=5") into ordered pairs. */
export function parseStats(data: Uint8Array | null): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const text = data ? utf8.decode(data) : "";
  if (text.length === 0) return out;
  for (const pair of text.split(/[,;]+/)) {
    if (pair === "") continue;
    const [k, v] = pair.split("=");
    let n = -1n;
    try {
      n = v ? BigInt(v) : -1n;
    } catch { /* unparsable: ZooKeeper would fail too; keep -1 */ }
    out.set(k, n);
  }
  return out;
}

/** Formats stats as StatsTrack.toString does: count and bytes first, others sorted after "=". */
export function formatStats(stats: Map<string, bigint>): Uint8Array {
  let s = `count=${stats.get("count") ?? -1n},bytes=${stats.get("bytes") ?? -1n}`;
  const rest = [...stats.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
  if (rest.length > 0) s += "=" + rest.map((k) => `;${k}=${stats.get(k)}`).join("");
  return enc.encode(s);
}

/** The stats node path for a quota root ("/a" → /zookeeper/quota/a/zookeeper_stats). */
export function statPath(root: string): string {
  return `${QUOTA_ROOT}${root}/${STAT_NODE}`;
}

/** The longest quota root that is `path` or one of its ancestors; null when none. */
export function maxQuotaPrefix(roots: ReadonlySet<string>, path: string): string | null {
  if (roots.size === 0) return null;
  let p = path;
  while (p.length > 1) {
    if (roots.has(p)) return p;
    p = p.substring(0, p.lastIndexOf("/"));
  }
  return null;
}
