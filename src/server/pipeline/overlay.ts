// The outstanding-changes overlay (3.8's PrepRequestProcessor outstandingChanges
// of ChangeRecords): for every path a prepared but not yet committed txn
// touches, the node as the latest such txn leaves it — or its absence — with
// the zxid of that txn. Prep reads the overlay first, then the committed tree,
// so back-to-back writes get the right versions and errors before either is
// applied. It also carries the tree digest as it will be after the last
// outstanding txn (3.8's precalculated digest), which the log records with
// each txn before the tree has it. Pure: no I/O, no clock.
//
// Seam: prep records every txn it hands on (record), commit drops what it has
// applied (committed), and a role that ends with txns it never committed drops
// the rest (clear). A follower never records: it logs the leader's txns as sent.
import type { StatPersisted } from "../../jute/data.ts";
import type { TxnHeader } from "../../jute/txn.ts";
import type { Txn } from "../../jute/txn_body.ts";
import { OpCode } from "../../jute/constants.ts";
import { type DigestHints, nodeDigest, sameBytes, sameStat } from "../../data/digest.ts";
import { CONTAINER_OWNER, ttlOwner } from "../../data/node_kind.ts";
import { createStat } from "../../data/node_view.ts";
import type { DataTree } from "../../data/tree.ts";
import type { DataNode } from "../../data/node_view.ts";
import type { AclEntry } from "../acl.ts";
import type { NodeView, TreeView } from "../prep.ts";

/** A node as prep and the digest see it: NodeView's fields plus its whole stat and data. */
export interface NodeState extends NodeView {
  stat: StatPersisted;
  data: Uint8Array | null;
  /** Its digest (nodeDigest of path, data, stat). */
  digest: number;
}

/** 3.8's ChangeRecord: the node at `path` as txn `zxid` leaves it (null: gone). */
export interface ChangeRecord {
  zxid: bigint;
  path: string;
  node: NodeState | null;
  /** Its txn is in the tree (a flag: cheaper than comparing bigint zxids on every read). */
  applied: boolean;
}

/** Where the committed state comes from: the tree, plus a session's ephemerals in 3.8's order. */
export interface CommittedTree {
  node(path: string): NodeState | undefined;
  ephemerals(sessionId: bigint): string[];
  /** The tree digest as committed. */
  digest(): bigint;
}

/** A node state from its parts (the NodeView fields mirror the stat). */
function nodeState(
  path: string,
  stat: StatPersisted,
  data: Uint8Array | null,
  acl: AclEntry[],
  numChildren: number,
): NodeState {
  return {
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    acl,
    numChildren,
    stat,
    data,
    digest: nodeDigest(path, data, stat),
  };
}

/** A committed node as prep sees it; ACL, data and digest are read only when asked for. */
class TreeNode implements NodeState {
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly numChildren: number;
  /** A copy (DataNode.stat is one): later changes to the tree do not show here. */
  readonly stat: StatPersisted;
  constructor(private readonly tree: DataTree, private readonly n: DataNode) {
    const c = n.stat;
    this.stat = c;
    this.version = c.version;
    this.cversion = c.cversion;
    this.aversion = c.aversion;
    this.ephemeralOwner = c.ephemeralOwner;
    this.numChildren = n.numChildren;
  }
  get acl(): AclEntry[] {
    return this.tree.aclOf(this.n);
  }
  get data(): Uint8Array | null {
    return this.n.data;
  }
  get digest(): number {
    return this.n.digest;
  }
}

/** The committed view of a DataTree; ephemerals come in the order `ephemerals` gives. */
export function committedTree(
  tree: DataTree,
  ephemerals: (sessionId: bigint) => string[],
): CommittedTree {
  // Prep reads a node, then records the txn it built from that node: the
  // last two reads are kept while the tree has not changed since.
  let changes = -1;
  let path0: string | null = null, node0: TreeNode | undefined;
  let path1: string | null = null, node1: TreeNode | undefined;
  return {
    node(path) {
      if (changes === tree.changes) {
        if (path === path0) return node0;
        if (path === path1) return node1;
      } else {
        changes = tree.changes;
        path0 = path1 = null;
      }
      const n = tree.get(path);
      const node = n ? new TreeNode(tree, n) : undefined;
      path1 = path0;
      node1 = node0;
      path0 = path;
      node0 = node;
      return node;
    },
    ephemerals,
    digest: () => tree.digest,
  };
}

