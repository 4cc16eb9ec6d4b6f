// Typed builders and parsers for the payload of every Zab packet (zab-3.8.md
// §2/§3). A packet is jute's QuorumPacket {type, zxid, data, authinfo}; these
// functions only fill and read `data` (and pick the zxid Java puts there).
// PROPOSAL/INFORM data stay bytes: decoding a txn is the data/jute layer's job.
import type { Id } from "../jute/data.ts";
import { type LearnerInfo, type QuorumPacket, writeLearnerInfo } from "../jute/quorum.ts";
import { Reader } from "../jute/reader.ts";
import { readTxnHeader, type TxnHeader } from "../jute/txn.ts";
import { bytesOf, encode, Writer } from "../jute/writer.ts";
import { DecodeError } from "../jute/errors.ts";
import { ZabProtocolError } from "./errors.ts";
import { makeZxid, packetName, PacketType, ZAB_PROTOCOL_VERSION, zxidHex } from "./packet_types.ts";

export type { LearnerInfo, QuorumPacket };

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** A packet with no data and no authinfo. */
function bare(type: number, zxid: bigint): QuorumPacket {
  return { type, zxid, data: null, authinfo: null };
}

function withData(type: number, zxid: bigint, data: Uint8Array): QuorumPacket {
  return { type, zxid, data, authinfo: null };
}

function expectType(p: QuorumPacket, ...types: number[]): void {
  if (!types.includes(p.type)) {
    throw new ZabProtocolError(
      `expected ${types.map(packetName).join(" or ")}, got ${packetName(p.type)}`,
    );
  }
}

function needData(p: QuorumPacket, min: number, what: string): Uint8Array {
  const d = p.data;
  if (d === null) throw new ZabProtocolError(`${packetName(p.type)}: null data, expected ${what}`);
  if (d.length < min) {
    throw new ZabProtocolError(
      `${packetName(p.type)}: data is ${d.length} bytes, expected ${what} (${min} bytes)`,
    );
  }
  return d;
}

function view(d: Uint8Array): DataView {
  return new DataView(d.buffer, d.byteOffset, d.byteLength);
}

function int4(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, v);
  return out;
}

// ---- discovery ----

/** FOLLOWERINFO/OBSERVERINFO: zxid makeZxid(acceptedEpoch, 0), data a 20-byte LearnerInfo. */
export function learnerInfoPacket(
  type: typeof PacketType.FOLLOWERINFO | typeof PacketType.OBSERVERINFO,
  acceptedEpoch: bigint,
  info: LearnerInfo,
): QuorumPacket {
  return withData(type, makeZxid(acceptedEpoch, 0), encode(writeLearnerInfo, info, 20));
}

/** What a leader learns from FOLLOWERINFO/OBSERVERINFO. */
export interface LearnerHello {
  observer: boolean;
  /** epoch of the packet zxid: the learner's acceptedEpoch. */
  acceptedEpoch: bigint;
  /** null when the data is null (Java then numbers the learner itself). */
  serverid: bigint | null;
  /** Absent fields of a short LearnerInfo are undefined (LearnerHandler reads what is there). */
  protocolVersion?: number;
  configVersion?: bigint;
}

/** Reads FOLLOWERINFO/OBSERVERINFO as LearnerHandler does: sid if ≥ 8 bytes, version ≥ 12, config ≥ 20. */
export function parseLearnerInfo(p: QuorumPacket): LearnerHello {
  expectType(p, PacketType.FOLLOWERINFO, PacketType.OBSERVERINFO);
  const hello: LearnerHello = {
    observer: p.type === PacketType.OBSERVERINFO,
    acceptedEpoch: p.zxid >> 32n,
    serverid: null,
  };
  const d = p.data;
  if (d === null) return hello;
  if (d.length < 8) {
    throw new ZabProtocolError(`${packetName(p.type)}: LearnerInfo is ${d.length} bytes, < 8`);
  }
  const v = view(d);
  hello.serverid = v.getBigInt64(0);
  if (d.length >= 12) hello.protocolVersion = v.getInt32(8);
  if (d.length >= 20) hello.configVersion = v.getBigInt64(12);
  return hello;
}

