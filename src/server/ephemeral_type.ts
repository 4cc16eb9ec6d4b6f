// EphemeralType: what a znode's ephemeralOwner field encodes (3.8 facts).
import { CONTAINER_EPHEMERAL_OWNER } from "./session_id.ts";

/** What an ephemeralOwner value means. */
export type EphemeralKind = "void" | "normal" | "container" | "ttl";

const EXTENDED_MASK = BigInt.asIntN(64, 0xff00000000000000n);
const RESERVED_MASK = 0x00ffff0000000000n;
/** Largest TTL in ms a TTL node can carry. */
export const MAX_TTL = 0x000000ffffffffffn;

/** EphemeralType.get: TTL owners are recognised only with extendedTypesEnabled. */
export function ephemeralKind(owner: bigint, extendedTypes: boolean): EphemeralKind {
  if (extendedTypes && (owner & EXTENDED_MASK) === EXTENDED_MASK) return "ttl";
  if (owner === CONTAINER_EPHEMERAL_OWNER) return "container";
  return owner === 0n ? "void" : "normal";
}

/** The ephemeralOwner of a TTL node; null when the ttl is out of range. */
export function ttlOwner(ttl: bigint): bigint | null {
  if (ttl <= 0n || ttl > MAX_TTL) return null;
  return BigInt.asIntN(64, EXTENDED_MASK | ttl);
}

/** The TTL (ms) a TTL node's owner carries. */
export function ttlOf(owner: bigint): bigint {
  return owner & ~(EXTENDED_MASK | RESERVED_MASK) & 0xffffffffffffffffn;
}
