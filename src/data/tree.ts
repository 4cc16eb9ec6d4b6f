// The DataTree: every znode by path, with the bookkeeping ZooKeeper 3.8 keeps next
// to it (ACL cache, ephemerals per session, containers, TTL nodes, sessions, the
// digest). Pure: no I/O, no clock. The changes it makes are ZooKeeper's own
// (DataTree.createNode/deleteNode/setData/setACL), so a tree restored here and one
// restored by ZooKeeper serialize to the same nodes with the same stats.
import { Ids } from "../jute/constants.ts";
import type { ACL, Stat, StatPersisted } from "../jute/data.ts";
import { AclCache, OPEN_ACL_REF } from "./acl_cache.ts";
import { DataSlabs } from "./data_slabs.ts";
import { addDigest, nodeDigest } from "./digest.ts";
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

/** The ephemeralOwner ZooKeeper gives containers (Long.MIN_VALUE). */
export const CONTAINER_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = -0x100000000000000n; // 0xff00000000000000 as a signed long
const TTL_MASK = 0xffffffffffn; // the low 40 bits hold the TTL

/** What kind of node an ephemeralOwner value makes. */
export type NodeKind = "persistent" | "ephemeral" | "container" | "ttl";

/** Classifies an ephemeralOwner as ZooKeeper's EphemeralType does (extended types on). */
export function nodeKind(owner: bigint): NodeKind {
  if (owner === 0n) return "persistent";
  if (owner === CONTAINER_OWNER) return "container";
  if ((owner & EXTENDED_MASK) === EXTENDED_MASK) return "ttl";
  return "ephemeral";
}

/** The ephemeralOwner a TTL node carries (EphemeralType.TTL.toEphemeralOwner). */
export function ttlOwner(ttl: bigint): bigint {
  return EXTENDED_MASK | (ttl & TTL_MASK);
}

/** The TTL in milliseconds of a TTL node's ephemeralOwner. */
export function ttlOf(owner: bigint): bigint {
  return owner & TTL_MASK;
}

/** One znode. `acl` is a reference into the tree's ACL cache. */
export interface DataNode {
  data: Uint8Array | null;
  acl: bigint;
  stat: StatPersisted;
  children: Set<string>;
  /** This node's digest contribution, kept current by the tree. */
  digest: number;
}

type Time = StatPersisted["ctime"];

/** The children set of every leaf: shared (most znodes are leaves), so it must never change. */
class NoChildren extends Set<string> {
  override add(_name: string): this {
    throw new Error("a leaf's shared children set is read-only; give the node its own set");
  }
  override clear(): void {}
}
const NO_CHILDREN: Set<string> = new NoChildren();

/** Adds a child name, giving a leaf its own set first. */
function addChild(node: DataNode, name: string): void {
  if (node.children === NO_CHILDREN) node.children = new Set();
  node.children.add(name);
}

/** A fresh stat for a node created at zxid/time (DataTree.createStat). */
export function createStat(zxid: bigint, time: Time, ephemeralOwner: bigint): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: time,
    mtime: time,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
  };
}

function zeroStat(): StatPersisted {
  return createStat(0n, 0 as unknown as Time, 0n);
}

/**
 * The cversion clients see in a Stat (DataNode.copyStat): the tree counts only
 * creates, clients see creates plus deletes, i.e. 2 × cversion − numChildren.
 */
export function clientCversion(node: DataNode): number {
  return node.stat.cversion * 2 - node.children.size;
}

/** The ephemeralOwner clients see (DataNode.getClientEphemeralOwner): 0 for containers and TTL nodes. */
export function clientEphemeralOwner(owner: bigint): bigint {
  return nodeKind(owner) === "ephemeral" ? owner : 0n;
}

/** The Stat a client sees for a node (DataNode.copyStat). */
export function clientStat(node: DataNode): Stat {
  const s = node.stat;
  return {
    czxid: s.czxid,
    mzxid: s.mzxid,
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: clientCversion(node),
    aversion: s.aversion,
    ephemeralOwner: clientEphemeralOwner(s.ephemeralOwner),
    dataLength: node.data?.length ?? 0,
    numChildren: node.children.size,
    pzxid: s.pzxid,
  };
}

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
export class DataTree {
  readonly nodes = new Map<string, DataNode>();
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
  private treeDigest = 0n;
  /**
   * Node digests added (minus removed) since the last fold into treeDigest, as
   * a plain number: each is below 2^32, so folding before |pending| reaches
   * 2^52 keeps it exact, and saves two bigints per change.
   */
  private pendingDigest = 0;
  /** loadNode's last parent and its path (forgotten when any node is deleted). */
  private loadParent: DataNode | undefined = undefined;
  private loadParentPath = "";
  /** Where small node data lives (one buffer per slab, not per node). */
  private readonly slabs = new DataSlabs();

