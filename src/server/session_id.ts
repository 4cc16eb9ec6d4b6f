// Session ids and passwords built as ZooKeeper 3.8 builds them, so a session
// created here can be resumed on an Apache ZooKeeper peer of the same ensemble.
import { CONTAINER_OWNER } from "../data/node_kind.ts";

const MASK64 = (1n << 64n) - 1n;
/** ZooKeeperServer's superSecret, mixed into the password seed. */
const SUPER_SECRET = 0xb3415c00n;

/** The first session id of a server: time bits in the middle, the server id in the high byte. */
export function initialSessionId(serverId: number | bigint, nowMs: number): bigint {
  const shifted = ((BigInt(Math.floor(nowMs)) << 24n) & MASK64) >> 8n;
  let sid = BigInt.asIntN(64, shifted | ((BigInt(serverId) << 56n) & MASK64));
  if (sid === CONTAINER_OWNER) sid++; // Long.MIN_VALUE marks containers, never a session
  return sid;
}

const MULT = 0x5deece66dn;
const MASK48 = (1n << 48n) - 1n;

/** java.util.Random's nextBytes for a given seed (the LCG Java specifies). */
export function javaRandomBytes(seed: bigint, n: number): Uint8Array {
  let s = (BigInt.asUintN(64, seed) ^ MULT) & MASK48;
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    s = (s * MULT + 0xbn) & MASK48;
    let rnd = Number(BigInt.asIntN(32, s >> 16n));
    for (let k = Math.min(n - i, 4); k > 0; k--, rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}

/** The 16-byte password ZooKeeper hands out for a session id. */
export function sessionPassword(sessionId: bigint): Uint8Array {
  return javaRandomBytes(sessionId ^ SUPER_SECRET, 16);
}

/** Formats a session id as ZooKeeper logs it (0x + unsigned hex). */
export function hexId(id: bigint): string {
  return "0x" + BigInt.asUintN(64, id).toString(16);
}
