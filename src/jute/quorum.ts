// Records of zookeeper.jute's module org.apache.zookeeper.server.quorum (Zab).
import { type Id, readId, writeId } from "./data.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** What a learner sends first (FOLLOWERINFO/OBSERVERINFO payload). */
export interface LearnerInfo {
  serverid: bigint;
  protocolVersion: number;
  configVersion: bigint;
}

/** Every Zab message between leader and learners. */
export interface QuorumPacket {
  type: number;
  zxid: bigint;
  data: Uint8Array | null;
  authinfo: Id[] | null;
}

/** Quorum SASL auth packet. */
export interface QuorumAuthPacket {
  magic: bigint;
  status: number;
  token: Uint8Array | null;
}

/** The magic of a QuorumAuthPacket: Java's -0xa0dbcafecafe1234L wraps to this long. */
export const QUORUM_AUTH_MAGIC = 0x5f2435013501edccn;

/** QuorumAuth.Status values carried in QuorumAuthPacket.status. */
export const QuorumAuthStatus = { IN_PROGRESS: 0, SUCCESS: 1, ERROR: -1 } as const;

/** Reads a LearnerInfo. */
export function readLearnerInfo(r: Reader): LearnerInfo {
  return { serverid: r.long(), protocolVersion: r.int(), configVersion: r.long() };
}

/** Writes a LearnerInfo. */
export function writeLearnerInfo(w: Writer, v: LearnerInfo): void {
  w.long(v.serverid).int(v.protocolVersion).long(v.configVersion);
}

/** Reads a QuorumPacket. */
export function readQuorumPacket(r: Reader): QuorumPacket {
  return { type: r.int(), zxid: r.long(), data: r.buffer(), authinfo: r.vector(readId) };
}

/** Writes a QuorumPacket. */
export function writeQuorumPacket(w: Writer, v: QuorumPacket): void {
  w.int(v.type).long(v.zxid).buffer(v.data).vector(v.authinfo, writeId);
}

/** Reads a QuorumAuthPacket. */
export function readQuorumAuthPacket(r: Reader): QuorumAuthPacket {
  return { magic: r.long(), status: r.int(), token: r.buffer() };
}

/** Writes a QuorumAuthPacket. */
export function writeQuorumAuthPacket(w: Writer, v: QuorumAuthPacket): void {
  w.long(v.magic).int(v.status).buffer(v.token);
}