/** LEADERINFO: zxid makeZxid(newEpoch, 0), data int protocol version (0x10000). */
export function leaderInfoPacket(
  newEpoch: bigint,
  protocolVersion = ZAB_PROTOCOL_VERSION,
): QuorumPacket {
  return withData(PacketType.LEADERINFO, makeZxid(newEpoch, 0), int4(protocolVersion));
}

/** Reads LEADERINFO: the proposed epoch and the leader's protocol version. */
export function parseLeaderInfo(p: QuorumPacket): { epoch: bigint; protocolVersion: number } {
  expectType(p, PacketType.LEADERINFO);
  const d = needData(p, 4, "an int protocol version");
  return { epoch: p.zxid >> 32n, protocolVersion: view(d).getInt32(0) };
}

/**
 * ACKEPOCH: zxid the learner's last logged zxid, data int currentEpoch, or -1
 * when the epoch was already accepted (then it does not count as an ack).
 */
export function ackEpochPacket(lastLoggedZxid: bigint, currentEpoch: number): QuorumPacket {
  return withData(PacketType.ACKEPOCH, lastLoggedZxid, int4(currentEpoch));
}

/** Reads ACKEPOCH; the epoch is sign-extended from 32 bits as Java's getInt() does. */
export function parseAckEpoch(p: QuorumPacket): { lastLoggedZxid: bigint; epoch: number } {
  expectType(p, PacketType.ACKEPOCH);
  const d = needData(p, 4, "an int epoch");
  return { lastLoggedZxid: p.zxid, epoch: view(d).getInt32(0) };
}

// ---- synchronization ----

/** NEWLEADER: zxid makeZxid(newEpoch, 0), data the quorum verifier as UTF-8 text. */
export function newLeaderPacket(newEpoch: bigint, quorumVerifier: string): QuorumPacket {
  return withData(PacketType.NEWLEADER, makeZxid(newEpoch, 0), utf8.encode(quorumVerifier));
}

/** Reads NEWLEADER: its zxid and the quorum verifier text ("" when data is null or empty). */
export function parseNewLeader(p: QuorumPacket): { zxid: bigint; quorumVerifier: string } {
  expectType(p, PacketType.NEWLEADER);
  if (p.data === null || p.data.length === 0) return { zxid: p.zxid, quorumVerifier: "" };
  try {
    return { zxid: p.zxid, quorumVerifier: utf8Decoder.decode(p.data) };
  } catch {
    throw new ZabProtocolError("NEWLEADER: quorum verifier is not valid UTF-8");
  }
}

/** DIFF: zxid the leader's last committed zxid; no data. */
export function diffPacket(zxid: bigint): QuorumPacket {
  return bare(PacketType.DIFF, zxid);
}

/** TRUNC: zxid to truncate the log to (kept); no data. */
export function truncPacket(zxid: bigint): QuorumPacket {
  return bare(PacketType.TRUNC, zxid);
}

/** SNAP: zxid of the snapshot that follows the packet as a raw stream (quorum_stream.ts). */
export function snapPacket(zxid: bigint): QuorumPacket {
  return bare(PacketType.SNAP, zxid);
}

/** UPTODATE: zxid -1, no data. */
export function upToDatePacket(): QuorumPacket {
  return bare(PacketType.UPTODATE, -1n);
}

/** ACK of NEWLEADER (its zxid), of a proposal (the proposal's zxid), or after UPTODATE. */
export function ackPacket(zxid: bigint): QuorumPacket {
  return bare(PacketType.ACK, zxid);
}

// ---- broadcast ----

