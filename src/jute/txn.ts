// Records of zookeeper.jute's module org.apache.zookeeper.txn that frame every
// txn. The txn bodies (CreateTxn, SetDataTxn, MultiTxn, ...) are decoded by op
// code in src/persistence/records.ts, their one home.
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** The header before every txn body. */
export interface TxnHeader {
  clientId: bigint;
  cxid: number;
  zxid: bigint;
  /** ms since the epoch. */
  time: number;
  /** Op code of the body. */
  type: number;
}

/** The tree digest written after a txn body (3.6+). */
export interface TxnDigest {
  version: number;
  treeDigest: bigint;
}

/** Reads a TxnHeader. */
export function readTxnHeader(r: Reader): TxnHeader {
  return { clientId: r.long(), cxid: r.int(), zxid: r.long(), time: r.longNumber(), type: r.int() };
}

/** Writes a TxnHeader. */
export function writeTxnHeader(w: Writer, h: TxnHeader): void {
  w.long(h.clientId).int(h.cxid).long(h.zxid).long(h.time).int(h.type);
}

/** Reads a TxnDigest. */
export function readTxnDigest(r: Reader): TxnDigest {
  return { version: r.int(), treeDigest: r.long() };
}

/** Writes a TxnDigest. */
export function writeTxnDigest(w: Writer, d: TxnDigest): void {
  w.int(d.version).long(d.treeDigest);
}