  /**
   * A tree as ZooKeeper starts one: "/", /zookeeper, /zookeeper/quota and
   * /zookeeper/config (read-only for the world). `empty` makes a tree with no
   * nodes at all, for loading a snapshot into.
   */
  constructor(empty = false) {
    if (empty) return;
    this.putNode("", { data: new Uint8Array(0), acl: -1n, stat: zeroStat() });
    this.putNode("/zookeeper", { data: new Uint8Array(0), acl: -1n, stat: zeroStat() });
    this.putNode("/zookeeper/quota", { data: new Uint8Array(0), acl: -1n, stat: zeroStat() });
    this.putNode("/zookeeper/config", { data: new Uint8Array(0), acl: -1n, stat: zeroStat() });
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
    return this.nodes.size;
  }

  /** The node at a path ("/" and "" both name the root). */
  get(path: string): DataNode | undefined {
    return this.nodes.get(key(path));
  }

  /** The ACL list of a node; the reference -1 is world:anyone:cdrwa (ReferenceCountedACLCache.convertLong). */
  aclOf(node: DataNode): ACL[] {
    if (node.acl === OPEN_ACL_REF) return [...Ids.OPEN_ACL_UNSAFE];
    return this.acls.get(node.acl) ?? [];
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
    const k = key(path);
    if (k !== "") {
      const i = k.lastIndexOf("/");
      const parentPath = k.substring(0, i);
      // Snapshots list siblings together: most nodes have the last one's parent.
      let parent = this.loadParent;
      if (parent === undefined || parentPath !== this.loadParentPath) {
        parent = this.nodes.get(parentPath);
        if (!parent) return false;
        this.loadParent = parent;
        this.loadParentPath = parentPath;
      }
      addChild(parent, k.substring(i + 1));
      this.track(k, stat.ephemeralOwner);
    }
    const old = this.nodes.get(k);
    if (old) this.moveDigest(-old.digest);
    this.putNode(k, { data, acl, stat }, digest, old?.children ?? NO_CHILDREN);
    this.acls.addUsage(acl);
    return true;
  }

  private putNode(
    k: string,
    n: { data: Uint8Array | null; acl: bigint; stat: StatPersisted },
    digest = nodeDigest(k, n.data, n.stat),
    children: Set<string> = this.nodes.get(k)?.children ?? NO_CHILDREN,
  ): DataNode {
    const node: DataNode = {
      data: null,
      acl: n.acl,
      stat: n.stat,
      children,
      digest,
    };
    node.data = this.slabs.place(node, n.data);
    const old = this.nodes.get(k);
    if (old) this.slabs.release(old, old.data);
    this.nodes.set(k, node);
    this.moveDigest(node.digest);
    if (k === "/zookeeper") {
      const root = this.nodes.get("");
      if (root) addChild(root, "zookeeper");
    } else if (k.startsWith("/zookeeper/") && k.lastIndexOf("/") === 10) {
      const zk = this.nodes.get("/zookeeper");
      if (zk) addChild(zk, k.substring(11));
    }
    return node;
  }

  /** Gives a node new data (placed in a slab when small; the old bytes released). */
  private replaceData(node: DataNode, data: Uint8Array | null): void {
    this.slabs.release(node, node.data);
    node.data = this.slabs.place(node, data);
  }

  /** Runs a change on a node and keeps its digest (NodeHashMap pre/postChange). */
  private change(k: string, node: DataNode, f: (n: DataNode) => void): void {
    const before = node.digest;
    f(node);
    node.digest = nodeDigest(k, node.data, node.stat);
    this.moveDigest(node.digest - before);
  }

