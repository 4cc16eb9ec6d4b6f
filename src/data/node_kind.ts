// What kind of znode an ephemeralOwner value makes (ZooKeeper's EphemeralType
// with extended types on): persistent, ephemeral, container or TTL.

/** The ephemeralOwner ZooKeeper gives containers (Long.MIN_VALUE). */
export const CONTAINER_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = -0x100000000000000n; // 0xff00000000000000 as a signed long
const TTL_MASK = 0xffffffffffn; // the low 40 bits hold the TTL

/** What kind of node an ephemeralOwner value makes. */
export type NodeKind = "persistent" | "ephemeral" | "container" | "ttl";

/** Classifies an ephemeralOwner as ZooKeeper's EphemeralType does (extended types on). */
export function nodeKind(owner: bigint): NodeKind {
  if (owner === 0n) return "persistent";
  if (owner === CONTAINER_OWNER) return "container";
  if ((owner & EXTENDED_MASK) === EXTENDED_MASK) return "ttl";
  return "ephemeral";
}

/** The ephemeralOwner a TTL node carries (EphemeralType.TTL.toEphemeralOwner). */
export function ttlOwner(ttl: bigint): bigint {
  return EXTENDED_MASK | (ttl & TTL_MASK);
}

/** The TTL in milliseconds of a TTL node's ephemeralOwner. */
export function ttlOf(owner: bigint): bigint {
  return owner & TTL_MASK;
}
