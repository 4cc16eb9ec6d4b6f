// What kind of znode an ephemeralOwner value makes (ZooKeeper 3.8's
// EphemeralType): persistent, ephemeral, container or TTL. The one place this
// is decided; zookeeper.extendedTypesEnabled is passed in, never assumed, since
// with it off a session id of myid 255 (high byte 0xff) is an ordinary owner.

/** The ephemeralOwner ZooKeeper gives containers (Long.MIN_VALUE), whatever the setting. */
export const CONTAINER_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = -0x100000000000000n; // 0xff00000000000000 as a signed long
const TTL_MASK = 0xffffffffffn; // the low 40 bits hold the TTL
/** Largest TTL in ms a TTL node can carry (EphemeralType.TTL.maxValue). */
export const MAX_TTL = TTL_MASK;

/** What kind of node an ephemeralOwner value makes. */
export type NodeKind = "persistent" | "ephemeral" | "container" | "ttl";

/**
 * Classifies an ephemeralOwner as EphemeralType.get does: a 0xff high byte is a
 * TTL node only when extended types are enabled; otherwise it is a session.
 */
export function nodeKind(owner: bigint, extendedTypes: boolean): NodeKind {
  if (owner === 0n) return "persistent";
  if (extendedTypes && (owner & EXTENDED_MASK) === EXTENDED_MASK) return "ttl";
  if (owner === CONTAINER_OWNER) return "container";
  return "ephemeral";
}

/** Whether a TTL is one a TTL node can carry (1 ms up to MAX_TTL). */
export function validTtl(ttl: bigint): boolean {
  return ttl > 0n && ttl <= MAX_TTL;
}

/** The ephemeralOwner a TTL node carries (EphemeralType.TTL.toEphemeralOwner). */
export function ttlOwner(ttl: bigint): bigint {
  return EXTENDED_MASK | (ttl & TTL_MASK);
}

/** The TTL in milliseconds of a TTL node's ephemeralOwner. */
export function ttlOf(owner: bigint): bigint {
  return owner & TTL_MASK;
}

/**
 * How the file tools (snap dump/verify) classify owners. A snapshot does not
 * record zookeeper.extendedTypesEnabled, so they read a 0xff high byte as TTL,
 * as a server using TTL nodes wrote it; for the one other writer (myid 255
 * with extended types off) that only loosens verify's checks on ephemerals.
 */
export const TOOLS_EXTENDED_TYPES = true;
