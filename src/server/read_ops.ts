// The ops answered from the tree (exists, getData, getChildren, getACL, …,
// setWatches, multiRead): permission checks, watch registration and the reply
// body, as 3.8's FinalRequestProcessor answers them. Pure: no socket, no clock;
// watch events go out through the caller's deliver.
import type { DataTree } from "../data/tree.ts";
import { type WatchManager, WatchMode } from "../data/watch_manager.ts";
import { ErrorCode, Perms } from "../jute/constants.ts";
import type { Reader } from "../jute/reader.ts";
import { aclAllows, clientInfos } from "./acl.ts";
import type { ClientCnxn } from "./cnxn.ts";
import * as codec from "./codec.ts";
import type { JavaSetOrder } from "./java_set_order.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { Err, Op } from "./prep.ts";

/** A watch event bound for one connection. */
export interface Fire {
  watcher: ClientCnxn;
  type: number;
  path: string;
}

/** What a read needs from the server. */
export interface ReadContext {
  tree: DataTree;
  watches: WatchManager<ClientCnxn>;
  metrics: ServerMetrics;
  order: JavaSetOrder;
  /** Queues watch events, in order with the replies. */
  deliver(fires: Fire[]): void;
}

/** A read's outcome: an error code, and the reply body when it has one. */
export interface ReadResult {
  err: number;
  body: codec.Body | null;
}

/** Answers one read op of `cnxn` from its request body; DecodeError on a malformed one. */
export function readOp(s: ReadContext, cnxn: ClientCnxn, type: number, r: Reader): ReadResult {
  const tree = s.tree;
  const ok = (body: codec.Body | null) => ({ err: 0, body });
  const fail = (err: number) => ({ err, body: null });
  const readable = (path: string) => {
    const n = tree.get(path);
    return n && aclAllows(tree.aclOf(n), Perms.READ, cnxn.authInfo) ? n : n ? "noAuth" : undefined;
  };
  switch (type) {
    case Op.exists: {
      const { path, watch } = codec.readPathWatch(type, r);
      if (path.includes("\0")) return fail(Err.BadArguments);
      if (watch) s.watches.data.add(path, cnxn);
      if (!tree.get(path)) return fail(Err.NoNode);
      s.metrics.readStat(path, 0);
      return ok(codec.statBody(tree, path, Op.exists));
    }
    case Op.getData: {
      const { path, watch } = codec.readPathWatch(type, r);
      const n = readable(path);
      if (!n) return fail(Err.NoNode);
      if (n === "noAuth") return fail(Err.NoAuth);
      if (watch) s.watches.data.add(path, cnxn);
      s.metrics.readStat(path, n.data?.length ?? 0);
      return ok(codec.getDataBody(tree, path));
    }
    case Op.getChildren:
    case Op.getChildren2: {
      const { path, watch } = codec.readPathWatch(type, r);
      const n = readable(path);
      if (!n) return fail(Err.NoNode);
      if (n === "noAuth") return fail(Err.NoAuth);
      if (watch) s.watches.child.add(path, cnxn);
      const kids = s.order.childrenOf(tree, path);
      let bytes = 0;
      for (const k of kids) bytes += k.length;
      s.metrics.readStat(path, bytes);
      return ok(codec.childrenBody(tree, path, type === Op.getChildren2, kids));
    }
    case Op.getACL: {
      const path = codec.readPath(type, r);
      const n = tree.get(path);
      if (!n) return fail(Err.NoNode);
      const acl = tree.aclOf(n);
      if (!aclAllows(acl, Perms.READ | Perms.ADMIN, cnxn.authInfo)) return fail(Err.NoAuth);
      const admin = aclAllows(acl, Perms.ADMIN, cnxn.authInfo);
      // Without ADMIN, digest hashes are hidden (3.8: "user:x").
      const shown = admin
        ? acl
        : acl.map((a) =>
          a.id.scheme === "digest"
            ? { perms: a.perms, id: { scheme: "digest", id: a.id.id.replace(/:.*/s, ":x") } }
            : a
        );
      return ok(codec.getAclBody(tree, path, shown));
    }
    case Op.getAllChildrenNumber: {
      const path = codec.readPath(type, r);
      const n = readable(path);
      if (!n) return fail(Err.NoNode);
      if (n === "noAuth") return fail(Err.NoAuth);
      // DataTree counts node keys starting with path + "/": for "" that takes in
      // the "/" key the root is also filed under, one more than for "/".
      const extra = path === "" ? 1 : 0;
      return ok(codec.allChildrenBody(countDescendants(tree, path) + extra));
    }
    case Op.getEphemerals: {
      const prefix = codec.readPath(type, r);
      const all = s.order.ephemeralsOf(tree, cnxn.sessionId);
      const p = prefix.trim();
      const list = p === "" || p === "/" ? all : all.filter((x) => x.startsWith(prefix));
      return ok(codec.ephemeralsBody(list));
    }
    case Op.sync:
      return ok(codec.syncBody(codec.readPath(type, r)));
    case Op.setWatches:
    case Op.setWatches2: {
      const sw = codec.readSetWatchesReq(r, type === Op.setWatches2);
      setWatches(s, cnxn, sw);
      return ok(null);
    }
    case Op.addWatch: {
      const { path, mode } = codec.readAddWatch(r);
      if (mode !== WatchMode.Persistent && mode !== WatchMode.PersistentRecursive) {
        return fail(Err.MarshallingError);
      }
      s.watches.addPersistent(path, cnxn, mode);
      return ok(codec.errorBody(0));
    }
    case Op.checkWatches:
    case Op.removeWatches: {
      const { path, type: wt } = codec.readWatchTypePath(r, type === Op.removeWatches);
      const tables = wt === 1
        ? [s.watches.child]
        : wt === 2
        ? [s.watches.data]
        : wt === 3
        ? [s.watches.child, s.watches.data]
        : [];
      if (tables.length === 0) return fail(Err.MarshallingError);
      if (type === Op.checkWatches && !path.includes("/")) {
        // 3.8's containsWatcher walks the path with PathParentIterator, which
        // throws on a path without '/' (MarshallingError) and yields nothing
        // for "" (so no watch is ever found there).
        return fail(path === "" ? ErrorCode.NoWatcher : Err.MarshallingError);
      }
      let hit = false;
      for (const t of tables) {
        if (type === Op.checkWatches) hit = t.contains(path, cnxn) || hit;
        else hit = t.remove(path, cnxn) || hit;
      }
      return hit ? ok(null) : fail(ErrorCode.NoWatcher);
    }
    case Op.whoAmI:
      return ok(codec.whoAmIBody(clientInfos(cnxn.authInfo)));
    case Op.multiRead: {
      const ops = codec.readMultiReadOps(r);
      if (ops === "writes") {
        // 3.8 fails at the first op, after it has begun the (empty) MultiResponse,
        // and sends that along with MarshallingError.
        return { err: Err.MarshallingError, body: codec.multiReadBody(tree, [], () => []) };
      }
      const results = ops.map((op) => {
        const n = readable(op.path);
        if (!n) return { type: op.type, err: Err.NoNode, path: op.path };
        if (n === "noAuth") return { type: op.type, err: Err.NoAuth, path: op.path };
        if (op.watch) {
          (op.type === Op.getData ? s.watches.data : s.watches.child).add(op.path, cnxn);
        }
        return { type: op.type, err: 0, path: op.path };
      });
      return ok(codec.multiReadBody(tree, results, (p) => s.order.childrenOf(tree, p)));
    }
  }
  return fail(Err.Unimplemented);
}

