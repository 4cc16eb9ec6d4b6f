// The learner's answers during discovery (zab-3.8.md §7): what LEADERINFO
// asks of it (refuse a lower epoch, make a higher one durable first, then
// ACKEPOCH) and which sync the leader's first packet starts. Pure decisions;
// LearnerCore performs them.
import type { QuorumPacket } from "../jute/quorum.ts";
import type { SyncMode } from "./learner_types.ts";
import { packetName, PacketType, zxidHex } from "./packet_types.ts";
import { ackEpochPacket, parseLeaderInfo } from "./packets.ts";

/** What a registering learner does with the leader's first packet. */
export type LeaderInfoStep =
  | { kind: "leave"; reason: string; epoch?: bigint }
  /** A new epoch: write acceptedEpoch (durable), then ACKEPOCH. */
  | { kind: "writeAcceptedEpoch"; epoch: bigint }
  /** The epoch is accepted already: ACKEPOCH at once. */
  | { kind: "ackEpoch"; epoch: bigint };

/** Decides on the packet that should be LEADERINFO, given our acceptedEpoch. */
export function leaderInfoStep(p: QuorumPacket, acceptedEpoch: bigint): LeaderInfoStep {
  if (p.type === PacketType.NEWLEADER) {
    return {
      kind: "leave",
      reason: "NEWLEADER before LEADERINFO: a pre-Zab-1.0 leader, not supported",
    };
  }
  if (p.type !== PacketType.LEADERINFO) {
    return { kind: "leave", reason: `expected LEADERINFO, got ${packetName(p.type)}` };
  }
  const { epoch } = parseLeaderInfo(p);
  if (epoch < acceptedEpoch) {
    return {
      kind: "leave",
      epoch,
      reason: `leader proposed epoch ${epoch}, lower than our acceptedEpoch ${acceptedEpoch}`,
    };
  }
  // acceptedEpoch must be durable before the ACKEPOCH that promises it.
  if (epoch > acceptedEpoch) return { kind: "writeAcceptedEpoch", epoch };
  return { kind: "ackEpoch", epoch };
}

/** ACKEPOCH: our last logged zxid and currentEpoch, or -1 if the epoch was accepted before. */
export function ackEpochFor(
  newEpoch: bigint,
  acceptedEpochAtStart: bigint,
  currentEpoch: bigint,
  lastLoggedZxid: bigint,
): QuorumPacket {
  // -1 when the epoch was accepted already: such an ACKEPOCH does not count as an ack.
  const data = newEpoch === acceptedEpochAtStart ? -1 : Number(BigInt.asIntN(32, currentEpoch));
  return ackEpochPacket(lastLoggedZxid, data);
}

/** The sync the leader's first sync packet starts, or why it is refused. */
export type FirstSyncStep =
  | { kind: "leave"; reason: string }
  | { kind: "sync"; mode: SyncMode; zxid: bigint };

/** Decides on the first packet after ACKEPOCH, given our last logged zxid. */
export function firstSyncStep(p: QuorumPacket, lastLoggedZxid: bigint): FirstSyncStep {
  switch (p.type) {
    case PacketType.DIFF:
      return { kind: "sync", mode: "DIFF", zxid: lastLoggedZxid };
    case PacketType.TRUNC:
      if (p.zxid > lastLoggedZxid) {
        return {
          kind: "leave",
          reason: `TRUNC to ${zxidHex(p.zxid)}, after our last logged zxid ${
            zxidHex(lastLoggedZxid)
          }`,
        };
      }
      return { kind: "sync", mode: "TRUNC", zxid: p.zxid };
    case PacketType.SNAP:
      return { kind: "sync", mode: "SNAP", zxid: p.zxid };
    default:
      // A Java learner exits the JVM here (QUORUM_PACKET_ERROR, 13); we only re-elect.
      return {
        kind: "leave",
        reason: `first sync packet must be DIFF, TRUNC or SNAP, got ${packetName(p.type)}`,
      };
  }
}
