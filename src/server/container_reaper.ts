// ContainerManager's choice of what to delete: containers that have had a
// child and have none now, and (with extended types) TTL nodes with no
// children whose TTL has passed since their last change. Pure: the server
// turns each candidate into a deleteContainer txn on its interval.
import type { DataTree } from "../data/tree.ts";
import { nodeKind, ttlOf } from "../data/node_kind.ts";

/** The paths ContainerManager would delete now (containers first, then TTL nodes). */
export function reapCandidates(tree: DataTree, nowMs: number): string[] {
  const out: string[] = [];
  for (const p of tree.containers) {
    const n = tree.get(p);
    if (n && n.numChildren === 0 && n.stat.cversion > 0) out.push(p);
  }
  // tree.ttls holds TTL nodes only when the tree runs with extended types.
  for (const p of tree.ttls) {
    const n = tree.get(p);
    if (!n || n.numChildren > 0) continue;
    const owner = n.stat.ephemeralOwner;
    if (nodeKind(owner, tree.extendedTypes) !== "ttl") continue;
    const ttl = ttlOf(owner);
    if (ttl !== 0n && BigInt(nowMs) - BigInt(n.stat.mtime) > ttl) out.push(p);
  }
  return out;
}
