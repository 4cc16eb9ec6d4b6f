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

function long(off: number, v: bigint | number): void {
  statView.setBigInt64(off, typeof v === "bigint" ? v : BigInt(v));
}

/** The digest of one node (an unsigned 32-bit value; 0 under /zookeeper/). */
export function nodeDigest(path: string, data: Uint8Array | null, stat: StatPersisted): number {
  if (path.startsWith("/zookeeper/")) return 0;
  if (path === "/") path = "";
  long(0, stat.czxid);
  long(8, stat.mzxid);
  long(16, stat.pzxid);
  long(24, stat.ctime);
  long(32, stat.mtime);
  statView.setInt32(40, stat.version);
  statView.setInt32(44, stat.cversion);
  statView.setInt32(48, stat.aversion);
  long(52, stat.ephemeralOwner);
  const crc = new Crc32().update(utf8.encode(path));
  if (data) crc.update(data);
  return crc.update(statBytes).value();
}

/** Adds a node digest to a tree digest, wrapping like a Java long. */
export function addDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree + BigInt(node));
}

/** Removes a node digest from a tree digest, wrapping like a Java long. */
export function subDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree - BigInt(node));
}