/** Records digestOf looks at from the oldest outstanding (a txn changes a few nodes). */
const HINT_SCAN = 16;

/** Entries the path map keeps applied records up to (see committed). */
const STALE_KEPT = 64;

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The outstanding changes of one server, over its committed tree. */
export class Outstanding implements TreeView, DigestHints {
  /** The latest record per path; an applied one may stay (stale: flagged applied, no node). */
  private readonly latest = new Map<string, ChangeRecord>();
  /** Every record in zxid order (3.8's outstandingChanges list). */
  private readonly records: (ChangeRecord | null)[] = [];
  private head = 0;
  /** The digest after the last recorded txn; null when nothing is outstanding. */
  private after: bigint | null = null;

  constructor(private readonly base: CommittedTree) {}

  /** The node as the last outstanding txn leaves it, else as committed. */
  node(path: string): NodeState | undefined {
    const p = path === "" ? "/" : path;
    const r = this.live(p);
    if (r) return r.node ?? undefined;
    return this.base.node(p);
  }

  /** The latest record at `path` if its txn is not yet applied. */
  private live(path: string): ChangeRecord | undefined {
    const r = this.latest.get(path);
    return r && !r.applied ? r : undefined;
  }

  /**
   * A session's ephemerals: the committed ones less those an outstanding txn
   * deletes, then those an outstanding txn creates (3.8's closeSession prep).
   */
  ephemerals(sessionId: bigint): string[] {
    const out = this.base.ephemerals(sessionId);
    if (this.size === 0) return out;
    const kept = out.filter((p) => {
      const r = this.live(p);
      return !r || r.node !== null;
    });
    for (const [p, r] of this.latest) {
      if (r.applied) continue;
      if (r.node && r.node.ephemeralOwner === sessionId && !kept.includes(p)) kept.push(p);
    }
    return kept;
  }

  /** Outstanding change records (3.8's outstanding_changes_queued). */
  get size(): number {
    return this.records.length - this.head;
  }

  /** The tree digest as it will be once every recorded txn is applied. */
  digest(): bigint {
    return this.after ?? this.base.digest();
  }

  /**
   * Records what a prepared txn (with its zxid and time) will change; returns
   * the tree digest after it. An error txn or a failed multi changes nothing.
   */
  record(header: TxnHeader, txn: Txn): bigint {
    const delta = this.effects(header, txn, true);
    const before = this.digest();
    if (delta !== 0) this.after = BigInt.asIntN(64, before + BigInt(delta));
    return this.digest();
  }