/** PROPOSAL: zxid the txn's, data a txn entry (TxnHeader + txn + optional TxnDigest). */
export function proposalPacket(zxid: bigint, txnEntry: Uint8Array): QuorumPacket {
  return withData(PacketType.PROPOSAL, zxid, txnEntry);
}

/** INFORM (to observers): the same data as the PROPOSAL. */
export function informPacket(zxid: bigint, txnEntry: Uint8Array): QuorumPacket {
  return withData(PacketType.INFORM, zxid, txnEntry);
}

/** COMMIT: zxid of the committed proposal; no data. */
export function commitPacket(zxid: bigint): QuorumPacket {
  return bare(PacketType.COMMIT, zxid);
}

/** COMMITANDACTIVATE (reconfig): data the designated leader's sid. */
export function commitAndActivatePacket(zxid: bigint, leaderSid: bigint): QuorumPacket {
  return withData(
    PacketType.COMMITANDACTIVATE,
    zxid,
    new Writer(8).long(leaderSid).toBytes(),
  );
}

/** INFORMANDACTIVATE (reconfig, to observers): data the leader's sid then the txn entry. */
export function informAndActivatePacket(
  zxid: bigint,
  leaderSid: bigint,
  txnEntry: Uint8Array,
): QuorumPacket {
  const w = new Writer(8 + txnEntry.length);
  w.long(leaderSid).raw(txnEntry);
  return withData(PacketType.INFORMANDACTIVATE, zxid, w.toBytes());
}

/** Reads COMMITANDACTIVATE/INFORMANDACTIVATE: the sid and (INFORMANDACTIVATE) the txn entry. */
export function parseActivate(
  p: QuorumPacket,
): { zxid: bigint; leaderSid: bigint; txnEntry: Uint8Array | null } {
  expectType(p, PacketType.COMMITANDACTIVATE, PacketType.INFORMANDACTIVATE);
  const d = needData(p, 8, "a long leader sid");
  const txnEntry = p.type === PacketType.INFORMANDACTIVATE ? d.subarray(8) : null;
  return { zxid: p.zxid, leaderSid: view(d).getBigInt64(0), txnEntry };
}

/** Reads PROPOSAL/INFORM: the txn entry bytes and its header (learners take the zxid from it). */
export function parseProposal(p: QuorumPacket): { txnEntry: Uint8Array; header: TxnHeader } {
  expectType(p, PacketType.PROPOSAL, PacketType.INFORM);
  const d = needData(p, 32, "a TxnHeader");
  try {
    return { txnEntry: d, header: readTxnHeader(new Reader(d)) };
  } catch (e) {
    if (e instanceof DecodeError) {
      throw new ZabProtocolError(`${packetName(p.type)}: bad TxnHeader: ${e.message}`);
    }
    throw e;
  }
}

/** SYNC (leader's answer to a forwarded sync): zxid 0, no data. */
export function syncPacket(): QuorumPacket {
  return bare(PacketType.SYNC, 0n);
}

// ---- liveness and sessions ----

/** One row of a PING reply: a session the learner saw activity on, and its timeout. */
export interface SessionTouch {
  sessionId: bigint;
  timeout: number;
}

/** PING from the leader: zxid its last proposed zxid, null data. */
export function pingPacket(lastProposed: bigint): QuorumPacket {
  return bare(PacketType.PING, lastProposed);
}

/**
 * A learner's PING reply: the leader's zxid echoed, data the touch table
 * {long sessionId; int timeout}* with no count. Never null data: a Java leader
 * wraps it unchecked and drops the learner on null.
 */
export function pingReplyPacket(zxid: bigint, touches: readonly SessionTouch[]): QuorumPacket {
  const w = new Writer(12 * touches.length);
  for (const t of touches) w.long(t.sessionId).int(t.timeout);
  return withData(PacketType.PING, zxid, w.toBytes());
}

