// Records of zookeeper.jute's module org.apache.zookeeper.txn: the header and
// digest that frame every logged txn, and every txn body. Choosing a body by
// the header's op code (SerializeUtils.deserializeTxn) belongs to persistence;
// this file only knows each record's layout.
import { type ACL, readACLs, writeACLs } from "./data.ts";
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

/** create before 3.3 (CreateTxnV0): no parentCVersion. */
export interface CreateTxnV0 {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  ephemeral: boolean;
}

/** create / create2 (CreateTxn). */
export interface CreateTxn extends CreateTxnV0 {
  parentCVersion: number;
}

/** Reads a CreateTxnV0. */
export function readCreateTxnV0(r: Reader): CreateTxnV0 {
  return { path: r.string(), data: r.buffer(), acl: readACLs(r), ephemeral: r.boolean() };
}

/** Writes a CreateTxnV0. */
export function writeCreateTxnV0(w: Writer, v: CreateTxnV0): void {
  w.ustring(v.path).buffer(v.data);
  writeACLs(w, v.acl);
  w.boolean(v.ephemeral);
}

/** Reads a CreateTxn. */
export function readCreateTxn(r: Reader): CreateTxn {
  const v0 = readCreateTxnV0(r);
  return { ...v0, parentCVersion: r.int() };
}

/** Writes a CreateTxn. */
export function writeCreateTxn(w: Writer, v: CreateTxn): void {
  writeCreateTxnV0(w, v);
  w.int(v.parentCVersion);
}

/**
 * Reads a create body that may be a CreateTxnV0: when the body ends right after
 * `ephemeral`, parentCVersion is -1, which tells the tree to derive it
 * (ZooKeeper's fallback for `create` txns only, not create2).
 */
export function readCreateTxnOrV0(r: Reader): CreateTxn {
  const v0 = readCreateTxnV0(r);
  return { ...v0, parentCVersion: r.done ? -1 : r.int() };
}

/** createContainer (CreateContainerTxn). */
export interface CreateContainerTxn {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  parentCVersion: number;
}

/** Reads a CreateContainerTxn. */
export function readCreateContainerTxn(r: Reader): CreateContainerTxn {
  return { path: r.string(), data: r.buffer(), acl: readACLs(r), parentCVersion: r.int() };
}

/** Writes a CreateContainerTxn. */
export function writeCreateContainerTxn(w: Writer, v: CreateContainerTxn): void {
  w.ustring(v.path).buffer(v.data);
  writeACLs(w, v.acl);
  w.int(v.parentCVersion);
}

/** createTTL (CreateTTLTxn). */
export interface CreateTTLTxn extends CreateContainerTxn {
  ttl: bigint;
}

/** Reads a CreateTTLTxn. */
export function readCreateTTLTxn(r: Reader): CreateTTLTxn {
  const c = readCreateContainerTxn(r);
  return { ...c, ttl: r.long() };
}

/** Writes a CreateTTLTxn. */
export function writeCreateTTLTxn(w: Writer, v: CreateTTLTxn): void {
  writeCreateContainerTxn(w, v);
  w.long(v.ttl);
}

/** delete / deleteContainer (DeleteTxn). */
export interface DeleteTxn {
  path: string;
}

/** Reads a DeleteTxn. */
export function readDeleteTxn(r: Reader): DeleteTxn {
  return { path: r.string() };
}

/** Writes a DeleteTxn. */
export function writeDeleteTxn(w: Writer, v: DeleteTxn): void {
  w.ustring(v.path);
}

/** setData / reconfig (SetDataTxn): version is the node's new version. */
export interface SetDataTxn {
  path: string;
  data: Uint8Array | null;
  version: number;
}

/** Reads a SetDataTxn. */
export function readSetDataTxn(r: Reader): SetDataTxn {
  return { path: r.string(), data: r.buffer(), version: r.int() };
}

/** Writes a SetDataTxn. */
export function writeSetDataTxn(w: Writer, v: SetDataTxn): void {
  w.ustring(v.path).buffer(v.data).int(v.version);
}