  /** Drops the records of every txn up to `zxid` (it is applied to the tree). */
  committed(zxid: bigint): void {
    const records = this.records;
    const latest = this.latest;
    while (this.head < records.length && records[this.head]!.zxid <= zxid) {
      const r = records[this.head]!;
      // Let go of it now: under steady load the list never empties, and a
      // record kept until a compaction outlives the young generation.
      records[this.head++] = null;
      r.applied = true;
      if (latest.get(r.path) !== r) continue;
      // A small map keeps the applied record as a stale entry (live() skips
      // it by zxid), without its node: deleting and re-adding the same few
      // paths on every txn made the table shrink and regrow, garbage that
      // outlived the young generation. A large one (new paths: creates) just
      // lets it go.
      if (latest.size > STALE_KEPT) latest.delete(r.path);
      else r.node = null;
    }
    if (this.head === records.length) {
      records.length = 0;
      this.head = 0;
      this.after = null;
    } else if (this.head > 256 && this.head * 2 > records.length) {
      records.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * The digest a record computed for a node with this path, data and stat
   * (the commit stage hands the overlay to applyTxn as its hints): the txn
   * being applied is the oldest outstanding, so its records are the first few.
   */
  digestOf(path: string, data: Uint8Array | null, stat: StatPersisted): number | undefined {
    const records = this.records;
    const end = Math.min(records.length, this.head + HINT_SCAN);
    for (let i = this.head; i < end; i++) {
      const n = records[i]!.node;
      if (n === null) continue;
      const p = records[i]!.path;
      if (p !== path && !(p === "/" && path === "")) continue;
      if (sameStat(n.stat, stat) && sameBytes(n.data, data)) return n.digest;
    }
    return undefined;
  }

  /** Forgets every outstanding change (a role ends with txns it never committed). */
  clear(): void {
    this.latest.clear();
    this.records.length = 0;
    this.head = 0;
    this.after = null;
  }

  /** Records `node` (null: gone) at `path`, which was `was`; returns the digest change. */
  private put(
    zxid: bigint,
    path: string,
    was: NodeState | undefined,
    node: NodeState | null,
  ): number {
    const before = was?.digest ?? 0;
    const r: ChangeRecord = { zxid, path, node, applied: false };
    this.latest.set(path, r);
    this.records.push(r);
    return (node?.digest ?? 0) - before;
  }

  /** Records a txn's changes; returns the digest change (a plain sum of node digests). */
  private effects(h: TxnHeader, t: Txn, top: boolean): number {
    const zxid = h.zxid;
    switch (t.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer: {
        const r = t.record;
        const pp = parentOf(r.path);
        const parent = this.node(pp);
        if (!parent || this.node(r.path)) return 0;
        const owner = t.type === OpCode.createContainer
          ? CONTAINER_OWNER
          : t.type === OpCode.createTTL
          ? ttlOwner(t.record.ttl)
          : t.record.ephemeral
          ? h.clientId
          : 0n;
        let d = 0;
        // DataTree.createNode: cversion and pzxid move only forward.
        const pstat = r.parentCVersion > parent.cversion
          ? { ...parent.stat, cversion: r.parentCVersion, pzxid: zxid }
          : parent.stat;
        d += this.put(
          zxid,
          pp,
          parent,
          nodeState(pp, pstat, parent.data, parent.acl, parent.numChildren + 1),
        );
        const stat = createStat(zxid, h.time, owner);
        d += this.put(zxid, r.path, undefined, nodeState(r.path, stat, r.data, r.acl ?? [], 0));
        return d;
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        return this.remove(zxid, t.record.path);
      case OpCode.setData:
      case OpCode.reconfig: {
        const r = t.record;
        const n = this.node(r.path);
        if (!n) return 0;
        const stat = { ...n.stat, version: r.version, mzxid: zxid, mtime: h.time };
        return this.put(zxid, r.path, n, nodeState(r.path, stat, r.data, n.acl, n.numChildren));
      }
      case OpCode.setACL: {
        const r = t.record;
        const n = this.node(r.path);
        if (!n) return 0;
        const stat = { ...n.stat, aversion: r.version };
        return this.put(
          zxid,
          r.path,
          n,
          nodeState(r.path, stat, n.data, r.acl ?? [], n.numChildren),
        );
      }
      case OpCode.closeSession: {
        let d = 0;
        for (const p of t.record?.paths2Delete ?? []) d += this.remove(zxid, p);
        return d;
      }
      case OpCode.multi: {
        // A failed multi is all error txns once applied: it changes nothing.
        if (!top || (t.subs ?? []).some((s) => s.type === OpCode.error)) return 0;
        let d = 0;
        for (const s of t.subs ?? []) d += this.effects(h, s, false);
        return d;
      }
      default:
        // error, check, createSession: no change to the tree.
        return 0;
    }
  }

  /** A delete: the node goes, its parent loses a child and its pzxid moves forward. */
  private remove(zxid: bigint, path: string): number {
    const pp = parentOf(path);
    const parent = this.node(pp);
    if (!parent) return 0;
    const node = this.node(path);
    // DataTree.deleteNode moves the parent's pzxid even when the child is gone.
    const pstat = zxid > parent.stat.pzxid ? { ...parent.stat, pzxid: zxid } : parent.stat;
    if (!node && pstat === parent.stat) return 0;
    const kids = node ? parent.numChildren - 1 : parent.numChildren;
    const d = this.put(zxid, pp, parent, nodeState(pp, pstat, parent.data, parent.acl, kids));
    return node ? d + this.put(zxid, path, node, null) : d;
  }
}