  private track(k: string, owner: bigint): void {
    switch (nodeKind(owner)) {
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
        set.add(k);
      }
    }
  }

  private untrack(k: string, owner: bigint): void {
    switch (nodeKind(owner)) {
      case "persistent":
        return;
      case "container":
        this.containers.delete(k);
        return;
      case "ttl":
        this.ttls.delete(k);
        return;
      default:
        this.ephemerals.get(owner)?.delete(k);
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
    const [parentPath, name] = splitPath(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) return TreeError.noNode;
    // ZooKeeper converts (and counts) the ACL before checking for the child.
    const ref = this.acls.convert(acl);
    if (parent.children.has(name)) return TreeError.nodeExists;
    this.change(parentPath, parent, (p) => {
      const cv = parentCVersion === -1 ? p.stat.cversion + 1 : parentCVersion;
      if (cv > p.stat.cversion) {
        p.stat.cversion = cv;
        p.stat.pzxid = zxid;
      }
      addChild(p, name);
    });
    this.putNode(
      path,
      { data, acl: ref, stat: createStat(zxid, time, ephemeralOwner) },
      undefined,
      NO_CHILDREN,
    );
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
    const [parentPath, name] = splitPath(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) return TreeError.noNode;
    this.change(parentPath, parent, (p) => {
      p.children.delete(name);
      if (zxid > p.stat.pzxid) p.stat.pzxid = zxid;
    });
    const node = this.nodes.get(path);
    if (!node) return TreeError.noNode;
    this.nodes.delete(path);
    this.slabs.release(node, node.data);
    this.loadParent = undefined;
    this.moveDigest(-node.digest);
    this.acls.removeUsage(node.acl);
    this.untrack(path, node.stat.ephemeralOwner);
    if (parentPath.startsWith("/zookeeper") && name === LIMIT_NODE) {
      this.quotaRoots.delete(parentPath.substring(QUOTA_ROOT.length));
    }
    this.quotaChange(path, -(node.data?.length ?? 0), -1);
    return TreeError.ok;
  }

  /** Replaces a node's data (DataTree.setData): version is the txn's new version. */
  setData(
    path: string,
    data: Uint8Array | null,
    version: number,
    zxid: bigint,
    time: Time,
  ): number {
    const k = key(path);
    const node = this.nodes.get(k);
    if (!node) return TreeError.noNode;
    this.quotaChange(k, (data?.length ?? 0) - (node.data?.length ?? 0), 0);
    this.change(path, node, (n) => {
      this.replaceData(n, data);
      n.stat.mtime = time;
      n.stat.mzxid = zxid;
      n.stat.version = version;
    });
    return TreeError.ok;
  }

  /** Replaces a node's ACL (DataTree.setACL): version is the new aversion. */
  setACL(path: string, acl: readonly ACL[] | null, version: number): number {
    const k = key(path);
    const node = this.nodes.get(k);
    if (!node) return TreeError.noNode;
    this.acls.removeUsage(node.acl);
    this.change(path, node, (n) => {
      n.stat.aversion = version;
      n.acl = this.acls.convert(acl);
    });
    return TreeError.ok;
  }

  /** Raises a node's cversion and pzxid (DataTree.setCversionPzxid); -1 means +1. */
  setCversionPzxid(path: string, cversion: number, zxid: bigint): number {
    if (path.endsWith("/")) path = path.substring(0, path.length - 1);
    const node = this.nodes.get(path);
    if (!node) return TreeError.noNode;
    const cv = cversion === -1 ? node.stat.cversion + 1 : cversion;
    if (cv > node.stat.cversion) {
      this.change(path, node, (n) => {
        n.stat.cversion = cv;
        n.stat.pzxid = zxid;
      });
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
    const root = maxQuotaPrefix(this.quotaRoots, path);
    if (root === null) return;
    const node = this.nodes.get(statPath(root));
    if (!node) return;
    const stats = parseStats(node.data);
    stats.set("count", (stats.get("count") ?? -1n) + BigInt(count));
    stats.set("bytes", (stats.get("bytes") ?? -1n) + BigInt(bytes));
    // Below /zookeeper/ the digest is 0, and ZooKeeper changes no stat here.
    this.replaceData(node, formatStats(stats));
  }

  /** Recounts nodes and bytes under a quota root into its stats node (updateQuotaForPath). */
  private recountQuota(root: string): void {
    let count = 0n;
    let bytes = 0n;
    const stack = [root];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.nodes.get(p);
      if (!n) continue;
      count++;
      bytes += BigInt(n.data?.length ?? 0);
      for (const c of n.children) stack.push(`${p}/${c}`);
    }
    const stat = this.nodes.get(statPath(root));
    if (!stat) return;
    this.replaceData(stat, formatStats(new Map([["count", count], ["bytes", bytes]])));
  }

  /**
   * Rebuilds quota roots and recounts their stats after loading a snapshot
   * (DataTree.setupQuota): every leaf zookeeper_limits under /zookeeper/quota.
   */
  setupQuota(): void {
    if (!this.nodes.has(QUOTA_ROOT)) return;
    const stack = [QUOTA_ROOT];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.nodes.get(p);
      if (!n) continue;
      if (n.children.size === 0) {
        const tail = `/${LIMIT_NODE}`;
        if (p.endsWith(tail)) {
          const root = p.substring(QUOTA_ROOT.length, p.indexOf(tail));
          this.recountQuota(root);
          this.quotaRoots.add(root);
        }
        continue;
      }
      for (const c of n.children) stack.push(`${p}/${c}`);
    }
  }

  /** Children names of a node (a live view; do not modify). */
  children(path: string): ReadonlySet<string> | undefined {
    return this.nodes.get(key(path))?.children;
  }

  /**
   * Walks the tree depth first from the root, parents before children, the way
   * ZooKeeper serializes it (root path "", children in set order).
   */
  *walk(): Generator<[string, DataNode]> {
    const root = this.nodes.get("");
    if (!root) return;
    yield ["", root];
    // A stack of child iterators rather than of copied child lists: no array
    // per node. A Set iterator skips children deleted meanwhile and visits
    // ones added, as the snapshot of a changing tree may.
    const paths: string[] = [""];
    const its: Iterator<string>[] = [root.children.values()];
    while (its.length > 0) {
      const top = its.length - 1;
      const next = its[top].next();
      if (next.done) {
        its.pop();
        paths.pop();
        continue;
      }
      const path = `${paths[top]}/${next.value}`;
      const node = this.nodes.get(path);
      if (!node) continue;
      yield [path, node];
      paths.push(path);
      its.push(node.children.values());
    }
  }

  /** Recomputes the digest from scratch (to check the incremental one). */
  computeDigest(): bigint {
    let d = 0n;
    for (const [k, n] of this.nodes) d = addDigest(d, nodeDigest(k, n.data, n.stat));
    return d;
  }
}
