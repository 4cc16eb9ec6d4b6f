// zookeeper.jute's org.apache.zookeeper.proto, part 4: multi and multiRead.
// A multi request/response body is a run of (MultiHeader, record) pairs closed
// by a MultiHeader with done=true (written as type -1, done true, err -1).
// Reading stops at the first done header, whatever its type, as ZooKeeper does.
// Pattern: mod.ts.
import { OpCode } from "./constants.ts";
import {
  type CheckVersionRequest,
  type CreateRequest,
  type CreateTTLRequest,
  type DeleteRequest,
  type GetChildrenRequest,
  type GetDataRequest,
  readCheckVersionRequest,
  readCreateRequest,
  readCreateTTLRequest,
  readDeleteRequest,
  readGetChildrenRequest,
  readGetDataRequest,
  readSetDataRequest,
  type SetDataRequest,
  writeCheckVersionRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeGetChildrenRequest,
  writeGetDataRequest,
  writeSetDataRequest,
} from "./proto_requests.ts";
import {
  type Create2Response,
  type CreateResponse,
  type ErrorResponse,
  type GetChildrenResponse,
  type GetDataResponse,
  readCreate2Response,
  readCreateResponse,
  readErrorResponse,
  readGetChildrenResponse,
  readGetDataResponse,
  readSetDataResponse,
  type SetDataResponse,
  writeCreate2Response,
  writeCreateResponse,
  writeErrorResponse,
  writeGetChildrenResponse,
  writeGetDataResponse,
  writeSetDataResponse,
} from "./proto_responses.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** Separates the ops of a multi request/response; type -1 with done=true ends it. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

/** Reads a MultiHeader. */
export function readMultiHeader(r: Reader): MultiHeader {
  return { type: r.int(), done: r.boolean(), err: r.int() };
}

/** Writes a MultiHeader. */
export function writeMultiHeader(w: Writer, v: MultiHeader): void {
  w.int(v.type).boolean(v.done).int(v.err);
}

/** The MultiHeader that ends a multi. */
export const MULTI_END: MultiHeader = { type: -1, done: true, err: -1 };

/** One op of a multi request (multi or multiRead), by op code. */
export type MultiOp =
  | {
    type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
    request: CreateRequest;
  }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }
  | { type: typeof OpCode.getChildren; request: GetChildrenRequest }
  | { type: typeof OpCode.getData; request: GetDataRequest };

/** Reads the body of a multi/multiRead request; an op type ZooKeeper does not allow is a DecodeError. */
export function readMultiRequest(r: Reader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const at = r.pos;
    const h = readMultiHeader(r);
    if (h.done) return ops;
    switch (h.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        ops.push({ type: h.type, request: readCreateRequest(r) });
        break;
      case OpCode.createTTL:
        ops.push({ type: h.type, request: readCreateTTLRequest(r) });
        break;
      case OpCode.delete:
        ops.push({ type: h.type, request: readDeleteRequest(r) });
        break;
      case OpCode.setData:
        ops.push({ type: h.type, request: readSetDataRequest(r) });
        break;
      case OpCode.check:
        ops.push({ type: h.type, request: readCheckVersionRequest(r) });
        break;
      case OpCode.getChildren:
        ops.push({ type: h.type, request: readGetChildrenRequest(r) });
        break;
      case OpCode.getData:
        ops.push({ type: h.type, request: readGetDataRequest(r) });
        break;
      default:
        r.pos = at;
        r.fail(`invalid op type ${h.type} in a multi request`);
    }
  }
}

/** Writes the body of a multi/multiRead request, end marker included. */
export function writeMultiRequest(w: Writer, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    writeMultiHeader(w, { type: op.type, done: false, err: -1 });
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        writeCreateRequest(w, op.request);
        break;
      case OpCode.createTTL:
        writeCreateTTLRequest(w, op.request);
        break;
      case OpCode.delete:
        writeDeleteRequest(w, op.request);
        break;
      case OpCode.setData:
        writeSetDataRequest(w, op.request);
        break;
      case OpCode.check:
        writeCheckVersionRequest(w, op.request);
        break;
      case OpCode.getChildren:
        writeGetChildrenRequest(w, op.request);
        break;
      case OpCode.getData:
        writeGetDataRequest(w, op.request);
        break;
    }
  }
  writeMultiHeader(w, MULTI_END);
}

/** One result of a multi response, by op code (delete and check carry no body). */
export type MultiResult =
  | { type: typeof OpCode.create; response: CreateResponse }
  | { type: typeof OpCode.create2; response: Create2Response }
  | { type: typeof OpCode.delete | typeof OpCode.check }
  | { type: typeof OpCode.setData; response: SetDataResponse }
  | { type: typeof OpCode.getChildren; response: GetChildrenResponse }
  | { type: typeof OpCode.getData; response: GetDataResponse }
  | { type: typeof OpCode.error; response: ErrorResponse };

/** Reads the body of a multi/multiRead response. */
export function readMultiResponse(r: Reader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const at = r.pos;
    const h = readMultiHeader(r);
    if (h.done) return results;
    switch (h.type) {
      case OpCode.create:
        results.push({ type: h.type, response: readCreateResponse(r) });
        break;
      case OpCode.create2:
        results.push({ type: h.type, response: readCreate2Response(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        results.push({ type: h.type });
        break;
      case OpCode.setData:
        results.push({ type: h.type, response: readSetDataResponse(r) });
        break;
      case OpCode.getChildren:
        results.push({ type: h.type, response: readGetChildrenResponse(r) });
        break;
      case OpCode.getData:
        results.push({ type: h.type, response: readGetDataResponse(r) });
        break;
      case OpCode.error:
        results.push({ type: h.type, response: readErrorResponse(r) });
        break;
      default:
        r.pos = at;
        r.fail(`invalid result type ${h.type} in a multi response`);
    }
  }
}

/** Writes the body of a multi/multiRead response; an error result's code also goes in its header. */
export function writeMultiResponse(w: Writer, results: readonly MultiResult[]): void {
  for (const res of results) {
    const err = res.type === OpCode.error ? res.response.err : 0;
    writeMultiHeader(w, { type: res.type, done: false, err });
    switch (res.type) {
      case OpCode.create:
        writeCreateResponse(w, res.response);
        break;
      case OpCode.create2:
        writeCreate2Response(w, res.response);
        break;
      case OpCode.delete:
      case OpCode.check:
        break;
      case OpCode.setData:
        writeSetDataResponse(w, res.response);
        break;
      case OpCode.getChildren:
        writeGetChildrenResponse(w, res.response);
        break;
      case OpCode.getData:
        writeGetDataResponse(w, res.response);
        break;
      case OpCode.error:
        writeErrorResponse(w, res.response);
        break;
    }
  }
  writeMultiHeader(w, MULTI_END);
}
