// applyTxn: the one state transition. Restore, the tools and the server
// apply every txn through it, exactly as ZooKeeper 3.8's
// DataTree.processTxn (plus FileTxnSnapLog's session bookkeeping) does, so trees
// and digests agree with Apache ZooKeeper's. Pure: the tree is the only state.
import type { ACL, StatPersisted } from "../jute/data.ts";
import type { CreateContainerTxn, TxnHeader } from "../jute/txn.ts";
import { OpCode } from "../jute/constants.ts";
import type { Txn } from "../jute/txn_body.ts";
import type { DigestHints } from "./digest.ts";
import { CONTAINER_OWNER, ttlOwner } from "./node_kind.ts";
import { type DataTree, splitPath, TreeError } from "./tree.ts";

/** A change watchers care about (the server maps these to WatchedEvents). */
export interface TreeEvent {
  type: "created" | "deleted" | "dataChanged" | "childrenChanged";
  path: string;
  /**
   * The ACL of the node at `path` when the change happened (before a delete):
   * only watchers with READ on it get the event (3.8 with the CVE-2024-23944
   * fix, as Debian ships it).
   */
  acl?: readonly ACL[];
}

/** What applying one txn did (ProcessTxnResult). err is a ZooKeeper error code, 0 = ok. */
export interface ApplyResult {
  type: number;
  zxid: bigint;
  err: number;
  path?: string;
  /** Sub-results of a multi, in order. */
  multi?: ApplyResult[];
  /** Paths removed by a closeSession. */
  deleted?: string[];
  /**
   * The node's stat right after this create (or, inside a multi, setData):
   * ProcessTxnResult.stat, which is what 3.8 answers.
   */
  statAt?: StatAt;
  events: TreeEvent[];
}

/** A node's stat fields at one moment. */
export interface StatAt {
  stat: StatPersisted;
  dataLength: number;
  numChildren: number;
}

function statAt(tree: DataTree, path: string): StatAt | undefined {
  const n = tree.get(path);
  if (!n) return undefined;
  return { stat: { ...n.stat }, dataLength: n.data?.length ?? 0, numChildren: n.numChildren };
}

// KeeperException codes used when ZooKeeper rewrites a failed multi's sub-txns.
const RUNTIME_INCONSISTENCY = -2;

function parentOf(path: string): string {
  const p = splitPath(path)[0];
  return p === "" ? "/" : p;
}

/**
 * Applies a committed txn to the tree and returns what changed. Errors a txn
 * records (or that a replay over a fuzzy snapshot meets) are results, not
 * exceptions, as in ZooKeeper.
 */
export function applyTxn(
  tree: DataTree,
  header: TxnHeader,
  txn: Txn,
  /** Node digests the caller computed already for this txn (the overlay's). */
  hints?: DigestHints,
): ApplyResult {
  if (!hints) return applyWhole(tree, header, txn);
  tree.digestHints = hints;
  try {
    return applyWhole(tree, header, txn);
  } finally {
    tree.digestHints = null;
  }
}

function applyWhole(tree: DataTree, header: TxnHeader, txn: Txn): ApplyResult {
  const events: TreeEvent[] = [];
  // FileTxnSnapLog.processTransaction keeps the session table beside the tree.
  if (txn.type === OpCode.createSession) {
    tree.sessions.set(header.clientId, txn.record.timeOut);
  } else if (txn.type === OpCode.closeSession) {
    tree.sessions.delete(header.clientId);
  }
  const rc = applyOne(tree, header, txn, events);
  // A create that meets an existing node during replay still moves the parent's
  // cversion/pzxid forward (DataTree.processTxn, the NODEEXISTS case).
  if (txn.type === OpCode.create && rc.err === TreeError.nodeExists && rc.path !== undefined) {
    const parent = splitPath(rc.path)[0];
    const err = tree.setCversionPzxid(parent, txn.record.parentCVersion, header.zxid);
    if (err !== TreeError.ok) rc.err = err;
  }
  if (header.zxid > tree.lastProcessedZxid) tree.lastProcessedZxid = header.zxid;
  // After the whole txn, as 3.8: the snapshot digest check or the digest log.
  tree.digestLog.txnApplied(header.zxid, () => tree.digest);
  rc.events = events;
  return rc;
}

