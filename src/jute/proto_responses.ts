// zookeeper.jute's org.apache.zookeeper.proto, part 3: the response records a
// server sends after its ReplyHeader, one per op. Pattern: mod.ts.
import {
  type ACL,
  type ClientInfo,
  readACLs,
  readClientInfo,
  readStat,
  type Stat,
  writeACLs,
  writeClientInfo,
  writeStat,
} from "./data.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

function readStrings(r: Reader): string[] | null {
  return r.vector((x) => x.string());
}

function writeStrings(w: Writer, v: readonly string[] | null): void {
  w.vector(v, (x, s) => x.ustring(s));
}

/** The server's SASL challenge. */
export interface SetSASLResponse {
  token: Uint8Array | null;
}

/** Reads a SetSASLResponse. */
export function readSetSASLResponse(r: Reader): SetSASLResponse {
  return { token: r.buffer() };
}

/** Writes a SetSASLResponse. */
export function writeSetSASLResponse(w: Writer, v: SetSASLResponse): void {
  w.buffer(v.token);
}

/** setData response. */
export interface SetDataResponse {
  stat: Stat;
}

/** Reads a SetDataResponse. */
export function readSetDataResponse(r: Reader): SetDataResponse {
  return { stat: readStat(r) };
}

/** Writes a SetDataResponse. */
export function writeSetDataResponse(w: Writer, v: SetDataResponse): void {
  writeStat(w, v.stat);
}

/** setACL response. */
export interface SetACLResponse {
  stat: Stat;
}

/** Reads a SetACLResponse. */
export function readSetACLResponse(r: Reader): SetACLResponse {
  return { stat: readStat(r) };
}

/** Writes a SetACLResponse. */
export function writeSetACLResponse(w: Writer, v: SetACLResponse): void {
  writeStat(w, v.stat);
}

/** exists response. */
export interface ExistsResponse {
  stat: Stat;
}

/** Reads an ExistsResponse. */
export function readExistsResponse(r: Reader): ExistsResponse {
  return { stat: readStat(r) };
}

/** Writes an ExistsResponse. */
export function writeExistsResponse(w: Writer, v: ExistsResponse): void {
  writeStat(w, v.stat);
}

/** sync response. */
export interface SyncResponse {
  path: string;
}

/** Reads a SyncResponse. */
export function readSyncResponse(r: Reader): SyncResponse {
  return { path: r.string() };
}

/** Writes a SyncResponse. */
export function writeSyncResponse(w: Writer, v: SyncResponse): void {
  w.ustring(v.path);
}

/** The body of a failed op inside a multi response. */
export interface ErrorResponse {
  err: number;
}

/** Reads an ErrorResponse. */
export function readErrorResponse(r: Reader): ErrorResponse {
  return { err: r.int() };
}

/** Writes an ErrorResponse. */
export function writeErrorResponse(w: Writer, v: ErrorResponse): void {
  w.int(v.err);
}

/** create response: the created path (with sequence suffix). */
export interface CreateResponse {
  path: string;
}

/** Reads a CreateResponse. */
export function readCreateResponse(r: Reader): CreateResponse {
  return { path: r.string() };
}

/** Writes a CreateResponse. */
export function writeCreateResponse(w: Writer, v: CreateResponse): void {
  w.ustring(v.path);
}

/** create2/createContainer/createTTL response. */
export interface Create2Response {
  path: string;
  stat: Stat;
}

/** Reads a Create2Response. */
export function readCreate2Response(r: Reader): Create2Response {
  return { path: r.string(), stat: readStat(r) };
}

/** Writes a Create2Response. */
export function writeCreate2Response(w: Writer, v: Create2Response): void {
  w.ustring(v.path);
  writeStat(w, v.stat);
}

/** getData response. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}

/** Reads a GetDataResponse. */
export function readGetDataResponse(r: Reader): GetDataResponse {
  return { data: r.buffer(), stat: readStat(r) };
}

/** Writes a GetDataResponse. */
export function writeGetDataResponse(w: Writer, v: GetDataResponse): void {
  w.buffer(v.data);
  writeStat(w, v.stat);
}

/** getChildren response. */
export interface GetChildrenResponse {
  children: string[] | null;
}

/** Reads a GetChildrenResponse. */
export function readGetChildrenResponse(r: Reader): GetChildrenResponse {
  return { children: readStrings(r) };
}

/** Writes a GetChildrenResponse. */
export function writeGetChildrenResponse(w: Writer, v: GetChildrenResponse): void {
  writeStrings(w, v.children);
}

/** getChildren2 response. */
export interface GetChildren2Response {
  children: string[] | null;
  stat: Stat;
}

/** Reads a GetChildren2Response. */
export function readGetChildren2Response(r: Reader): GetChildren2Response {
  return { children: readStrings(r), stat: readStat(r) };
}

/** Writes a GetChildren2Response. */
export function writeGetChildren2Response(w: Writer, v: GetChildren2Response): void {
  writeStrings(w, v.children);
  writeStat(w, v.stat);
}

/** getAllChildrenNumber response. */
export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}

/** Reads a GetAllChildrenNumberResponse. */
export function readGetAllChildrenNumberResponse(r: Reader): GetAllChildrenNumberResponse {
  return { totalNumber: r.int() };
}

/** Writes a GetAllChildrenNumberResponse. */
export function writeGetAllChildrenNumberResponse(
  w: Writer,
  v: GetAllChildrenNumberResponse,
): void {
  w.int(v.totalNumber);
}

/** getMaxChildren response. */
export interface GetMaxChildrenResponse {
  max: number;
}

/** Reads a GetMaxChildrenResponse. */
export function readGetMaxChildrenResponse(r: Reader): GetMaxChildrenResponse {
  return { max: r.int() };
}

/** Writes a GetMaxChildrenResponse. */
export function writeGetMaxChildrenResponse(w: Writer, v: GetMaxChildrenResponse): void {
  w.int(v.max);
}

/** getACL response. */
export interface GetACLResponse {
  acl: ACL[] | null;
  stat: Stat;
}

/** Reads a GetACLResponse. */
export function readGetACLResponse(r: Reader): GetACLResponse {
  return { acl: readACLs(r), stat: readStat(r) };
}

/** Writes a GetACLResponse. */
export function writeGetACLResponse(w: Writer, v: GetACLResponse): void {
  writeACLs(w, v.acl);
  writeStat(w, v.stat);
}

/** getEphemerals response. */
export interface GetEphemeralsResponse {
  ephemerals: string[] | null;
}

/** Reads a GetEphemeralsResponse. */
export function readGetEphemeralsResponse(r: Reader): GetEphemeralsResponse {
  return { ephemerals: readStrings(r) };
}

/** Writes a GetEphemeralsResponse. */
export function writeGetEphemeralsResponse(w: Writer, v: GetEphemeralsResponse): void {
  writeStrings(w, v.ephemerals);
}

/** whoAmI response: the client's authenticated identities. */
export interface WhoAmIResponse {
  clientInfo: ClientInfo[] | null;
}

/** Reads a WhoAmIResponse. */
export function readWhoAmIResponse(r: Reader): WhoAmIResponse {
  return { clientInfo: r.vector(readClientInfo) };
}

/** Writes a WhoAmIResponse. */
export function writeWhoAmIResponse(w: Writer, v: WhoAmIResponse): void {
  w.vector(v.clientInfo, writeClientInfo);
}
