// Request preparation (ZooKeeper's PrepRequestProcessor): validate a write,
// check ACLs against the tree as it will be after every earlier txn, and build
// the txn or the error txn — the same checks in the same order as 3.8, so the
// same mistake gets the same error code. Pure: the caller passes the tree view,
// the session state, the zxid and `now`.
import { ErrorCode, OpCode, Perms } from "../jute/constants.ts";
import { CONTAINER_OWNER, nodeKind, ttlOwner, validTtl } from "../data/node_kind.ts";
import { aclAllows, type AclEntry, type AuthId, fixupAcl } from "./acl.ts";
import { pathProblem } from "./path_utils.ts";
import type { Txn } from "../jute/txn_body.ts";

/** Error codes (KeeperException.Code) and op codes, as jute defines them. */
export const Err = ErrorCode;
export const Op = OpCode;

/** A prepared txn is the txn applyTxn and the log take (persistence's Txn). */
export type PreparedTxn = Txn;

/** What prep needs to know about one znode. */
export interface NodeView {
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  acl: AclEntry[];
  numChildren: number;
}

/** Read access to the tree (as it will be after every txn already prepared). */
export interface TreeView {
  node(path: string): NodeView | undefined;
  /** Ephemeral paths a session owns. */
  ephemerals(sessionId: bigint): string[];
}

/** Session and server facts prep consults. */
export interface PrepContext {
  sessionId: bigint;
  authInfo: readonly AuthId[];
  /** Err.Ok, Err.UnknownSession or Err.SessionExpired for the requesting session. */
  sessionState: number;
  /**
   * What an ephemeral create gets instead (3.8's checkGlobalSession, or the refused upgrade of
   * a local session); absent: sessionState.
   */
  globalSessionState?: number;
  extendedTypes: boolean;
}

/** A write request, decoded (field names as in zookeeper.jute). */
export type WriteRequest =
  | {
    type: 1 | 15 | 19;
    path: string;
    data: Uint8Array | null;
    acl: AclEntry[] | null;
    flags: number;
  }
  | {
    type: 21;
    path: string;
    data: Uint8Array | null;
    acl: AclEntry[] | null;
    flags: number;
    ttl: bigint;
  }
  | { type: 2 | 20; path: string; version: number }
  | { type: 5; path: string; data: Uint8Array | null; version: number }
  | { type: 7; path: string; acl: AclEntry[] | null; version: number }
  | { type: 13; path: string; version: number };

class Fail extends Error {
  constructor(readonly code: number) {
    super(`error ${code}`);
  }
}