function create(
  tree: DataTree,
  header: TxnHeader,
  r: CreateContainerTxn,
  owner: bigint,
  events: TreeEvent[],
  rc: ApplyResult,
): number {
  const err = tree.createNode(
    r.path,
    r.data,
    r.acl,
    owner,
    r.parentCVersion,
    header.zxid,
    header.time,
  );
  if (err === TreeError.ok) {
    // The stat as created: a quota stats node's data is rewritten right after,
    // without a stat change, and 3.8 answers with the length the client sent.
    const n = tree.get(r.path);
    if (n) rc.statAt = { stat: { ...n.stat }, dataLength: r.data?.length ?? 0, numChildren: 0 };
    const parent = parentOf(r.path);
    events.push({ type: "created", path: r.path, acl: aclAt(tree, r.path) }, {
      type: "childrenChanged",
      path: parent,
      acl: aclAt(tree, parent),
    });
  }
  return err;
}

function aclAt(tree: DataTree, path: string): readonly ACL[] | undefined {
  const n = tree.get(path);
  return n ? tree.aclOf(n) : undefined;
}

function deletedEvents(tree: DataTree, path: string, acl: readonly ACL[] | undefined): TreeEvent[] {
  const parent = parentOf(path);
  return [
    { type: "deleted", path, acl },
    { type: "childrenChanged", path: parent, acl: aclAt(tree, parent) },
  ];
}

function deleteWithEvents(tree: DataTree, path: string, zxid: bigint, events: TreeEvent[]): number {
  const acl = aclAt(tree, path);
  const err = tree.deleteNode(path, zxid);
  if (err === TreeError.ok) events.push(...deletedEvents(tree, path, acl));
  return err;
}

function applyOne(tree: DataTree, header: TxnHeader, txn: Txn, events: TreeEvent[]): ApplyResult {
  const rc: ApplyResult = { type: txn.type, zxid: header.zxid, err: 0, events };
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2: {
      const r = txn.record;
      rc.path = r.path;
      rc.err = create(tree, header, r, r.ephemeral ? header.clientId : 0n, events, rc);
      break;
    }
    case OpCode.createTTL:
      rc.path = txn.record.path;
      rc.err = create(tree, header, txn.record, ttlOwner(txn.record.ttl), events, rc);
      break;
    case OpCode.createContainer:
      rc.path = txn.record.path;
      rc.err = create(tree, header, txn.record, CONTAINER_OWNER, events, rc);
      break;
    case OpCode.delete:
    case OpCode.deleteContainer:
      rc.path = txn.record.path;
      rc.err = deleteWithEvents(tree, txn.record.path, header.zxid, events);
      break;
    case OpCode.setData:
    case OpCode.reconfig: {
      const r = txn.record;
      rc.path = r.path;
      rc.err = tree.setData(r.path, r.data, r.version, header.zxid, header.time);
      if (rc.err === TreeError.ok) {
        events.push({ type: "dataChanged", path: r.path, acl: aclAt(tree, r.path) });
      }
      break;
    }
    case OpCode.setACL:
      rc.path = txn.record.path;
      rc.err = tree.setACL(txn.record.path, txn.record.acl, txn.record.version);
      break;
    case OpCode.closeSession: {
      const paths = txn.record?.paths2Delete ?? null;
      const acls = new Map<string, readonly ACL[] | undefined>();
      for (const p of [...(paths ?? []), ...(tree.ephemerals.get(header.clientId) ?? [])]) {
        acls.set(p, aclAt(tree, p));
      }
      rc.deleted = tree.killSession(header.clientId, header.zxid, paths);
      for (const p of rc.deleted) events.push(...deletedEvents(tree, p, acls.get(p)));
      break;
    }
    case OpCode.error:
      rc.err = txn.record.err;
      break;
    case OpCode.check:
      rc.path = txn.record.path;
      break;
    case OpCode.multi: {
      const subs = txn.subs ?? [];
      const failed = subs.some((s) => s.type === OpCode.error);
      let postFailed = false;
      rc.multi = [];
      for (const s of subs) {
        if (s.type === OpCode.error) postFailed = true;
        // In a failed multi every sub-txn is an error: OK before the failing op,
        // RUNTIMEINCONSISTENCY after it (DataTree.processTxn).
        const sub: Txn = failed && s.type !== OpCode.error
          ? { type: OpCode.error, record: { err: postFailed ? RUNTIME_INCONSISTENCY : 0 } }
          : s;
        const subRc = applyOne(tree, header, sub, events);
        if (subRc.err === 0 && sub.type === OpCode.setData && subRc.path !== undefined) {
          subRc.statAt = statAt(tree, subRc.path);
        }
        rc.multi.push(subRc);
        if (subRc.err !== 0 && rc.err === 0) rc.err = subRc.err;
      }
      break;
    }
    default:
      // createSession and anything without a tree effect.
      break;
  }
  return rc;
}
