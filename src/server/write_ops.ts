// The write requests (create, delete, setData, setACL, multi, check, …) at the
// edges of the txn pipeline: decoding a request body into a prepared txn, and
// the reply a client gets once that txn is applied. Pure: no socket, no clock;
// zxids, applying and the log are the server's.
import type { ApplyResult } from "../data/apply.ts";
import type { DataTree } from "../data/tree.ts";
import type { Reader } from "../jute/reader.ts";
import * as codec from "./codec.ts";
import {
  Err,
  errorTxn,
  multiErrors,
  Op,
  type PreparedTxn,
  prepareMulti,
  prepareWrite,
  type PrepContext,
  type TreeView,
  txnError,
} from "./prep.ts";

/**
 * Decodes the body of write op `type` and prepares its txn (an error txn when
 * the request fails, as 3.8 logs one). Throws DecodeError on a malformed body.
 */
export function prepareRequest(
  view: TreeView,
  type: number,
  r: Reader,
  ctx: PrepContext,
  reconfigEnabled: boolean,
): PreparedTxn {
  if (type === Op.reconfig) {
    // Standalone: ReconfigDisabled unless reconfigEnabled, else not a leader (Unimplemented).
    return errorTxn(reconfigEnabled ? Err.Unimplemented : Err.ReconfigDisabled);
  }
  if (type === Op.multi) return prepareMulti(view, codec.readMultiOps(r), ctx);
  if (type === Op.deleteContainer) {
    return prepareWrite(
      view,
      { type: Op.deleteContainer, path: codec.rawPath(r), version: -1 },
      ctx,
    );
  }
  return prepareWrite(view, codec.readWriteRequest(type, r), ctx);
}

/**
 * A check outside a multi that passes: 3.8 logs a CheckVersionTxn its own
 * restore cannot read back (and then fails to answer). zkt answers it without
 * a txn so data dirs stay readable; a failing check logs an error txn (and
 * takes a zxid) exactly as 3.8 does.
 */
export function answeredWithoutTxn(type: number, t: PreparedTxn): boolean {
  return type === Op.check && t.type !== Op.error;
}

/** The error code and body 3.8 answers write op `type` with, once its txn is applied. */
export function writeReply(
  tree: DataTree,
  type: number,
  t: PreparedTxn,
  rc: ApplyResult,
): { err: number; body: codec.Body | null } {
  if (t.type === Op.error) return { err: txnError(t), body: null };
  if (t.type === Op.multi) {
    return { err: 0, body: codec.multiResponse(tree, t, multiErrors(t), rc.multi) };
  }
  if (rc.err !== 0) return { err: rc.err, body: null };
  return { err: 0, body: codec.writeResponse(tree, type, t, rc) };
}

/** The flags of a create/create2 request, or of a multi's create/create2 ops (what 3.8's upgrade check reads). */
export function requestCreateFlags(type: number, r: Reader): number[] {
  if (type === Op.multi) {
    const out: number[] = [];
    for (const op of codec.readMultiOps(r)) {
      if ((op.type === Op.create || op.type === Op.create2) && op.req && "flags" in op.req) {
        out.push(op.req.flags);
      }
    }
    return out;
  }
  const req = codec.readWriteRequest(type, r);
  return "flags" in req ? [req.flags] : [];
}