/** Reads a PING reply's touch table (empty for null data, which only a leader's PING has). */
export function parseTouches(p: QuorumPacket): SessionTouch[] {
  expectType(p, PacketType.PING);
  const d = p.data;
  if (d === null) return [];
  if (d.length % 12 !== 0) {
    throw new ZabProtocolError(
      `PING: touch table is ${d.length} bytes, not a multiple of 12 (long id, int timeout)`,
    );
  }
  const v = view(d);
  const out: SessionTouch[] = [];
  for (let o = 0; o < d.length; o += 12) {
    out.push({ sessionId: v.getBigInt64(o), timeout: v.getInt32(o + 8) });
  }
  return out;
}

/** REVALIDATE from a learner: zxid -1, data {long sessionId; int timeout}. */
export function revalidatePacket(sessionId: bigint, timeout: number): QuorumPacket {
  return withData(
    PacketType.REVALIDATE,
    -1n,
    new Writer(12).long(sessionId).int(timeout).toBytes(),
  );
}

/** Reads a learner's REVALIDATE. */
export function parseRevalidate(p: QuorumPacket): { sessionId: bigint; timeout: number } {
  expectType(p, PacketType.REVALIDATE);
  const d = needData(p, 12, "long session id, int timeout");
  const v = view(d);
  return { sessionId: v.getBigInt64(0), timeout: v.getInt32(8) };
}

/** The leader's REVALIDATE answer: zxid -1, data {long sessionId; boolean valid} (9 bytes). */
export function revalidateReplyPacket(sessionId: bigint, valid: boolean): QuorumPacket {
  return withData(
    PacketType.REVALIDATE,
    -1n,
    new Writer(9).long(sessionId).boolean(valid).toBytes(),
  );
}

/** Reads the leader's REVALIDATE answer. */
export function parseRevalidateReply(p: QuorumPacket): { sessionId: bigint; valid: boolean } {
  expectType(p, PacketType.REVALIDATE);
  const d = needData(p, 9, "long session id, boolean valid");
  return { sessionId: view(d).getBigInt64(0), valid: d[8] !== 0 };
}

/** A client request a learner forwards to the leader. */
export interface ForwardedRequest {
  sessionId: bigint;
  cxid: number;
  /** The op code (OpCode in jute/constants). */
  type: number;
  /** The request record exactly as the client sent it after the RequestHeader. */
  body: Uint8Array;
  /**
   * The client connection's auth Ids (always including its ip: Id); null for a
   * createSession, which ZooKeeper forwards with no authinfo at all.
   */
  authinfo: Id[] | null;
}

/** REQUEST: zxid -1, data {long sessionId; int cxid; int type} + body, authinfo the client's Ids. */
export function requestPacket(req: ForwardedRequest): QuorumPacket {
  const data = bytesOf((w) => w.long(req.sessionId).int(req.cxid).int(req.type).raw(req.body));
  const authinfo = req.authinfo === null ? null : [...req.authinfo];
  return { type: PacketType.REQUEST, zxid: -1n, data, authinfo };
}

/** Reads a forwarded REQUEST. */
export function parseRequest(p: QuorumPacket): ForwardedRequest {
  expectType(p, PacketType.REQUEST);
  const d = needData(p, 16, "long session id, int cxid, int type");
  const v = view(d);
  return {
    sessionId: v.getBigInt64(0),
    cxid: v.getInt32(8),
    type: v.getInt32(12),
    body: d.subarray(16),
    authinfo: p.authinfo,
  };
}

/** One line for logs: "PROPOSAL zxid=0x100000001 data=54B". */
export function describePacket(p: QuorumPacket): string {
  let s = `${packetName(p.type)} zxid=${zxidHex(p.zxid)}`;
  s += p.data === null ? " data=null" : ` data=${p.data.length}B`;
  if (p.authinfo !== null) {
    s += ` authinfo=${p.authinfo.map((i) => `${i.scheme}:${i.id}`).join(",")}`;
  }
  return s;
}
