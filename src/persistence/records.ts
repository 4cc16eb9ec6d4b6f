// The txn bodies of zookeeper.jute's org.apache.zookeeper.txn module (CreateTxn,
// SetDataTxn, MultiTxn, ...), their one home: decoded by op code as
// SerializeUtils.deserializeTxn does, a multi's sub-txns decoded too, and the
// optional TxnDigest after the body. Framing records live in src/jute/.
import { OpCode } from "../jute/constants.ts";
import { type ACL, readACLs, writeACLs } from "../jute/data.ts";
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

/** create / create2 (CreateTxn). */
export interface CreateTxn {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  ephemeral: boolean;
  parentCVersion: number;
}

/** createContainer (CreateContainerTxn). */
export interface CreateContainerTxn {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  parentCVersion: number;
}

/** createTTL (CreateTTLTxn). */
export interface CreateTTLTxn extends CreateContainerTxn {
  ttl: bigint;
}

/** delete / deleteContainer (DeleteTxn). */
export interface DeleteTxn {
  path: string;
}

/** setData / reconfig (SetDataTxn): version is the node's new version. */
export interface SetDataTxn {
  path: string;
  data: Uint8Array | null;
  version: number;
}

/** check, inside a multi (CheckVersionTxn). */
export interface CheckVersionTxn {
  path: string;
  version: number;
}

/** setACL (SetACLTxn): version is the node's new aversion. */
export interface SetACLTxn {
  path: string;
  acl: ACL[] | null;
  version: number;
}

/** createSession (CreateSessionTxn). */
export interface CreateSessionTxn {
  timeOut: number;
}

/** closeSession (CloseSessionTxn, 3.6+): the ephemerals to delete. */
export interface CloseSessionTxn {
  paths2Delete: string[] | null;
}

/** error (ErrorTxn): a KeeperException code. */
export interface ErrorTxn {
  err: number;
}

/** One encoded sub-txn of a multi (Txn). */
export interface SubTxn {
  type: number;
  data: Uint8Array | null;
}

/** multi (MultiTxn). */
export interface MultiTxn {
  txns: SubTxn[] | null;
}

/** A decoded txn: its op code and body; a multi carries its decoded sub-txns. */
export type Txn =
  | { type: typeof OpCode.create | typeof OpCode.create2; record: CreateTxn; subs?: undefined }
  | { type: typeof OpCode.createContainer; record: CreateContainerTxn; subs?: undefined }
  | { type: typeof OpCode.createTTL; record: CreateTTLTxn; subs?: undefined }
  | {
    type: typeof OpCode.delete | typeof OpCode.deleteContainer;
    record: DeleteTxn;
    subs?: undefined;
  }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; record: SetDataTxn; subs?: undefined }
  | { type: typeof OpCode.setACL; record: SetACLTxn; subs?: undefined }
  | { type: typeof OpCode.check; record: CheckVersionTxn; subs?: undefined }
  | { type: typeof OpCode.createSession; record: CreateSessionTxn; subs?: undefined }
  /** record null: a closeSession written before 3.6, without a body. */
  | { type: typeof OpCode.closeSession; record: CloseSessionTxn | null; subs?: undefined }
  | { type: typeof OpCode.error; record: ErrorTxn; subs?: undefined }
  /** record may be null when building a multi from subs (encoded on write). */
  | { type: typeof OpCode.multi; record: MultiTxn | null; subs: Txn[] };

function readCreate(r: Reader): CreateTxn {
  const path = r.string();
  const data = r.buffer();
  const acl = readACLs(r);
  const ephemeral = r.boolean();
  // CreateTxnV0 (before 3.3) ends here; -1 makes the tree compute the parent's cversion.
  const parentCVersion = r.done ? -1 : r.int();
  return { path, data, acl, ephemeral, parentCVersion };
}

/** The sub-txn types a multi may hold (DataTree.processTxn). */
const MULTI_OPS = new Set<number>([
  OpCode.create,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.error,
  OpCode.check,
]);

function readCreateContainer(r: Reader): CreateContainerTxn {
  return { path: r.string(), data: r.buffer(), acl: readACLs(r), parentCVersion: r.int() };
}

function readCreateTTL(r: Reader): CreateTTLTxn {
  return {
    path: r.string(),
    data: r.buffer(),
    acl: readACLs(r),
    parentCVersion: r.int(),
    ttl: r.long(),
  };
}

function readSubTxns(r: Reader): SubTxn[] | null {
  return r.vector((x) => ({ type: x.int(), data: x.buffer() }));
}

/** Decodes a txn body of a given type; a multi's sub-txns are decoded too. */
export function readTxnBody(type: number, r: Reader): Txn {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
      return { type, record: readCreate(r) };
    case OpCode.createContainer:
      return { type, record: readCreateContainer(r) };
    case OpCode.createTTL:
      return { type, record: readCreateTTL(r) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, record: { path: r.string() } };
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, record: { path: r.string(), data: r.buffer(), version: r.int() } };
    case OpCode.setACL:
      return { type, record: { path: r.string(), acl: readACLs(r), version: r.int() } };
    case OpCode.check:
      return { type, record: { path: r.string(), version: r.int() } };
    case OpCode.createSession:
      return { type, record: { timeOut: r.int() } };
    case OpCode.closeSession:
      // Before 3.6 (or with closeSessionTxn disabled) a closeSession has no body.
      if (r.done) return { type, record: null };
      return { type, record: { paths2Delete: r.vector((x) => x.string()) } };
    case OpCode.error:
      return { type, record: { err: r.int() } };
    case OpCode.multi: {
      const record = { txns: readSubTxns(r) };
      const subs = (record.txns ?? []).map((t) => {
        const sr = new Reader(t.data ?? new Uint8Array(0), r.maxLength);
        if (!MULTI_OPS.has(t.type)) sr.fail(`invalid type of op in a multi: ${t.type}`);
        return readTxnBody(t.type, sr);
      });
      return { type, record, subs };
    }
    default:
      return r.fail(`unsupported txn type ${type}`);
  }
}

/** Encodes a txn body; a multi is encoded from its subs. */
export function writeTxnBody(w: Writer, txn: Txn): void {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2: {
      const v = txn.record;
      w.ustring(v.path).buffer(v.data);
      writeACLs(w, v.acl);
      w.boolean(v.ephemeral).int(v.parentCVersion);
      return;
    }
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const v = txn.record;
      w.ustring(v.path).buffer(v.data);
      writeACLs(w, v.acl);
      w.int(v.parentCVersion);
      if (txn.type === OpCode.createTTL) w.long(txn.record.ttl);
      return;
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      w.ustring(txn.record.path);
      return;
    case OpCode.setData:
    case OpCode.reconfig:
      w.ustring(txn.record.path).buffer(txn.record.data).int(txn.record.version);
      return;
    case OpCode.setACL:
      w.ustring(txn.record.path);
      writeACLs(w, txn.record.acl);
      w.int(txn.record.version);
      return;
    case OpCode.check:
      w.ustring(txn.record.path).int(txn.record.version);
      return;
    case OpCode.createSession:
      w.int(txn.record.timeOut);
      return;
    case OpCode.closeSession:
      if (txn.record !== null) w.vector(txn.record.paths2Delete, (x, s) => x.ustring(s));
      return;
    case OpCode.error:
      w.int(txn.record.err);
      return;
    case OpCode.multi: {
      const sw = new Writer(256);
      w.vector(txn.subs, (x, s) => {
        sw.reset();
        writeTxnBody(sw, s);
        x.int(s.type).buffer(sw.peek());
      });
      return;
    }
  }
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
