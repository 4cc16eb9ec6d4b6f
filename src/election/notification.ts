// FastLeaderElection notifications as ZooKeeper 3.8 puts them on the election
// port: state, leader, zxid, electionEpoch, peerEpoch, version, config text.
// Receipt also accepts the two older layouts (28 and 40 bytes).
import { DecodeError } from "../jute/errors.ts";

/** A peer's role as FLE numbers it on the wire. */
export type PeerState = "looking" | "following" | "leading" | "observing";

const STATE_CODES: Record<PeerState, number> = {
  looking: 0,
  following: 1,
  leading: 2,
  observing: 3,
};
const STATES: PeerState[] = ["looking", "following", "leading", "observing"];

/** The message format version 3.8 sends (with config text). */
export const NOTIFICATION_VERSION = 2;

/** Java's Long.MIN_VALUE: the vote of a peer that cannot lead (observers). */
export const LONG_MIN = -(1n << 63n);

/** One decoded notification. `config` is null when the sender's format carries none. */
export interface Notification {
  /** Wire state code; unknown codes (> 3) are kept so the receiver can drop them as 3.8 does. */
  state: number;
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
  /** Message format version: 0 for the 28/40-byte forms, 2 for 3.8. */
  version: number;
  config: string | null;
}

/** The wire code of a state. */
export function stateCode(s: PeerState): number {
  return STATE_CODES[s];
}

/** The state for a wire code; undefined for codes 3.8 ignores. */
export function stateOf(code: number): PeerState | undefined {
  return STATES[code];
}

const utf8 = new TextEncoder();
const utf8Dec = new TextDecoder();

/** Encodes a notification as 3.8 sends it (44 bytes + config). */
export function encodeNotification(
  n: Omit<Notification, "version" | "config"> & { config: string | Uint8Array },
): Uint8Array {
  const cfg = typeof n.config === "string" ? utf8.encode(n.config) : n.config;
  const out = new Uint8Array(44 + cfg.length);
  const v = new DataView(out.buffer);
  v.setInt32(0, n.state);
  v.setBigInt64(4, BigInt.asIntN(64, n.leader));
  v.setBigInt64(12, BigInt.asIntN(64, n.zxid));
  v.setBigInt64(20, BigInt.asIntN(64, n.electionEpoch));
  v.setBigInt64(28, BigInt.asIntN(64, n.peerEpoch));
  v.setInt32(36, NOTIFICATION_VERSION);
  v.setInt32(40, cfg.length);
  out.set(cfg, 44);
  return out;
}

/** Encodes the 40-byte pre-reconfig form (no version, no config): what probes send. */
export function encodeNotification40(
  n: Omit<Notification, "version" | "config">,
): Uint8Array {
  const out = new Uint8Array(40);
  const v = new DataView(out.buffer);
  v.setInt32(0, n.state);
  v.setBigInt64(4, BigInt.asIntN(64, n.leader));
  v.setBigInt64(12, BigInt.asIntN(64, n.zxid));
  v.setBigInt64(20, BigInt.asIntN(64, n.electionEpoch));
  v.setBigInt64(28, BigInt.asIntN(64, n.peerEpoch));
  return out;
}

/**
 * Decodes a notification the way 3.8's receiver does: under 28 bytes is an error;
 * exactly 28 has no peer epoch (taken from the zxid's high 32 bits); exactly 40
 * has no version; otherwise a version follows, and a version above 1 carries a
 * config length (0..message size) and that many bytes. Extra bytes are ignored,
 * as in 3.8. Throws DecodeError on anything malformed.
 */
export function decodeNotification(b: Uint8Array): Notification {
  if (b.length < 28) throw new DecodeError(0, `short notification: ${b.length} bytes`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const state = v.getInt32(0);
  const leader = v.getBigInt64(4);
  const zxid = v.getBigInt64(12);
  const electionEpoch = v.getBigInt64(20);
  if (b.length === 28) {
    return { state, leader, zxid, electionEpoch, peerEpoch: zxid >> 32n, version: 0, config: null };
  }
  if (b.length < 36) throw new DecodeError(28, `truncated peer epoch (${b.length} bytes)`);
  const peerEpoch = v.getBigInt64(28);
  if (b.length === 40) {
    return { state, leader, zxid, electionEpoch, peerEpoch, version: 0, config: null };
  }
  if (b.length < 40) throw new DecodeError(36, `truncated version (${b.length} bytes)`);
  const version = v.getInt32(36);
  if (version <= 1) {
    return { state, leader, zxid, electionEpoch, peerEpoch, version, config: null };
  }
  if (b.length < 44) throw new DecodeError(40, `truncated config length (${b.length} bytes)`);
  const len = v.getInt32(40);
  if (len < 0 || len > b.length) {
    throw new DecodeError(40, `invalid config length ${len} in a ${b.length}-byte notification`);
  }
  if (44 + len > b.length) {
    throw new DecodeError(44, `config of ${len} bytes runs past the end (${b.length - 44} left)`);
  }
  const config = utf8Dec.decode(b.subarray(44, 44 + len));
  return { state, leader, zxid, electionEpoch, peerEpoch, version, config };
}