/** check inside a multi (CheckVersionTxn). */
export interface CheckVersionTxn {
  path: string;
  version: number;
}

/** Reads a CheckVersionTxn. */
export function readCheckVersionTxn(r: Reader): CheckVersionTxn {
  return { path: r.string(), version: r.int() };
}

/** Writes a CheckVersionTxn. */
export function writeCheckVersionTxn(w: Writer, v: CheckVersionTxn): void {
  w.ustring(v.path).int(v.version);
}

/** setACL (SetACLTxn): version is the node's new aversion. */
export interface SetACLTxn {
  path: string;
  acl: ACL[] | null;
  version: number;
}

/** Reads a SetACLTxn. */
export function readSetACLTxn(r: Reader): SetACLTxn {
  return { path: r.string(), acl: readACLs(r), version: r.int() };
}

/** Writes a SetACLTxn. */
export function writeSetACLTxn(w: Writer, v: SetACLTxn): void {
  w.ustring(v.path);
  writeACLs(w, v.acl);
  w.int(v.version);
}

/** setMaxChildren (SetMaxChildrenTxn; no longer produced, still in the schema). */
export interface SetMaxChildrenTxn {
  path: string;
  max: number;
}

/** Reads a SetMaxChildrenTxn. */
export function readSetMaxChildrenTxn(r: Reader): SetMaxChildrenTxn {
  return { path: r.string(), max: r.int() };
}

/** Writes a SetMaxChildrenTxn. */
export function writeSetMaxChildrenTxn(w: Writer, v: SetMaxChildrenTxn): void {
  w.ustring(v.path).int(v.max);
}

/** createSession (CreateSessionTxn). */
export interface CreateSessionTxn {
  timeOut: number;
}

/** Reads a CreateSessionTxn. */
export function readCreateSessionTxn(r: Reader): CreateSessionTxn {
  return { timeOut: r.int() };
}

/** Writes a CreateSessionTxn. */
export function writeCreateSessionTxn(w: Writer, v: CreateSessionTxn): void {
  w.int(v.timeOut);
}

/** closeSession (CloseSessionTxn, 3.6+): the session's ephemerals to delete. */
export interface CloseSessionTxn {
  paths2Delete: string[] | null;
}

/** Reads a CloseSessionTxn. */
export function readCloseSessionTxn(r: Reader): CloseSessionTxn {
  return { paths2Delete: r.vector((x) => x.string()) };
}

/** Writes a CloseSessionTxn. */
export function writeCloseSessionTxn(w: Writer, v: CloseSessionTxn): void {
  w.vector(v.paths2Delete, (x, s) => x.ustring(s));
}

/** error (ErrorTxn): a KeeperException code. */
export interface ErrorTxn {
  err: number;
}

/** Reads an ErrorTxn. */
export function readErrorTxn(r: Reader): ErrorTxn {
  return { err: r.int() };
}

/** Writes an ErrorTxn. */
export function writeErrorTxn(w: Writer, v: ErrorTxn): void {
  w.int(v.err);
}

/** One sub-txn of a multi (jute's Txn): an op code and the encoded body. */
export interface Txn {
  type: number;
  data: Uint8Array | null;
}

/** Reads a Txn (a multi's sub-txn). */
export function readTxn(r: Reader): Txn {
  return { type: r.int(), data: r.buffer() };
}

/** Writes a Txn (a multi's sub-txn). */
export function writeTxn(w: Writer, v: Txn): void {
  w.int(v.type).buffer(v.data);
}

/** multi (MultiTxn). */
export interface MultiTxn {
  txns: Txn[] | null;
}

/** Reads a MultiTxn. */
export function readMultiTxn(r: Reader): MultiTxn {
  return { txns: r.vector(readTxn) };
}

/** Writes a MultiTxn. */
export function writeMultiTxn(w: Writer, v: MultiTxn): void {
  w.vector(v.txns, writeTxn);
}
