// A znode as the rest of zkt reads it: a view over a row of the node store
// (live or frozen), stat records to and from a row, and the TreeImage a
// snapshot is written from.
import type { ACL, StatPersisted } from "../jute/data.ts";
import type { NodeReader, NodeStore } from "./node_store.ts";

/**
 * One znode as read from the tree: a view over its columns (node_store.ts),
 * valid until the tree next changes. `acl` is a reference into the ACL cache;
 * `stat` is a fresh copy on each read.
 */
export interface DataNode {
  readonly data: Uint8Array | null;
  readonly acl: bigint;
  readonly stat: StatPersisted;
  readonly numChildren: number;
  /** The children's names (a fresh set on each read). */
  readonly children: ReadonlySet<string>;
  /** This node's digest contribution, kept current by the tree. */
  readonly digest: number;
}

/** A znode time (ms since the epoch). */
export type Time = StatPersisted["ctime"];

/** A DataNode over a row of a NodeReader (the live store or a frozen copy). */
export class NodeView implements DataNode {
  constructor(private readonly r: NodeReader, private readonly id: number) {}
  get data(): Uint8Array | null {
    return this.r.data(this.id);
  }
  get acl(): bigint {
    return this.r.cols.acl[this.id];
  }
  get stat(): StatPersisted {
    return statOf(this.r, this.id);
  }
  get numChildren(): number {
    return this.r.cols.kids[this.id];
  }
  get children(): ReadonlySet<string> {
    return new Set(this.r.childNames(this.id));
  }
  get digest(): number {
    return this.r.cols.digest[this.id];
  }
}

/** A row's stat as a record. */
export function statOf(r: NodeReader, id: number): StatPersisted {
  const c = r.cols;
  return {
    czxid: c.czxid[id],
    mzxid: c.mzxid[id],
    ctime: c.ctime[id],
    mtime: c.mtime[id],
    version: c.version[id],
    cversion: c.cversion[id],
    aversion: c.aversion[id],
    ephemeralOwner: c.owner[id],
    pzxid: c.pzxid[id],
  };
}

/** Writes a stat record into a row. */
export function putStat(s: NodeStore, id: number, st: StatPersisted): void {
  const c = s.cols;
  c.czxid[id] = st.czxid;
  c.mzxid[id] = st.mzxid;
  c.ctime[id] = st.ctime;
  c.mtime[id] = st.mtime;
  c.version[id] = st.version;
  c.cversion[id] = st.cversion;
  c.aversion[id] = st.aversion;
  c.owner[id] = st.ephemeralOwner;
  c.pzxid[id] = st.pzxid;
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

export function zeroStat(): StatPersisted {
  return createStat(0n, 0 as unknown as Time, 0n);
}

/**
 * What a snapshot is written from: the live tree, or a frozen image of it
 * taken at one zxid while the tree goes on changing.
 */
export interface TreeImage {
  readonly sessions: ReadonlyMap<bigint, number>;
  readonly lastProcessedZxid: bigint;
  /** The tree digest at lastProcessedZxid. */
  readonly digest: bigint;
  readonly size: number;
  /** The ACL cache's entries (ref → list). */
  aclEntries(): Iterable<[bigint, ACL[]]>;
  /** Every node depth first, parents before children (root path ""). */
  walk(): Generator<[string, DataNode]>;
  /** Frees a frozen image's memory once written (a no-op on the live tree). */
  release(): void;
}

/** Walks a reader's rows as DataNode views. */
export function* walkViews(r: NodeReader, root: number): Generator<[string, DataNode]> {
  for (const [path, id] of r.walk(root)) yield [path, new NodeView(r, id)];
}
