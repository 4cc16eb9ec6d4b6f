// The DataTree: every znode by path, with the bookkeeping ZooKeeper 3.8 keeps next
// to it (ACL cache, ephemerals per session, containers, TTL nodes, sessions, the
// digest). Pure: no I/O, no clock. The changes it makes are ZooKeeper's own
// (DataTree.createNode/deleteNode/setData/setACL), so a tree restored here and one
// restored by ZooKeeper serialize to the same nodes with the same stats.
import { Ids } from "../jute/constants.ts";
import type { ACL, StatPersisted } from "../jute/data.ts";
import { AclCache, OPEN_ACL_REF } from "./acl_cache.ts";
import { NodeStore, NONE } from "./node_store.ts";
import { nodeKind } from "./node_kind.ts";
import {
  createStat,
  type DataNode,
  NodeView,
  putStat,
  statOf,
  type Time,
  type TreeImage,
  walkViews,
  zeroStat,
} from "./node_view.ts";

import { addDigest, type DigestHints, nodeDigest } from "./digest.ts";
import { DigestLog } from "./digest_log.ts";
import {
  formatStats,
  LIMIT_NODE,
  maxQuotaPrefix,
  parseStats,
  QUOTA_ROOT,
  STAT_NODE,
  statPath,
} from "./quota.ts";

/** ZooKeeper error codes a tree operation can return (KeeperException.Code). */
export const TreeError = { ok: 0, noNode: -101, nodeExists: -110 } as const;

/** The parent path and child name of a path ("/a" → ["", "a"]). */
export function splitPath(path: string): [string, string] {
  const i = path.lastIndexOf("/");
  return [path.substring(0, i), path.substring(i + 1)];
}

/** The path ZooKeeper keys a node by: the root is "". */
function key(path: string): string {
  return path === "/" ? "" : path;
}

/** ZooDefs.Ids.READ_ACL_UNSAFE: world:anyone read, the ACL of /zookeeper/config. */
const READ_ACL_UNSAFE: ACL[] = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];

/** The in-memory znode tree. */
export class DataTree implements TreeImage {
  private readonly store = new NodeStore();
  private root = NONE;
  readonly acls = new AclCache();
  /** Paths of ephemeral nodes per owning session. */
  readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  /** Live sessions (id → timeout ms), as the snapshot stores them. */
  readonly sessions = new Map<bigint, number>();
  /** Paths with a quota (PathTrie in ZooKeeper). */
  readonly quotaRoots = new Set<string>();
  lastProcessedZxid = 0n;
  /** Path lengths of every node, kept as nodes come and go (with the store's data bytes: mntr's size). */
  private pathBytes = 0;
  /** Paths in `ephemerals`' sets (mntr's ephemerals_count), kept as they change. */
  private ephemeralPaths = 0;
  /** zookeeper.extendedTypesEnabled, as this tree classifies owners (nodeKind). */
  readonly extendedTypes: boolean;
  /** The digest history `hash` prints, filled as txns are applied (applyTxn). */
  readonly digestLog = new DigestLog();
  private treeDigest = 0n;
  /**
   * Node digests added (minus removed) since the last fold into treeDigest, as
   * a plain number: each is below 2^32, so folding before |pending| reaches
   * 2^52 keeps it exact, and saves two bigints per change.
   */
  private pendingDigest = 0;
  /**
   * Node digests computed already for the txn being applied (applyTxn sets
   * them for one txn): a change whose node matches one is not hashed again.
   */
  digestHints: DigestHints | null = null;
  /**
   * Bumped by every change to any node: what a reader read stays true while
   * this number does (the overlay's committed view caches its last reads).
   */
  changes = 0;
  /** loadNode's last parent and its path (forgotten when any node is deleted). */
  private loadParent = NONE;
  private loadParentPath = "";

