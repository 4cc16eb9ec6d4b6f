// ZooKeeper's reference-counted ACL cache: each distinct ACL list is stored once
// and nodes hold a long reference to it. The references are part of the snapshot
// format, so the numbering (-1 = open ACL, then 1, 2, … in order of first use)
// follows ReferenceCountedACLCache.
import type { ACL } from "../jute/data.ts";

/** The reference ZooKeeper uses for a null ACL list (world:anyone, all perms). */
export const OPEN_ACL_REF = -1n;

/** A stable key for an ACL list's value (lists equal in Java are equal here). */
function aclKey(acls: readonly ACL[]): string {
  // A plain loop: no closure or intermediate array on every create.
  let key = "";
  for (let i = 0; i < acls.length; i++) {
    const a = acls[i];
    key += (i === 0 ? "" : "\u0001") + a.perms + "\u0000" + a.id.scheme + "\u0000" + a.id.id;
  }
  return key;
}

/** Maps ACL lists to long references with usage counts. */
export class AclCache {
  private readonly byRef = new Map<bigint, ACL[]>();
  private readonly byKey = new Map<string, bigint>();
  private readonly counts = new Map<bigint, number>();
  private index = 0n;

  /** Number of distinct ACL lists held. */
  get size(): number {
    return this.byRef.size;
  }

  /** The ACL list for a reference; undefined when unknown. */
  get(ref: bigint): ACL[] | undefined {
    return this.byRef.get(ref);
  }

  /** Entries in insertion order (ref → list). */
  entries(): IterableIterator<[bigint, ACL[]]> {
    return this.byRef.entries();
  }

  /** Returns the reference for a list, adding the list if new, and counts one use. */
  convert(acls: readonly ACL[] | null): bigint {
    if (acls === null) return OPEN_ACL_REF;
    const key = aclKey(acls);
    let ref = this.byKey.get(key);
    if (ref === undefined) {
      ref = ++this.index;
      this.byRef.set(ref, acls.map((a) => ({ perms: a.perms, id: { ...a.id } })));
      this.byKey.set(key, ref);
    }
    this.addUsage(ref);
    return ref;
  }

  /** Adds an entry read from a snapshot (usage count starts at zero). */
  load(ref: bigint, acls: ACL[]): void {
    if (ref > this.index) this.index = ref;
    this.byRef.set(ref, acls);
    this.byKey.set(aclKey(acls), ref);
    this.counts.set(ref, 0);
  }

  /** Counts one more node using a reference (unknown references are ignored, as ZooKeeper does). */
  addUsage(ref: bigint): void {
    if (ref === OPEN_ACL_REF || !this.byRef.has(ref)) return;
    this.counts.set(ref, (this.counts.get(ref) ?? 0) + 1);
  }

  /** Counts one use less; a list no node uses is dropped. */
  removeUsage(ref: bigint): void {
    if (ref === OPEN_ACL_REF || !this.byRef.has(ref)) return;
    const n = (this.counts.get(ref) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(ref, n);
      return;
    }
    this.drop(ref);
  }

  /** Drops every list no node uses (after loading a snapshot). */
  purgeUnused(): void {
    for (const [ref, n] of this.counts) if (n <= 0) this.drop(ref);
  }

  private drop(ref: bigint): void {
    const acls = this.byRef.get(ref);
    if (acls) this.byKey.delete(aclKey(acls));
    this.byRef.delete(ref);
    this.counts.delete(ref);
  }
}
