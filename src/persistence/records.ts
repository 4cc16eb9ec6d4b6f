// The one place persistence touches the jute records: txn bodies by op code
// (SerializeUtils.deserializeTxn), nested multi sub-txns decoded, and the
// optional TxnDigest after the body.
import { OpCode } from "../jute/constants.ts";
import {
  type ACL,
  readACL,
  readStatPersisted,
  writeACL,
  writeStatPersisted,
} from "../jute/data.ts";
import { readFileHeader, writeFileHeader } from "../jute/persistence.ts";
import { Reader } from "../jute/reader.ts";
import {
  readTxnDigest,
  readTxnHeader,
  type TxnDigest,
  type TxnHeader,
  writeTxnDigest,
  writeTxnHeader,
} from "../jute/txn.ts";
import { Writer } from "../jute/writer.ts";

export { readFileHeader, readStatPersisted, writeFileHeader, writeStatPersisted };
export const readAcl = readACL;
export const writeAcl = writeACL;

/**
 * A decoded txn: its op code, its jute record (null for a closeSession without
 * a body), and for a multi the decoded sub-txns.
 */
export interface Txn {
  type: number;
  record: unknown;
  subs?: Txn[];
}

interface BodyCodec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
}

// deno-lint-ignore no-explicit-any
type Rec = any;
const acls = (r: Reader) => r.vector(readACL);
const writeAcls = (w: Writer, a: ACL[] | null) => w.vector(a, writeACL);

const CREATE: BodyCodec = {
  read: (r) => ({
    path: r.string(),
    data: r.buffer(),
    acl: acls(r),
    ephemeral: r.boolean(),
    parentCVersion: r.int(),
  }),
  write: (w, v: Rec) => {
    w.ustring(v.path).buffer(v.data);
    writeAcls(w, v.acl);
    w.boolean(v.ephemeral).int(v.parentCVersion);
  },
};
const CREATE_CONTAINER: BodyCodec = {
  read: (r) => ({ path: r.string(), data: r.buffer(), acl: acls(r), parentCVersion: r.int() }),
  write: (w, v: Rec) => {
    w.ustring(v.path).buffer(v.data);
    writeAcls(w, v.acl);
    w.int(v.parentCVersion);
  },
};
const CREATE_TTL: BodyCodec = {
  read: (r) => ({
    path: r.string(),
    data: r.buffer(),
    acl: acls(r),
    parentCVersion: r.int(),
    ttl: r.long(),
  }),
  write: (w, v: Rec) => {
    w.ustring(v.path).buffer(v.data);
    writeAcls(w, v.acl);
    w.int(v.parentCVersion).long(v.ttl);
  },
};
const DELETE: BodyCodec = {
  read: (r) => ({ path: r.string() }),
  write: (w, v: Rec) => void w.ustring(v.path),
};
const SET_DATA: BodyCodec = {
  read: (r) => ({ path: r.string(), data: r.buffer(), version: r.int() }),
  write: (w, v: Rec) => void w.ustring(v.path).buffer(v.data).int(v.version),
};
const SET_ACL: BodyCodec = {
  read: (r) => ({ path: r.string(), acl: acls(r), version: r.int() }),
  write: (w, v: Rec) => {
    w.ustring(v.path);
    writeAcls(w, v.acl);
    w.int(v.version);
  },
};
const CHECK: BodyCodec = {
  read: (r) => ({ path: r.string(), version: r.int() }),
  write: (w, v: Rec) => void w.ustring(v.path).int(v.version),
};
const CREATE_SESSION: BodyCodec = {
  read: (r) => ({ timeOut: r.int() }),
  write: (w, v: Rec) => void w.int(v.timeOut),
};
const CLOSE_SESSION: BodyCodec = {
  read: (r) => ({ paths2Delete: r.vector((x) => x.string()) }),
  write: (w, v: Rec) => void w.vector(v.paths2Delete, (x, s: string) => x.ustring(s)),
};
const ERROR: BodyCodec = {
  read: (r) => ({ err: r.int() }),
  write: (w, v: Rec) => void w.int(v.err),
};
const MULTI: BodyCodec = {
  read: (r) => ({ txns: r.vector((x) => ({ type: x.int(), data: x.buffer() })) }),
  write: (w, v: Rec) => void w.vector(v.txns, (x, t: Rec) => x.int(t.type).buffer(t.data)),
};

const BODIES = new Map<number, BodyCodec>([
  [OpCode.create, CREATE],
  [OpCode.create2, CREATE],
  [OpCode.createContainer, CREATE_CONTAINER],
  [OpCode.createTTL, CREATE_TTL],
  [OpCode.delete, DELETE],
  [OpCode.deleteContainer, DELETE],
  [OpCode.setData, SET_DATA],
  [OpCode.reconfig, SET_DATA],
  [OpCode.setACL, SET_ACL],
  [OpCode.check, CHECK],
  [OpCode.createSession, CREATE_SESSION],
  [OpCode.closeSession, CLOSE_SESSION],
  [OpCode.error, ERROR],
  [OpCode.multi, MULTI],
]);

/** Decodes a txn body of a given type; a multi's sub-txns are decoded too. */
export function readTxnBody(type: number, r: Reader): Txn {
  const codec = BODIES.get(type);
  if (!codec) r.fail(`unsupported txn type ${type}`);
  // A closeSession written before 3.6 (or with closeSessionTxn disabled) has no body.
  if (type === OpCode.closeSession && r.done) return { type, record: null };
  const record = codec.read(r);
  if (type !== OpCode.multi) return { type, record };
  const subs = ((record as Rec).txns as { type: number; data: Uint8Array | null }[]).map((t) => {
    const sr = new Reader(t.data ?? new Uint8Array(0), r.maxLength);
    if (t.type === OpCode.multi || !BODIES.has(t.type)) {
      sr.fail(`invalid type of op in a multi: ${t.type}`);
    }
    return readTxnBody(t.type, sr);
  });
  return { type, record, subs };
}

/** Encodes a txn body; a multi built from subs gets its sub-txn buffers encoded. */
export function writeTxnBody(w: Writer, txn: Txn): void {
  const codec = BODIES.get(txn.type);
  if (!codec) throw new RangeError(`unsupported txn type ${txn.type}`);
  if (txn.type === OpCode.multi && txn.subs) {
    const txns = txn.subs.map((s) => {
      const sw = new Writer(256);
      writeTxnBody(sw, s);
      return { type: s.type, data: sw.toBytes() };
    });
    codec.write(w, { txns });
    return;
  }
  // A closeSession without a body (pre-3.6 logs) has a null record.
  if (txn.record === null) return;
  codec.write(w, txn.record);
}

/** Decodes a log record's bytes: TxnHeader, body, optional TxnDigest. */
export function decodeTxnEntry(
  bytes: Uint8Array,
): { header: TxnHeader; txn: Txn; digest: TxnDigest | null } {
  const r = new Reader(bytes);
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
