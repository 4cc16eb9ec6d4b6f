// Every jute record zkt codes, as a table: its reader, writer and a fast-check
// arbitrary for its values. Shared by the round-trip property test and the
// bad-input tests so a record added to src/jute is covered once it is listed here.
import fc from "fast-check";
import { OpCode } from "../../../src/jute/constants.ts";
import * as data from "../../../src/jute/data.ts";
import * as persistence from "../../../src/jute/persistence.ts";
import * as proto from "../../../src/jute/proto.ts";
import * as quorum from "../../../src/jute/quorum.ts";
import type { Reader } from "../../../src/jute/reader.ts";
import * as txn from "../../../src/jute/txn.ts";
import type { Writer } from "../../../src/jute/writer.ts";

/** One record: how to read, write and generate it. */
export interface RecordCase {
  name: string;
  read: (r: Reader) => unknown;
  write: (w: Writer, v: unknown) => void;
  arb: fc.Arbitrary<unknown>;
}

function c<T>(
  name: string,
  read: (r: Reader) => T,
  write: (w: Writer, v: T) => void,
  arb: fc.Arbitrary<T>,
): RecordCase {
  return { name, read, write: write as (w: Writer, v: unknown) => void, arb };
}

export const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
/** Longs zkt reads as numbers (times): any safe integer. */
export const time = fc.maxSafeInteger();
/** Any well-formed string, non-BMP characters included. */
export const str = fc.string({ unit: "binary", maxLength: 12 });
export const nstr = fc.option(str, { nil: null });
export const buf = fc.option(fc.uint8Array({ maxLength: 24 }), { nil: null });
export function vec<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[] | null> {
  return fc.option(fc.array(a, { maxLength: 4 }), { nil: null });
}
const strs = vec(str);

export const id: fc.Arbitrary<data.Id> = fc.record({ scheme: str, id: str });
export const acl: fc.Arbitrary<data.ACL> = fc.record({ perms: int, id });
export const acls = vec(acl);
const statPersistedFields = {
  czxid: long,
  mzxid: long,
  ctime: time,
  mtime: time,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  pzxid: long,
};
export const statPersisted: fc.Arbitrary<data.StatPersisted> = fc.record(statPersistedFields);
export const stat: fc.Arbitrary<data.Stat> = fc.record({
  ...statPersistedFields,
  dataLength: int,
  numChildren: int,
});
const clientInfo: fc.Arbitrary<data.ClientInfo> = fc.record({ authScheme: str, user: str });

/** Adds an optional trailing readOnly flag (absent for old clients). */
function withReadOnly<T extends object>(
  a: fc.Arbitrary<T>,
): fc.Arbitrary<T & { readOnly?: boolean }> {
  return fc.tuple(a, fc.option(fc.boolean(), { nil: undefined })).map(([v, ro]) =>
    ro === undefined ? v : { ...v, readOnly: ro }
  );
}

const createRequest = fc.record({ path: str, data: buf, acl: acls, flags: int });
const createTTLRequest = fc.record({ path: str, data: buf, acl: acls, flags: int, ttl: long });
const pathVersion = fc.record({ path: str, version: int });
const pathWatch = fc.record({ path: str, watch: fc.boolean() });
const path = fc.record({ path: str });
const token = fc.record({ token: buf });
const statResp = fc.record({ stat });
const setDataRequest = fc.record({ path: str, data: buf, version: int });
const create2Response = fc.record({ path: str, stat });
const getDataResponse = fc.record({ data: buf, stat });
const children = fc.record({ children: strs });
const setWatches = {
  relativeZxid: long,
  dataWatches: strs,
  existWatches: strs,
  childWatches: strs,
};

const multiOp: fc.Arbitrary<proto.MultiOp> = fc.oneof(
  fc.record({
    type: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer),
    request: createRequest,
  }),
  fc.record({ type: fc.constant(OpCode.createTTL), request: createTTLRequest }),
  fc.record({ type: fc.constant(OpCode.delete), request: pathVersion }),
  fc.record({ type: fc.constant(OpCode.setData), request: setDataRequest }),
  fc.record({ type: fc.constant(OpCode.check), request: pathVersion }),
  fc.record({ type: fc.constant(OpCode.getChildren), request: pathWatch }),
  fc.record({ type: fc.constant(OpCode.getData), request: pathWatch }),
);

