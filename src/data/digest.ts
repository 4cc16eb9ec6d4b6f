// The DataTree digest ZooKeeper 3.6+ keeps (DigestCalculator, digest version 2):
// each node hashes to CRC-32(path ‖ data ‖ 60 bytes of stat), and the tree digest
// is the 64-bit wrapping sum of the node hashes. Nodes under /zookeeper/ count 0,
// and the root hashes under the path "".
import type { StatPersisted } from "../jute/data.ts";
import { Crc32 } from "./crc32.ts";

/** The digest version ZooKeeper 3.8 writes. */
export const DIGEST_VERSION = 2;

const utf8 = new TextEncoder();
const statBytes = new Uint8Array(60);
const statView = new DataView(statBytes.buffer);
// Scratch for an ASCII path's bytes (grown on demand): no allocation per node.
let pathBytes = new Uint8Array(256);

function long(off: number, v: bigint): void {
  statView.setBigInt64(off, v);
}

/** A safe-integer long (a time) written as two 32-bit halves, with no bigint. */
function longNumber(off: number, v: number): void {
  if (!Number.isSafeInteger(v)) return long(off, BigInt(v));
  const hi = Math.floor(v / 0x100000000);
  statView.setInt32(off, hi);
  statView.setUint32(off + 4, v - hi * 0x100000000);
}

/** The UTF-8 bytes of a path: an ASCII path goes into a scratch buffer (valid until the next call). */
function encodePath(path: string): Uint8Array {
  const n = path.length;
  if (n > pathBytes.length) pathBytes = new Uint8Array(Math.max(n, pathBytes.length * 2));
  const out = pathBytes;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x80) return utf8.encode(path);
    out[i] = c;
  }
  return out.subarray(0, n);
}

/** The digest of one node (an unsigned 32-bit value; 0 under /zookeeper/). */
export function nodeDigest(path: string, data: Uint8Array | null, stat: StatPersisted): number {
  if (path.startsWith("/zookeeper/")) return 0;
  if (path === "/") path = "";
  long(0, stat.czxid);
  long(8, stat.mzxid);
  long(16, stat.pzxid);
  longNumber(24, stat.ctime);
  longNumber(32, stat.mtime);
  statView.setInt32(40, stat.version);
  statView.setInt32(44, stat.cversion);
  statView.setInt32(48, stat.aversion);
  long(52, stat.ephemeralOwner);
  const crc = new Crc32().update(encodePath(path));
  if (data) crc.update(data);
  return crc.update(statBytes).value();
}

/**
 * The digest of a node read from a snapshot, from the record's own bytes:
 * `path` is the decoded key ("" for the root), its bytes in the file are
 * bytes[pathStart, pathStart + pathLength), and its StatPersisted's 60 bytes
 * start at bytes[statStart]. Equal to nodeDigest(path, data, decoded stat).
 */
export function nodeDigestOfRecord(
  path: string,
  bytes: Uint8Array,
  pathStart: number,
  pathLength: number,
  data: Uint8Array | null,
  statStart: number,
): number {
  if (path.startsWith("/zookeeper/")) return 0;
  const crc = new Crc32();
  // Jute writes non-BMP characters as 3-byte surrogates; the digest hashes real
  // UTF-8. The file's bytes are the digest's only when the path is ASCII.
  if (pathLength === path.length) crc.updateRange(bytes, pathStart, pathStart + pathLength);
  else crc.update(utf8.encode(path));
  if (data) crc.update(data);
  // The file stores czxid mzxid ctime mtime version cversion aversion owner pzxid;
  // the digest hashes czxid mzxid pzxid ctime mtime version cversion aversion owner.
  const s = statStart;
  return crc.updateRange(bytes, s, s + 16).updateRange(bytes, s + 52, s + 60)
    .updateRange(bytes, s + 16, s + 52).value();
}

/**
 * Node digests already computed by whoever predicted a txn's effects (the
 * outstanding-changes overlay): the digest of a node with exactly this path,
 * data and stat, or undefined. Equal inputs give an equal CRC, so a hit is
 * the digest itself, not a guess.
 */
export interface DigestHints {
  digestOf(path: string, data: Uint8Array | null, stat: StatPersisted): number | undefined;
}

/** Whether two stats are equal field by field (all the digest hashes of one). */
export function sameStat(a: StatPersisted, b: StatPersisted): boolean {
  return a.mzxid === b.mzxid && a.version === b.version && a.mtime === b.mtime &&
    a.pzxid === b.pzxid && a.cversion === b.cversion && a.aversion === b.aversion &&
    a.czxid === b.czxid && a.ctime === b.ctime && a.ephemeralOwner === b.ephemeralOwner;
}

/** Whether two node data hash alike (null and empty are the same bytes to the CRC). */
export function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true;
  const n = a?.length ?? 0;
  if (n !== (b?.length ?? 0)) return false;
  for (let i = 0; i < n; i++) if (a![i] !== b![i]) return false;
  return true;
}

/** Adds a node digest to a tree digest, wrapping like a Java long. */
export function addDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree + BigInt(node));
}

/** Removes a node digest from a tree digest, wrapping like a Java long. */
export function subDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree - BigInt(node));
}