  /**
   * A tree as ZooKeeper starts one: "/", /zookeeper, /zookeeper/quota and
   * /zookeeper/config (read-only for the world). `empty` makes a tree with no
   * nodes at all, for loading a snapshot into. `extendedTypes` is
   * zookeeper.extendedTypesEnabled (default off, as in 3.8): it decides whether
   * an owner with the high byte 0xff files a node as TTL or as a session's.
   */
  constructor(opts: { empty?: boolean; extendedTypes?: boolean } = {}) {
    this.extendedTypes = opts.extendedTypes ?? false;
    if (opts.empty) return;
    for (const p of ["", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      this.loadNode(p, new Uint8Array(0), -1n, zeroStat());
    }
    this.setACL("/zookeeper/config", READ_ACL_UNSAFE, -1);
  }

  /** The tree digest: the wrapping sum of every node's digest. */
  get digest(): bigint {
    this.foldDigest();
    return this.treeDigest;
  }

  private foldDigest(): void {
    if (this.pendingDigest === 0) return;
    this.treeDigest = BigInt.asIntN(64, this.treeDigest + BigInt(this.pendingDigest));
    this.pendingDigest = 0;
  }

  /** Adds a change (new digest minus old, each below 2^32) to the tree digest. */
  private moveDigest(delta: number): void {
    this.pendingDigest += delta;
    if (this.pendingDigest >= 2 ** 52 || this.pendingDigest <= -(2 ** 52)) this.foldDigest();
  }

  /** Number of nodes ("/" counted once). */
  get size(): number {
    return this.store.size;
  }

  /** Every node by path: a copy, built on each call (tools and tests). */
  get nodes(): Map<string, DataNode> {
    return new Map(this.walk());
  }

  /** The row of a path, or NONE. */
  private idOf(path: string): number {
    return this.store.lookup(this.root, path);
  }

  /** The node at a path ("/" and "" both name the root). */
  get(path: string): DataNode | undefined {
    const id = this.idOf(path);
    return id === NONE ? undefined : new NodeView(this.store, id);
  }

  /** Whether a node exists at a path. */
  has(path: string): boolean {
    return this.idOf(path) !== NONE;
  }

  /** The ACL list of a node; the reference -1 is world:anyone:cdrwa (ReferenceCountedACLCache.convertLong). */
  aclOf(node: DataNode): ACL[] {
    if (node.acl === OPEN_ACL_REF) return [...Ids.OPEN_ACL_UNSAFE];
    return this.acls.get(node.acl) ?? [];
  }

  /** The ACL cache's entries (ref → list). */
  aclEntries(): Iterable<[bigint, ACL[]]> {
    return this.acls.entries();
  }

  /**
   * Path lengths plus data lengths of every node (3.8's approximate data
   * size), kept as the tree changes: mntr must not walk 200k znodes. 3.8's
   * node map also keys the root under "/", whose 1 byte it counts too (a
   * fresh 3.8 server says 44); the root's data it counts once as it runs.
   */
  approximateDataSize(): number {
    return this.pathBytes + this.store.dataBytes + (this.root === NONE ? 0 : 1);
  }

  /** Ephemeral paths over every session (mntr's ephemerals_count), without a walk. */
  get ephemeralCount(): number {
    return this.ephemeralPaths;
  }

  /**
   * Adds a node read from a snapshot below its (already present) parent, with
   * ZooKeeper's side lists. Returns false when the parent is missing. `digest`,
   * when given, is the node's digest already computed from the file's bytes.
   */
  loadNode(
    path: string,
    data: Uint8Array | null,
    acl: bigint,
    stat: StatPersisted,
    digest?: number,
  ): boolean {
    this.changes++;
    const k = key(path);
    const store = this.store;
    let id: number;
    if (k === "") {
      id = this.root;
      if (id === NONE) id = this.root = store.add(NONE, "");
      else this.moveDigest(-store.cols.digest[id]);
    } else {
      const i = k.lastIndexOf("/");
      const parentPath = k.substring(0, i);
      // Snapshots list siblings together: most nodes have the last one's parent.
      let parent = this.loadParent;
      if (parent === NONE || parentPath !== this.loadParentPath) {
        parent = this.idOf(parentPath);
        if (parent === NONE) return false;
        this.loadParent = parent;
        this.loadParentPath = parentPath;
      }
      const name = k.substring(i + 1);
      id = store.child(parent, name);
      if (id === NONE) {
        id = store.add(parent, name);
        this.pathBytes += k.length;
      } else {
        this.moveDigest(-store.cols.digest[id]);
        this.acls.removeUsage(store.cols.acl[id]);
        this.untrack(k, store.cols.owner[id]);
      }
      this.track(k, stat.ephemeralOwner);
    }
    putStat(store, id, stat);
    store.cols.acl[id] = acl;
    store.setData(id, data);
    const d = digest ?? nodeDigest(k, data, stat);
    store.cols.digest[id] = d;
    this.moveDigest(d);
    this.acls.addUsage(acl);
    return true;
  }

  /** A changed node's digest: from the hints when they computed it, else hashed now. */
  private digestOf(k: string, data: Uint8Array | null, stat: StatPersisted): number {
    const h = this.digestHints?.digestOf(k, data, stat);
    return h ?? nodeDigest(k, data, stat);
  }

  /** Recomputes a row's digest after a change to it (NodeHashMap pre/postChange). */
  private redigest(k: string, id: number, data = this.store.data(id)): void {
    const c = this.store.cols;
    const before = c.digest[id];
    const after = this.digestOf(k, data, statOf(this.store, id));
    c.digest[id] = after;
    this.moveDigest(after - before);
  }

  private track(k: string, owner: bigint): void {
    switch (nodeKind(owner, this.extendedTypes)) {
      case "persistent":
        return;
      case "container":
        this.containers.add(k);
        return;
      case "ttl":
        this.ttls.add(k);
        return;
      default: {
        let set = this.ephemerals.get(owner);
        if (!set) this.ephemerals.set(owner, set = new Set());
        if (!set.has(k)) {
          set.add(k);
          this.ephemeralPaths++;
        }
      }
    }
  }

  private untrack(k: string, owner: bigint): void {
    switch (nodeKind(owner, this.extendedTypes)) {
      case "persistent":
        return;
      case "container":
        this.containers.delete(k);
        return;
      case "ttl":
        this.ttls.delete(k);
        return;
      default:
        if (this.ephemerals.get(owner)?.delete(k)) this.ephemeralPaths--;
    }
  }

  /**
   * Creates a node (DataTree.createNode). parentCVersion -1 means "parent's + 1";
   * the parent's cversion/pzxid only move forward (fuzzy-snapshot replay).
   */
  createNode(
    path: string,
    data: Uint8Array | null,
    acl: readonly ACL[] | null,
    ephemeralOwner: bigint,
    parentCVersion: number,
    zxid: bigint,
    time: Time,
  ): number {
    this.changes++;
    const [parentPath, name] = splitPath(path);
    const store = this.store;
    const parent = this.idOf(parentPath);
    if (parent === NONE) return TreeError.noNode;
    // ZooKeeper converts (and counts) the ACL before checking for the child.
    const ref = this.acls.convert(acl);
    if (store.child(parent, name) !== NONE) return TreeError.nodeExists;
    const c = store.cols;
    const cv = parentCVersion === -1 ? c.cversion[parent] + 1 : parentCVersion;
    if (cv > c.cversion[parent]) {
      c.cversion[parent] = cv;
      c.pzxid[parent] = zxid;
      this.redigest(parentPath, parent);
    }
    const id = store.add(parent, name);
    this.pathBytes += path.length;
    const stat = createStat(zxid, time, ephemeralOwner);
    const cols = store.cols; // add may have grown the columns
    putStat(store, id, stat);
    cols.acl[id] = ref;
    store.setData(id, data);
    const d = this.digestOf(path, data, stat);
    cols.digest[id] = d;
    this.moveDigest(d);
    this.track(path, ephemeralOwner);
    if (parentPath.startsWith(QUOTA_ROOT)) {
      if (name === LIMIT_NODE) this.quotaRoots.add(parentPath.substring(QUOTA_ROOT.length));
      if (name === STAT_NODE) this.recountQuota(parentPath.substring(QUOTA_ROOT.length));
    }
    this.quotaChange(path, data?.length ?? 0, 1);
    return TreeError.ok;
  }

  /** Deletes a node (DataTree.deleteNode); the parent's pzxid moves forward even if the child is gone. */
  deleteNode(path: string, zxid: bigint): number {
    this.changes++;
    const [parentPath, name] = splitPath(path);
    const store = this.store;
    const parent = this.idOf(parentPath);
    if (parent === NONE) return TreeError.noNode;
    const c = store.cols;
    if (zxid > c.pzxid[parent]) {
      c.pzxid[parent] = zxid;
      this.redigest(parentPath, parent);
    }
    const id = store.child(parent, name);
    if (id === NONE) return TreeError.noNode;
    const size = store.dataLength(id);
    this.dropRow(path, id);
    this.loadParent = NONE;
    if (parentPath.startsWith("/zookeeper") && name === LIMIT_NODE) {
      this.quotaRoots.delete(parentPath.substring(QUOTA_ROOT.length));
    }
    this.quotaChange(path, -size, -1);
    return TreeError.ok;
  }

  /**
   * Removes a row and its bookkeeping. A node deleted with children left (only
   * in a replay over a fuzzy snapshot) takes them along: ZooKeeper keeps such
   * orphans in its node map until the next snapshot drops them, we drop them now.
   */
  private dropRow(path: string, id: number): void {
    const store = this.store;
    for (const kid of store.childIds(id)) this.dropRow(`${path}/${store.name(kid)}`, kid);
    const c = store.cols;
    this.moveDigest(-c.digest[id]);
    this.acls.removeUsage(c.acl[id]);
    this.untrack(path, c.owner[id]);
    this.pathBytes -= path.length;
    store.remove(id);
  }

  /** Replaces a node's data (DataTree.setData): version is the txn's new version. */
  setData(
    path: string,
    data: Uint8Array | null,
    version: number,
    zxid: bigint,
    time: Time,
  ): number {
    this.changes++;
    const k = key(path);
    const id = this.idOf(k);
    if (id === NONE) return TreeError.noNode;
    const store = this.store;
    this.quotaChange(k, (data?.length ?? 0) - store.dataLength(id), 0);
    store.setData(id, data);
    const c = store.cols;
    c.mtime[id] = time;
    c.mzxid[id] = zxid;
    c.version[id] = version;
    // The bytes just stored: the very array a hint was computed from, if any.
    this.redigest(k, id, data);
    return TreeError.ok;
  }

  /** Replaces a node's ACL (DataTree.setACL): version is the new aversion. */
  setACL(path: string, acl: readonly ACL[] | null, version: number): number {
    this.changes++;
    const k = key(path);
    const id = this.idOf(k);
    if (id === NONE) return TreeError.noNode;
    const c = this.store.cols;
    this.acls.removeUsage(c.acl[id]);
    c.aversion[id] = version;
    c.acl[id] = this.acls.convert(acl);
    this.redigest(k, id);
    return TreeError.ok;
  }

  /** Raises a node's cversion and pzxid (DataTree.setCversionPzxid); -1 means +1. */
  setCversionPzxid(path: string, cversion: number, zxid: bigint): number {
    this.changes++;
    if (path.endsWith("/")) path = path.substring(0, path.length - 1);
    const id = this.idOf(path);
    if (id === NONE) return TreeError.noNode;
    const c = this.store.cols;
    const cv = cversion === -1 ? c.cversion[id] + 1 : cversion;
    if (cv > c.cversion[id]) {
      c.cversion[id] = cv;
      c.pzxid[id] = zxid;
      this.redigest(path, id);
    }
    return TreeError.ok;
  }

  /**
   * Removes a session's ephemerals (DataTree.killSession): the paths the
   * closeSession txn names first, then any others the session still owns.
   * Returns the paths actually deleted.
   */
  killSession(session: bigint, zxid: bigint, pathsInTxn: readonly string[] | null): string[] {
    const owned = this.ephemerals.get(session);
    this.ephemerals.delete(session);
    // The detached set's paths leave the count now; untrack no longer finds them.
    if (owned) this.ephemeralPaths -= owned.size;
    const deleted: string[] = [];
    const del = (p: string) => {
      if (this.deleteNode(p, zxid) === TreeError.ok) deleted.push(p);
    };
    if (pathsInTxn) {
      for (const p of pathsInTxn) {
        owned?.delete(p);
        del(p);
      }
    }
    if (owned) { for (const p of owned) del(p); }
    return deleted;
  }

  /** Updates the stats node of the quota covering path (DataTree.updateQuotaStat). */
  private quotaChange(path: string, bytes: number, count: number): void {
    if (this.quotaRoots.size === 0) return;
    const root = maxQuotaPrefix(this.quotaRoots, path);
    if (root === null) return;
    const id = this.idOf(statPath(root));
    if (id === NONE) return;
    const stats = parseStats(this.store.data(id));
    stats.set("count", (stats.get("count") ?? -1n) + BigInt(count));
    stats.set("bytes", (stats.get("bytes") ?? -1n) + BigInt(bytes));
    // Below /zookeeper/ the digest is 0, and ZooKeeper changes no stat here.
    this.store.setData(id, formatStats(stats));
  }

  /** Recounts nodes and bytes under a quota root into its stats node (updateQuotaForPath). */
  private recountQuota(root: string): void {
    let count = 0n;
    let bytes = 0n;
    const start = this.idOf(root);
    const stack = start === NONE ? [] : [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      count++;
      bytes += BigInt(this.store.dataLength(id));
      stack.push(...this.store.childIds(id));
    }
    const stat = this.idOf(statPath(root));
    if (stat === NONE) return;
    this.store.setData(stat, formatStats(new Map([["count", count], ["bytes", bytes]])));
  }

  /**
   * Rebuilds quota roots and recounts their stats after loading a snapshot
   * (DataTree.setupQuota): every leaf zookeeper_limits under /zookeeper/quota.
   */
  setupQuota(): void {
    this.changes++;
    if (!this.has(QUOTA_ROOT)) return;
    const stack = [QUOTA_ROOT];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const id = this.idOf(p);
      if (id === NONE) continue;
      if (this.store.cols.kids[id] === 0) {
        const tail = `/${LIMIT_NODE}`;
        if (p.endsWith(tail)) {
          const root = p.substring(QUOTA_ROOT.length, p.indexOf(tail));
          this.recountQuota(root);
          this.quotaRoots.add(root);
        }
        continue;
      }
      for (const c of this.store.childNames(id)) stack.push(`${p}/${c}`);
    }
  }

