// A txn-log record's bytes: TxnHeader, the txn body (src/jute/txn_body.ts)
// and the optional TxnDigest after it, as FileTxnLog writes them.
import { FILE_MAX_LENGTH } from "./source.ts";
import { Reader } from "../jute/reader.ts";
import {
  readTxnDigest,
  readTxnHeader,
  type TxnDigest,
  type TxnHeader,
  writeTxnDigest,
  writeTxnHeader,
} from "../jute/txn.ts";
import { readTxnBody, type Txn, writeTxnBody } from "../jute/txn_body.ts";
import type { Writer } from "../jute/writer.ts";

/** Decodes a log record's bytes: TxnHeader, body, optional TxnDigest. */
export function decodeTxnEntry(
  bytes: Uint8Array,
): { header: TxnHeader; txn: Txn; digest: TxnDigest | null } {
  const r = new Reader(bytes, FILE_MAX_LENGTH);
  const header = readTxnHeader(r);
  const txn = readTxnBody(header.type, r);
  const digest = r.done ? null : readTxnDigest(r);
  if (!r.done) r.fail(`${r.remaining} unexpected bytes after the txn`);
  return { header, txn, digest };
}

/** Encodes a log record's bytes: TxnHeader, body, optional TxnDigest. */
export function encodeTxnEntry(
  w: Writer,
  header: TxnHeader,
  txn: Txn,
  digest: TxnDigest | null,
): void {
  writeTxnHeader(w, header);
  writeTxnBody(w, txn);
  if (digest) writeTxnDigest(w, digest);
}