const multiResult: fc.Arbitrary<proto.MultiResult> = fc.oneof(
  fc.record({ type: fc.constant(OpCode.create), response: path }),
  fc.record({ type: fc.constant(OpCode.create2), response: create2Response }),
  fc.record({ type: fc.constantFrom(OpCode.delete, OpCode.check) }),
  fc.record({ type: fc.constant(OpCode.setData), response: statResp }),
  fc.record({ type: fc.constant(OpCode.getChildren), response: children }),
  fc.record({ type: fc.constant(OpCode.getData), response: getDataResponse }),
  fc.record({ type: fc.constant(OpCode.error), response: fc.record({ err: int }) }),
);

const createTxnV0 = { path: str, data: buf, acl: acls, ephemeral: fc.boolean() };
const createContainerTxn = { path: str, data: buf, acl: acls, parentCVersion: int };
const subTxn: fc.Arbitrary<txn.Txn> = fc.record({ type: int, data: buf });

/** Every record, by its zookeeper.jute name (plus the multi framings). */
export const RECORDS: RecordCase[] = [
  // org.apache.zookeeper.data
  c("Id", data.readId, data.writeId, id),
  c("ACL", data.readACL, data.writeACL, acl),
  c("Stat", data.readStat, data.writeStat, stat),
  c("StatPersisted", data.readStatPersisted, data.writeStatPersisted, statPersisted),
  c("ClientInfo", data.readClientInfo, data.writeClientInfo, clientInfo),
  // org.apache.zookeeper.proto
  c(
    "ConnectRequest",
    proto.readConnectRequest,
    proto.writeConnectRequest,
    withReadOnly(fc.record({
      protocolVersion: int,
      lastZxidSeen: long,
      timeOut: int,
      sessionId: long,
      passwd: buf,
    })),
  ),
  c(
    "ConnectResponse",
    proto.readConnectResponse,
    proto.writeConnectResponse,
    withReadOnly(fc.record({ protocolVersion: int, timeOut: int, sessionId: long, passwd: buf })),
  ),
  c("SetWatches", proto.readSetWatches, proto.writeSetWatches, fc.record(setWatches)),
  c(
    "SetWatches2",
    proto.readSetWatches2,
    proto.writeSetWatches2,
    fc.record({ ...setWatches, persistentWatches: strs, persistentRecursiveWatches: strs }),
  ),
  c(
    "RequestHeader",
    proto.readRequestHeader,
    proto.writeRequestHeader,
    fc.record({ xid: int, type: int }),
  ),
  c(
    "MultiHeader",
    proto.readMultiHeader,
    proto.writeMultiHeader,
    fc.record({ type: int, done: fc.boolean(), err: int }),
  ),
  c(
    "AuthPacket",
    proto.readAuthPacket,
    proto.writeAuthPacket,
    fc.record({ type: int, scheme: str, auth: buf }),
  ),
  c(
    "ReplyHeader",
    proto.readReplyHeader,
    proto.writeReplyHeader,
    fc.record({ xid: int, zxid: long, err: int }),
  ),
  c("GetDataRequest", proto.readGetDataRequest, proto.writeGetDataRequest, pathWatch),
  c("SetDataRequest", proto.readSetDataRequest, proto.writeSetDataRequest, setDataRequest),
  c(
    "ReconfigRequest",
    proto.readReconfigRequest,
    proto.writeReconfigRequest,
    fc.record({
      joiningServers: nstr,
      leavingServers: nstr,
      newMembers: nstr,
      curConfigId: long,
    }),
  ),
  c("SetDataResponse", proto.readSetDataResponse, proto.writeSetDataResponse, statResp),
  c("GetSASLRequest", proto.readGetSASLRequest, proto.writeGetSASLRequest, token),
  c("SetSASLRequest", proto.readSetSASLRequest, proto.writeSetSASLRequest, token),
  c("SetSASLResponse", proto.readSetSASLResponse, proto.writeSetSASLResponse, token),
  c("CreateRequest", proto.readCreateRequest, proto.writeCreateRequest, createRequest),
  c("CreateTTLRequest", proto.readCreateTTLRequest, proto.writeCreateTTLRequest, createTTLRequest),
  c("DeleteRequest", proto.readDeleteRequest, proto.writeDeleteRequest, pathVersion),
  c("GetChildrenRequest", proto.readGetChildrenRequest, proto.writeGetChildrenRequest, pathWatch),
  c(
    "GetAllChildrenNumberRequest",
    proto.readGetAllChildrenNumberRequest,
    proto.writeGetAllChildrenNumberRequest,
    path,
  ),
  c(
    "GetChildren2Request",
    proto.readGetChildren2Request,
    proto.writeGetChildren2Request,
    pathWatch,
  ),
  c(
    "CheckVersionRequest",
    proto.readCheckVersionRequest,
    proto.writeCheckVersionRequest,
    pathVersion,
  ),
  c(
    "GetMaxChildrenRequest",
    proto.readGetMaxChildrenRequest,
    proto.writeGetMaxChildrenRequest,
    path,
  ),
  c(
    "GetMaxChildrenResponse",
    proto.readGetMaxChildrenResponse,
    proto.writeGetMaxChildrenResponse,
    fc.record({ max: int }),
  ),
  c(
    "SetMaxChildrenRequest",
    proto.readSetMaxChildrenRequest,
    proto.writeSetMaxChildrenRequest,
    fc.record({ path: str, max: int }),
  ),
  c("SyncRequest", proto.readSyncRequest, proto.writeSyncRequest, path),
  c("SyncResponse", proto.readSyncResponse, proto.writeSyncResponse, path),
  c("GetACLRequest", proto.readGetACLRequest, proto.writeGetACLRequest, path),
  c(
    "SetACLRequest",
    proto.readSetACLRequest,
    proto.writeSetACLRequest,
    fc.record({ path: str, acl: acls, version: int }),
  ),
  c("SetACLResponse", proto.readSetACLResponse, proto.writeSetACLResponse, statResp),
  c(
    "AddWatchRequest",
    proto.readAddWatchRequest,
    proto.writeAddWatchRequest,
    fc.record({ path: str, mode: int }),
  ),
  c(
    "WatcherEvent",
    proto.readWatcherEvent,
    proto.writeWatcherEvent,
    fc.record({ type: int, state: int, path: str }),
  ),
  c("ErrorResponse", proto.readErrorResponse, proto.writeErrorResponse, fc.record({ err: int })),
  c("CreateResponse", proto.readCreateResponse, proto.writeCreateResponse, path),
  c("Create2Response", proto.readCreate2Response, proto.writeCreate2Response, create2Response),
  c("ExistsRequest", proto.readExistsRequest, proto.writeExistsRequest, pathWatch),
  c("ExistsResponse", proto.readExistsResponse, proto.writeExistsResponse, statResp),
  c("GetDataResponse", proto.readGetDataResponse, proto.writeGetDataResponse, getDataResponse),
  c("GetChildrenResponse", proto.readGetChildrenResponse, proto.writeGetChildrenResponse, children),
  c(
    "GetAllChildrenNumberResponse",
    proto.readGetAllChildrenNumberResponse,
    proto.writeGetAllChildrenNumberResponse,
    fc.record({ totalNumber: int }),
  ),
  c(
    "GetChildren2Response",
    proto.readGetChildren2Response,
    proto.writeGetChildren2Response,
    fc.record({ children: strs, stat }),
  ),
  c(
    "GetACLResponse",
    proto.readGetACLResponse,
    proto.writeGetACLResponse,
    fc.record({ acl: acls, stat }),
  ),
  c(
    "CheckWatchesRequest",
    proto.readCheckWatchesRequest,
    proto.writeCheckWatchesRequest,
    fc.record({ path: str, type: int }),
  ),
  c(
    "RemoveWatchesRequest",
    proto.readRemoveWatchesRequest,
    proto.writeRemoveWatchesRequest,
    fc.record({ path: str, type: int }),
  ),
  c(
    "GetEphemeralsRequest",
    proto.readGetEphemeralsRequest,
    proto.writeGetEphemeralsRequest,
    fc.record({ prefixPath: str }),
  ),
  c(
    "GetEphemeralsResponse",
    proto.readGetEphemeralsResponse,
    proto.writeGetEphemeralsResponse,
    fc.record({ ephemerals: strs }),
  ),
  c(
    "WhoAmIResponse",
    proto.readWhoAmIResponse,
    proto.writeWhoAmIResponse,
    fc.record({ clientInfo: vec(clientInfo) }),
  ),
  c(
    "MultiRequest",
    proto.readMultiRequest,
    proto.writeMultiRequest,
    fc.array(multiOp, { maxLength: 5 }),
  ),
  c(
    "MultiResponse",
    proto.readMultiResponse,
    proto.writeMultiResponse,
    fc.array(multiResult, { maxLength: 5 }),
  ),
  // org.apache.zookeeper.server.quorum
  c(
    "LearnerInfo",
    quorum.readLearnerInfo,
    quorum.writeLearnerInfo,
    fc.record({ serverid: long, protocolVersion: int, configVersion: long }),
  ),
  c(
    "QuorumPacket",
    quorum.readQuorumPacket,
    quorum.writeQuorumPacket,
    fc.record({ type: int, zxid: long, data: buf, authinfo: vec(id) }),
  ),
  c(
    "QuorumAuthPacket",
    quorum.readQuorumAuthPacket,
    quorum.writeQuorumAuthPacket,
    fc.record({ magic: long, status: int, token: buf }),
  ),
  // org.apache.zookeeper.server.persistence
  c(
    "FileHeader",
    persistence.readFileHeader,
    persistence.writeFileHeader,
    fc.record({ magic: int, version: int, dbid: long }),
  ),
  // org.apache.zookeeper.txn
  c(
    "TxnDigest",
    txn.readTxnDigest,
    txn.writeTxnDigest,
    fc.record({ version: int, treeDigest: long }),
  ),
  c(
    "TxnHeader",
    txn.readTxnHeader,
    txn.writeTxnHeader,
    fc.record({ clientId: long, cxid: int, zxid: long, time, type: int }),
  ),
  c("CreateTxnV0", txn.readCreateTxnV0, txn.writeCreateTxnV0, fc.record(createTxnV0)),
  c(
    "CreateTxn",
    txn.readCreateTxn,
    txn.writeCreateTxn,
    fc.record({ ...createTxnV0, parentCVersion: int }),
  ),
  c(
    "CreateTTLTxn",
    txn.readCreateTTLTxn,
    txn.writeCreateTTLTxn,
    fc.record({ ...createContainerTxn, ttl: long }),
  ),
  c(
    "CreateContainerTxn",
    txn.readCreateContainerTxn,
    txn.writeCreateContainerTxn,
    fc.record(createContainerTxn),
  ),
  c("DeleteTxn", txn.readDeleteTxn, txn.writeDeleteTxn, path),
  c("SetDataTxn", txn.readSetDataTxn, txn.writeSetDataTxn, setDataRequest),
  c("CheckVersionTxn", txn.readCheckVersionTxn, txn.writeCheckVersionTxn, pathVersion),
  c(
    "SetACLTxn",
    txn.readSetACLTxn,
    txn.writeSetACLTxn,
    fc.record({ path: str, acl: acls, version: int }),
  ),
  c(
    "SetMaxChildrenTxn",
    txn.readSetMaxChildrenTxn,
    txn.writeSetMaxChildrenTxn,
    fc.record({ path: str, max: int }),
  ),
  c(
    "CreateSessionTxn",
    txn.readCreateSessionTxn,
    txn.writeCreateSessionTxn,
    fc.record({ timeOut: int }),
  ),
  c(
    "CloseSessionTxn",
    txn.readCloseSessionTxn,
    txn.writeCloseSessionTxn,
    fc.record({ paths2Delete: strs }),
  ),
  c("ErrorTxn", txn.readErrorTxn, txn.writeErrorTxn, fc.record({ err: int })),
  c("Txn", txn.readTxn, txn.writeTxn, subTxn),
  c("MultiTxn", txn.readMultiTxn, txn.writeMultiTxn, fc.record({ txns: vec(subTxn) })),
];