/** The special paths delete refuses (DataTree.isSpecialPath). */
const SPECIAL = new Set(["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]);

function nodeOrFail(view: TreeView, path: string): NodeView {
  const n = view.node(path === "" ? "/" : path);
  if (!n) throw new Fail(Err.NoNode);
  return n;
}

function checkAcl(n: NodeView, perm: number, ctx: PrepContext): void {
  if (!aclAllows(n.acl, perm, ctx.authInfo)) throw new Fail(Err.NoAuth);
}

function validate(path: string): void {
  if (pathProblem(path) !== null) throw new Fail(Err.BadArguments);
}

function nextVersion(current: number, expected: number): number {
  if (expected !== -1 && expected !== current) throw new Fail(Err.BadVersion);
  return (current + 1) | 0;
}

function checkSession(ctx: PrepContext, ephemeral = false): void {
  const state = ephemeral ? ctx.globalSessionState ?? ctx.sessionState : ctx.sessionState;
  if (state !== Err.Ok) throw new Fail(state);
}

/** Create modes (CreateMode flags 0..6). */
const MODES: Record<
  number,
  { ephemeral: boolean; sequential: boolean; container: boolean; ttl: boolean }
> = {
  0: { ephemeral: false, sequential: false, container: false, ttl: false },
  1: { ephemeral: true, sequential: false, container: false, ttl: false },
  2: { ephemeral: false, sequential: true, container: false, ttl: false },
  3: { ephemeral: true, sequential: true, container: false, ttl: false },
  4: { ephemeral: false, sequential: false, container: true, ttl: false },
  5: { ephemeral: false, sequential: false, container: false, ttl: true },
  6: { ephemeral: false, sequential: true, container: false, ttl: true },
};

/** Java's String.format("%010d", n). */
export function sequenceSuffix(n: number): string {
  return n < 0 ? "-" + String(-n).padStart(9, "0") : String(n).padStart(10, "0");
}

function prepCreate(
  view: TreeView,
  req: Extract<WriteRequest, { type: 1 | 15 | 19 | 21 }>,
  ctx: PrepContext,
): PreparedTxn {
  const mode = MODES[req.flags];
  if (!mode) throw new Fail(Err.BadArguments);
  const ttl = req.type === 21 ? req.ttl : -1n;
  if (mode.ttl && !ctx.extendedTypes) throw new Fail(Err.Unimplemented);
  if (mode.ttl ? !validTtl(ttl) : ttl >= 0n) throw new Fail(Err.BadArguments);
  checkSession(ctx, mode.ephemeral);
  let path = req.path;
  const slash = path.lastIndexOf("/");
  if (slash === -1 || path.includes("\0")) throw new Fail(Err.BadArguments);
  const parentPath = path.slice(0, slash);
  const acl = fixupAcl(req.acl, ctx.authInfo);
  if (acl === null) throw new Fail(Err.InvalidACL);
  const parent = nodeOrFail(view, parentPath);
  checkAcl(parent, Perms.CREATE, ctx);
  if (mode.sequential) path += sequenceSuffix(parent.cversion);
  validate(path);
  if (view.node(path)) throw new Fail(Err.NodeExists);
  if (nodeKind(parent.ephemeralOwner, ctx.extendedTypes) === "ephemeral") {
    throw new Fail(Err.NoChildrenForEphemerals);
  }
  // createTTL with a non-TTL mode and a negative TTL passes all of 3.8's checks,
  // but its CreateTTLTxn throws while applied (the server dies, and again on
  // replay). zkt refuses it last, so every earlier error still matches 3.8's.
  if (req.type === Op.createTTL && !mode.ttl) throw new Fail(Err.BadArguments);
  const parentCVersion = (parent.cversion + 1) | 0;
  if (req.type === Op.createContainer) {
    return { type: req.type, record: { path, data: req.data, acl, parentCVersion } };
  }
  if (req.type === Op.createTTL) {
    return { type: req.type, record: { path, data: req.data, acl, parentCVersion, ttl } };
  }
  return {
    type: req.type,
    record: { path, data: req.data, acl, ephemeral: mode.ephemeral, parentCVersion },
  };
}

function prepOne(view: TreeView, req: WriteRequest, ctx: PrepContext): PreparedTxn {
  switch (req.type) {
    case 1:
    case 15:
    case 19:
    case 21:
      return prepCreate(view, req, ctx);
    case 2:
    case 20: {
      if (req.type === 2) checkSession(ctx);
      const path = req.path;
      const slash = path.lastIndexOf("/");
      if (slash === -1 || path.includes("\0") || SPECIAL.has(path)) {
        throw new Fail(Err.BadArguments);
      }
      const parent = nodeOrFail(view, path.slice(0, slash));
      if (req.type === 2) checkAcl(parent, Perms.DELETE, ctx);
      const node = nodeOrFail(view, path);
      if (req.type === 2) nextVersion(node.version, req.version);
      if (node.numChildren > 0) throw new Fail(Err.NotEmpty);
      if (req.type === 20 && nodeKind(node.ephemeralOwner, ctx.extendedTypes) === "ephemeral") {
        throw new Fail(Err.BadVersion);
      }
      return { type: req.type, record: { path } };
    }
    case 5: {
      checkSession(ctx);
      validate(req.path);
      const node = nodeOrFail(view, req.path);
      checkAcl(node, Perms.WRITE, ctx);
      const version = nextVersion(node.version, req.version);
      return { type: 5, record: { path: req.path, data: req.data, version } };
    }
    case 7: {
      checkSession(ctx);
      validate(req.path);
      const acl = fixupAcl(req.acl, ctx.authInfo);
      if (acl === null) throw new Fail(Err.InvalidACL);
      const node = nodeOrFail(view, req.path);
      checkAcl(node, Perms.ADMIN, ctx);
      const version = nextVersion(node.aversion, req.version);
      return { type: 7, record: { path: req.path, acl, version } };
    }
    case 13: {
      checkSession(ctx);
      validate(req.path);
      const node = nodeOrFail(view, req.path);
      checkAcl(node, Perms.READ, ctx);
      const version = nextVersion(node.version, req.version);
      return { type: 13, record: { path: req.path, version } };
    }
  }
}

/** Prepares one write; a failed check becomes an error txn, as in 3.8. */
export function prepareWrite(view: TreeView, req: WriteRequest, ctx: PrepContext): PreparedTxn {
  try {
    return prepOne(view, req, ctx);
  } catch (e) {
    if (e instanceof Fail) return errorTxn(e.code);
    throw e;
  }
}

/** A NodeView's fields copied, with some changed (no spread: a view may be a class with getters). */
function viewWith(n: NodeView, changes: Partial<NodeView>): NodeView {
  return {
    version: n.version,
    cversion: n.cversion,
    aversion: n.aversion,
    ephemeralOwner: n.ephemeralOwner,
    acl: n.acl,
    numChildren: n.numChildren,
    ...changes,
  };
}

/** Overlays a multi's earlier sub-txns on the server's view (tree + outstanding changes). */
class Overlay implements TreeView {
  private readonly changed = new Map<string, NodeView | null>();
  constructor(private readonly base: TreeView, private readonly sessionId: bigint) {}

  node(path: string): NodeView | undefined {
    const p = path === "" ? "/" : path;
    if (this.changed.has(p)) return this.changed.get(p) ?? undefined;
    return this.base.node(p);
  }

  ephemerals(sessionId: bigint): string[] {
    return this.base.ephemerals(sessionId);
  }

  private parentOf(path: string): string {
    const i = path.lastIndexOf("/");
    return i <= 0 ? "/" : path.slice(0, i);
  }

  /** Records the effect of a prepared sub-txn. */
  apply(t: PreparedTxn): void {
    switch (t.type) {
      case Op.create:
      case Op.create2:
      case Op.createContainer:
      case Op.createTTL: {
        const r = t.record;
        const owner = t.type === Op.createContainer
          ? CONTAINER_OWNER
          : t.type === Op.createTTL
          ? ttlOwner(t.record.ttl)
          : t.record.ephemeral
          ? this.sessionId
          : 0n;
        this.changed.set(r.path, {
          version: 0,
          cversion: 0,
          aversion: 0,
          ephemeralOwner: owner,
          acl: r.acl ?? [],
          numChildren: 0,
        });
        const pp = this.parentOf(r.path);
        const parent = this.node(pp)!;
        this.changed.set(
          pp,
          viewWith(parent, { cversion: r.parentCVersion, numChildren: parent.numChildren + 1 }),
        );
        break;
      }
      case Op.delete:
      case Op.deleteContainer: {
        this.changed.set(t.record.path, null);
        const pp = this.parentOf(t.record.path);
        const parent = this.node(pp)!;
        this.changed.set(pp, viewWith(parent, { numChildren: parent.numChildren - 1 }));
        break;
      }
      case Op.setData:
        this.changed.set(
          t.record.path,
          viewWith(this.node(t.record.path)!, { version: t.record.version }),
        );
        break;
      case Op.setACL:
        this.changed.set(
          t.record.path,
          viewWith(this.node(t.record.path)!, {
            aversion: t.record.version,
            acl: t.record.acl ?? [],
          }),
        );
        break;
    }
  }
}

/** A multi op as decoded: its op type and request (null for an op type multi refuses). */
export interface MultiOp {
  type: number;
  req: WriteRequest | null;
  /** 3.8 fails the whole multi (MarshallingError, no per-op results) when it reaches this op. */
  failsMulti?: boolean;
}

/**
 * Prepares a multi: sub-ops are checked against the tree plus the earlier
 * sub-ops; after the first failure the rest become RuntimeInconsistency errors
 * and the earlier ones stay as built (applyTxn turns them into error results).
 */
export function prepareMulti(view: TreeView, ops: MultiOp[], ctx: PrepContext): PreparedTxn {
  const overlay = new Overlay(view, ctx.sessionId);
  const txns: PreparedTxn[] = [];
  let failed = false;
  for (const op of ops) {
    if (failed) {
      txns.push(errorTxn(Err.RuntimeInconsistency));
      continue;
    }
    let t: PreparedTxn;
    if (op.failsMulti) return errorTxn(Err.MarshallingError);
    if (op.req === null) {
      // 3.8 hits an "Invalid type of op" IOException here; the client sees MarshallingError.
      t = errorTxn(Err.MarshallingError);
    } else {
      t = prepareWrite(overlay, op.req, ctx);
    }
    if (t.type === Op.error) failed = true;
    else overlay.apply(t);
    txns.push(t);
  }
  return { type: Op.multi, record: null, subs: txns };
}

/** The txn that closes a session: its ephemerals go with it. */
export function prepareCloseSession(view: TreeView, sessionId: bigint): PreparedTxn {
  return { type: Op.closeSession, record: { paths2Delete: view.ephemerals(sessionId) } };
}

/** An error txn (ErrorTxn) with a KeeperException code. */
export function errorTxn(err: number): PreparedTxn {
  return { type: Op.error, record: { err } };
}

/** The error code of an error txn, 0 for any other txn. */
export function txnError(t: PreparedTxn): number {
  return t.type === Op.error ? t.record.err : 0;
}

/** Per-op results of a multi as 3.8 reports them: ok before the failure, its code, then -2. */
export function multiErrors(t: PreparedTxn): number[] | null {
  if (t.type !== Op.multi) return null;
  const txns = t.subs;
  const failAt = txns.findIndex((x) => x.type === Op.error);
  if (failAt < 0) return null;
  return txns.map((x, i) =>
    i < failAt ? Err.Ok : i === failAt ? txnError(x) : Err.RuntimeInconsistency
  );
}