  /** Children names of a node (a fresh set). */
  children(path: string): ReadonlySet<string> | undefined {
    const names = this.childNames(path);
    return names && new Set(names);
  }

  /** Children names of a node in the order they were added, or undefined when it does not exist. */
  childNames(path: string): string[] | undefined {
    const id = this.idOf(path);
    return id === NONE ? undefined : this.store.childNames(id);
  }

  /** The number of children of a node (0 when it does not exist). */
  numChildren(path: string): number {
    const id = this.idOf(path);
    return id === NONE ? 0 : this.store.cols.kids[id];
  }

  /**
   * Walks the tree depth first from the root, parents before children, the way
   * ZooKeeper serializes it (root path "", children in the order they were
   * added). The tree must not change during the walk: walk a freeze() instead.
   */
  walk(): Generator<[string, DataNode]> {
    return walkViews(this.store, this.root);
  }

  /**
   * A consistent image of the tree now (its rows, sessions, ACLs, zxid and
   * digest), for writing a snapshot while the tree goes on changing. It copies
   * the columns (~120 B a node); data bytes are shared, as they never change
   * in place.
   */
  freeze(): TreeImage {
    const rows = this.store.freeze();
    const root = this.root;
    const aclEntries = [...this.acls.entries()].map(([r, l]): [bigint, ACL[]] => [r, [...l]]);
    return {
      sessions: new Map(this.sessions),
      lastProcessedZxid: this.lastProcessedZxid,
      digest: this.digest,
      size: this.size,
      aclEntries: () => aclEntries,
      walk: () => walkViews(rows, root),
      release: () => rows.release(),
    };
  }

  /** Nothing to free: the live tree is not an image. */
  release(): void {}

  /** Data slabs in use and their live and allocated bytes (tests). */
  slabStats(): { slabs: number; live: number; used: number } {
    return this.store.slabStats();
  }

  /** Recomputes the digest from scratch (to check the incremental one). */
  computeDigest(): bigint {
    let d = 0n;
    for (const [k, n] of this.walk()) d = addDigest(d, nodeDigest(k, n.data, n.stat));
    return d;
  }
}
