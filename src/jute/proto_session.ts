// zookeeper.jute's org.apache.zookeeper.proto, part 1: the connect handshake
// (ConnectRequest/ConnectResponse) and the headers and packets every other
// frame is built on (request/reply headers, auth, watch events). Pattern: mod.ts.
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** The first frame a client sends. `readOnly` is absent from old clients. */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly?: boolean;
}

/** Reads a ConnectRequest; the trailing readOnly flag only when present. */
export function readConnectRequest(r: Reader): ConnectRequest {
  const v: ConnectRequest = {
    protocolVersion: r.int(),
    lastZxidSeen: r.long(),
    timeOut: r.int(),
    sessionId: r.long(),
    passwd: r.buffer(),
  };
  if (r.remaining > 0) v.readOnly = r.boolean();
  return v;
}

/** Writes a ConnectRequest (readOnly only when set). */
export function writeConnectRequest(w: Writer, v: ConnectRequest): void {
  w.int(v.protocolVersion).long(v.lastZxidSeen).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.boolean(v.readOnly);
}

/** The server's answer to ConnectRequest. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly?: boolean;
}

/** Reads a ConnectResponse; the trailing readOnly flag only when present. */
export function readConnectResponse(r: Reader): ConnectResponse {
  const v: ConnectResponse = {
    protocolVersion: r.int(),
    timeOut: r.int(),
    sessionId: r.long(),
    passwd: r.buffer(),
  };
  if (r.remaining > 0) v.readOnly = r.boolean();
  return v;
}

/** Writes a ConnectResponse (readOnly only when set). */
export function writeConnectResponse(w: Writer, v: ConnectResponse): void {
  w.int(v.protocolVersion).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.boolean(v.readOnly);
}

/** Precedes every request body. */
export interface RequestHeader {
  xid: number;
  type: number;
}

/** Reads a RequestHeader. */
export function readRequestHeader(r: Reader): RequestHeader {
  return { xid: r.int(), type: r.int() };
}

/** Writes a RequestHeader. */
export function writeRequestHeader(w: Writer, v: RequestHeader): void {
  w.int(v.xid).int(v.type);
}

/** Precedes every reply body. */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** Reads a ReplyHeader. */
export function readReplyHeader(r: Reader): ReplyHeader {
  return { xid: r.int(), zxid: r.long(), err: r.int() };
}

/** Writes a ReplyHeader. */
export function writeReplyHeader(w: Writer, v: ReplyHeader): void {
  w.int(v.xid).long(v.zxid).int(v.err);
}

/** An auth request (xid -4). */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}

/** Reads an AuthPacket. */
export function readAuthPacket(r: Reader): AuthPacket {
  return { type: r.int(), scheme: r.string(), auth: r.buffer() };
}

/** Writes an AuthPacket. */
export function writeAuthPacket(w: Writer, v: AuthPacket): void {
  w.int(v.type).ustring(v.scheme).buffer(v.auth);
}

/** A watch notification (xid -1). */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

/** Reads a WatcherEvent. */
export function readWatcherEvent(r: Reader): WatcherEvent {
  return { type: r.int(), state: r.int(), path: r.string() };
}

/** Writes a WatcherEvent. */
export function writeWatcherEvent(w: Writer, v: WatcherEvent): void {
  w.int(v.type).int(v.state).ustring(v.path);
}