/** Nodes below `path` (DataTree.getAllChildrenNumber). */
function countDescendants(tree: DataTree, path: string): number {
  let n = 0;
  const stack = [path === "/" ? "" : path];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const kids = tree.childNames(p === "" ? "/" : p);
    if (!kids) continue;
    for (const k of kids) {
      n++;
      stack.push(`${p}/${k}`);
    }
  }
  return n;
}

/** DataTree.setWatches: fire what changed since relativeZxid, register the rest. */
function setWatches(s: ReadContext, cnxn: ClientCnxn, sw: codec.SetWatchesReq): void {
  const tree = s.tree;
  const fires: Fire[] = [];
  for (const p of sw.dataWatches) {
    const n = tree.get(p);
    if (!n) fires.push({ watcher: cnxn, type: 2, path: p });
    else if (n.stat.mzxid > sw.relativeZxid) fires.push({ watcher: cnxn, type: 3, path: p });
    else s.watches.data.add(p, cnxn);
  }
  for (const p of sw.existWatches) {
    if (tree.get(p)) fires.push({ watcher: cnxn, type: 1, path: p });
    else s.watches.data.add(p, cnxn);
  }
  for (const p of sw.childWatches) {
    const n = tree.get(p);
    if (!n) fires.push({ watcher: cnxn, type: 2, path: p });
    else if (n.stat.pzxid > sw.relativeZxid) fires.push({ watcher: cnxn, type: 4, path: p });
    else s.watches.child.add(p, cnxn);
  }
  for (const p of sw.persistentWatches) s.watches.addPersistent(p, cnxn, WatchMode.Persistent);
  for (const p of sw.persistentRecursiveWatches) {
    s.watches.addPersistent(p, cnxn, WatchMode.PersistentRecursive);
  }
  s.deliver(fires);
}
