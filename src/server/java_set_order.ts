// The order 3.8 lists children and ephemerals in: the iteration order of its
// Java HashSets, which depends on each set's table size. Tables grow with
// inserts and never shrink, so the sizes are tracked here as the tree changes.
// Pure: the tree is read, never changed.
import type { DataTree } from "../data/tree.ts";
import { nodeKind } from "../data/node_kind.ts";
import { cloneCapacity, grownCapacity, javaHashSetOrder } from "./java_order.ts";
import { parentOf } from "./path_utils.ts";

/** Table sizes of a node's children set and a session's ephemerals set. */
export class JavaSetOrder {
  private readonly childCaps = new Map<string, number>();
  private readonly ephemeralCaps = new Map<bigint, number>();

  /** Follows one applied change (after the tree has it). */
  track(tree: DataTree, ev: { type: string; path: string }): void {
    if (ev.type === "created") {
      const parent = parentOf(ev.path);
      const n = tree.numChildren(parent);
      this.childCaps.set(parent, grownCapacity(n, this.childCaps.get(parent) ?? 8));
      const owner = tree.get(ev.path)?.stat.ephemeralOwner ?? 0n;
      if (nodeKind(owner, tree.extendedTypes) === "ephemeral") {
        const size = tree.ephemerals.get(owner)?.size ?? 0;
        this.ephemeralCaps.set(owner, grownCapacity(size, this.ephemeralCaps.get(owner) ?? 16));
      }
    } else if (ev.type === "deleted") {
      this.childCaps.delete(ev.path);
    }
  }

  /** A session ended: its ephemerals set is gone. */
  sessionClosed(sessionId: bigint): void {
    this.ephemeralCaps.delete(sessionId);
  }

  /** A node's children in the order 3.8 lists them (its HashSet's iteration order). */
  childrenOf(tree: DataTree, path: string): string[] {
    const kids = tree.childNames(path);
    if (!kids) return [];
    const key = path === "" ? "/" : path;
    const cap = grownCapacity(kids.length, this.childCaps.get(key) ?? 8);
    return javaHashSetOrder(kids, cap);
  }

  /** A session's ephemerals as DataTree.getEphemerals returns them (a cloned HashSet). */
  ephemeralsOf(tree: DataTree, sessionId: bigint): string[] {
    const own = this.ephemeralOrder(tree, sessionId);
    return own.length === 0 ? [] : javaHashSetOrder(own, cloneCapacity(own.length));
  }

  /** A session's ephemerals in its own HashSet's order (which keeps its size until the session ends). */
  ephemeralOrder(tree: DataTree, sessionId: bigint): string[] {
    const set = tree.ephemerals.get(sessionId);
    if (!set) {
      this.ephemeralCaps.delete(sessionId);
      return [];
    }
    return javaHashSetOrder(set, grownCapacity(set.size, this.ephemeralCaps.get(sessionId) ?? 16));
  }
}
