// Records of zookeeper.jute's module org.apache.zookeeper.data.
// Pattern for every record in src/jute/: an interface named as in
// zookeeper.jute, plus readX(r) and writeX(w, v) functions.
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** An identity: scheme (world, digest, ip, auth, super, ...) and id. */
export interface Id {
  scheme: string;
  id: string;
}

/** One ACL entry: permission bits for an identity. */
export interface ACL {
  perms: number;
  id: Id;
}

/** The on-disk stat of a znode (no dataLength/numChildren). */
export interface StatPersisted {
  czxid: bigint;
  mzxid: bigint;
  /** Creation time, ms since the epoch. */
  ctime: number;
  /** Last modification time, ms since the epoch. */
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  /** Owning session id when ephemeral (or TTL/container marker), else 0. */
  ephemeralOwner: bigint;
  pzxid: bigint;
}

/** The stat a client sees. */
export interface Stat extends StatPersisted {
  dataLength: number;
  numChildren: number;
}

/** One authenticated identity of a client (whoAmI). */
export interface ClientInfo {
  authScheme: string;
  user: string;
}

/**
 * Reads an Id. A null id (length -1) reads as "": kazoo writes every empty string
 * as null, e.g. the `auth` scheme's id, which ZooKeeper accepts and ignores.
 */
export function readId(r: Reader): Id {
  return { scheme: r.string(), id: r.ustring() ?? "" };
}

/** Writes an Id. */
export function writeId(w: Writer, v: Id): void {
  w.ustring(v.scheme).ustring(v.id);
}

/** Reads an ACL. */
export function readACL(r: Reader): ACL {
  const perms = r.int();
  return { perms, id: readId(r) };
}

/** Writes an ACL. */
export function writeACL(w: Writer, v: ACL): void {
  w.int(v.perms);
  writeId(w, v.id);
}

/** Reads a vector of ACLs (null for length -1). */
export function readACLs(r: Reader): ACL[] | null {
  return r.vector(readACL);
}

/** Writes a vector of ACLs. */
export function writeACLs(w: Writer, v: readonly ACL[] | null): void {
  w.vector(v, writeACL);
}

/** Reads a StatPersisted. */
export function readStatPersisted(r: Reader): StatPersisted {
  return {
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.longNumber(),
    mtime: r.longNumber(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    pzxid: r.long(),
  };
}

/** Writes a StatPersisted. */
export function writeStatPersisted(w: Writer, s: StatPersisted): void {
  w.long(s.czxid).long(s.mzxid).long(s.ctime).long(s.mtime)
    .int(s.version).int(s.cversion).int(s.aversion)
    .long(s.ephemeralOwner).long(s.pzxid);
}

/** Reads a Stat. */
export function readStat(r: Reader): Stat {
  return {
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.longNumber(),
    mtime: r.longNumber(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  };
}

/** Writes a Stat. */
export function writeStat(w: Writer, s: Stat): void {
  w.long(s.czxid).long(s.mzxid).long(s.ctime).long(s.mtime)
    .int(s.version).int(s.cversion).int(s.aversion)
    .long(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).long(s.pzxid);
}

/** Reads a ClientInfo. */
export function readClientInfo(r: Reader): ClientInfo {
  return { authScheme: r.string(), user: r.string() };
}

/** Writes a ClientInfo. */
export function writeClientInfo(w: Writer, v: ClientInfo): void {
  w.ustring(v.authScheme).ustring(v.user);
}
