// Zab packet types on the quorum port (Leader.java's constants) and their names
// for log lines. The numbers live once, in jute/constants.ts; this module is
// the Zab layer's view of them.
import { quorumPacketName, QuorumPacketType } from "../jute/constants.ts";

/** Zab packet types, as Leader.java numbers them. */
export const PacketType = QuorumPacketType;

/** One of the Zab packet type numbers. */
export type PacketTypeCode = typeof PacketType[keyof typeof PacketType];

/** The name of a packet type for logs (PROPOSAL); "UNKNOWN<n>" for a number Zab does not define. */
export function packetName(type: number): string {
  return quorumPacketName(type);
}

/** Whether a number is a packet type Zab defines (1..19). */
export function isKnownPacketType(type: number): type is PacketTypeCode {
  return Number.isInteger(type) && type >= PacketType.REQUEST &&
    type <= PacketType.INFORMANDACTIVATE;
}

/** A learner's protocol version (Zab 1.0), sent in LearnerInfo and LEADERINFO. */
export const ZAB_PROTOCOL_VERSION = 0x10000;

/**
 * The marker that ends a SNAP stream after the snapshot body
 * (Learner.syncWithLeader checks it).
 */
export const SNAP_END_MARKER = "BenWasHere";

/** zxid = epoch << 32 | counter (ZxidUtils.makeZxid). */
export function makeZxid(epoch: bigint | number, counter: bigint | number): bigint {
  return BigInt.asIntN(64, (BigInt(epoch) << 32n) | (BigInt(counter) & 0xffffffffn));
}

/** The epoch of a zxid (its high 32 bits). */
export function epochOf(zxid: bigint): bigint {
  return zxid >> 32n;
}

/** The counter of a zxid (its low 32 bits). */
export function counterOf(zxid: bigint): bigint {
  return zxid & 0xffffffffn;
}

/** A zxid for logs: 0x-prefixed unsigned hex, as ZooKeeper prints it. */
export function zxidHex(zxid: bigint): string {
  return "0x" + BigInt.asUintN(64, zxid).toString(16);
}

/**
 * Whether `b` can follow `a` in one history: zxids of an epoch are given out
 * 1, 2, 3, ... and a later epoch's first txn is (epoch, 1), so anything else
 * means txns are missing between them (a log written on after a received
 * snapshot, or one that holds txns twice).
 */
export function follows(a: bigint, b: bigint): boolean {
  const ea = epochOf(a), eb = epochOf(b);
  if (eb === ea) return counterOf(b) === counterOf(a) + 1n;
  return eb > ea && counterOf(b) === 1n;
}
