// The values of the golden records (fixtures/golden/NAME.hex, written by
// Apache ZooKeeper 3.8's own classes via scripts/gen-golden). Each value mirrors
// the one built in scripts/golden/GoldenRecords.java; change both together.
import { CreateMode, Ids, OpCode, Perms } from "../../../src/jute/constants.ts";
import * as data from "../../../src/jute/data.ts";
import * as persistence from "../../../src/jute/persistence.ts";
import * as proto from "../../../src/jute/proto.ts";
import * as quorum from "../../../src/jute/quorum.ts";
import type { Reader } from "../../../src/jute/reader.ts";
import * as txn from "../../../src/jute/txn.ts";
import { encode, type Writer } from "../../../src/jute/writer.ts";

export const GOLDEN_DIR = `${import.meta.dirname}/../../../fixtures/golden`;

/** The bytes of fixtures/golden/NAME.hex. */
export function golden(name: string, dir = GOLDEN_DIR): Uint8Array {
  const hex = Deno.readTextFileSync(`${dir}/${name}.hex`).trim();
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
export const UNICODE_PATH = "/\u00fcn\u00ef/\u65e5\u672c/\u{1f980}";
const PASSWD = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SESSION = 0x1000123456789abn;
const STAT: data.Stat = {
  czxid: 0x100000001n,
  mzxid: 0x100000002n,
  ctime: 1700000000123,
  mtime: 1700000000456,
  version: 3,
  cversion: -2,
  aversion: 1,
  ephemeralOwner: 0x1234567890abcdefn,
  dataLength: 5,
  numChildren: 2,
  pzxid: 0x100000003n,
};
export const OPEN: data.ACL = { perms: Perms.ALL, id: { scheme: "world", id: "anyone" } };
const DIGEST_ACL: data.ACL = {
  perms: Perms.READ | Perms.ADMIN,
  id: { scheme: "digest", id: "alice:Xk7Vz4yM2Xb0ZdyBStIIZoqG7zQ=" },
};
export const CREATE_TXN: txn.CreateTxn = {
  path: "/app/node-0000000001",
  data: utf8("hello"),
  acl: [OPEN],
  ephemeral: true,
  parentCVersion: 7,
};
const SET_DATA_TXN: txn.SetDataTxn = { path: "/a", data: Uint8Array.of(1, 2), version: 5 };

/** A golden record: its codec and the value its bytes hold. */
export interface Golden {
  name: string;
  read: (r: Reader) => unknown;
  write: (w: Writer, v: unknown) => void;
  value: unknown;
}

function g<T>(
  name: string,
  read: (r: Reader) => T,
  write: (w: Writer, v: T) => void,
  value: T,
): Golden {
  return { name, read, write: write as (w: Writer, v: unknown) => void, value };
}

export const GOLDENS: Golden[] = [
  g("Id", data.readId, data.writeId, { scheme: "ip", id: "127.0.0.1" }),
  g("ACL", data.readACL, data.writeACL, DIGEST_ACL),
  g("Stat", data.readStat, data.writeStat, STAT),
  g("StatPersisted", data.readStatPersisted, data.writeStatPersisted, {
    czxid: 0x100000001n,
    mzxid: 0x100000002n,
    ctime: 1700000000123,
    mtime: 1700000000456,
    version: 3,
    cversion: -2,
    aversion: 1,
    ephemeralOwner: 0x1234567890abcdefn,
    pzxid: 0x100000003n,
  }),
  g("ClientInfo", data.readClientInfo, data.writeClientInfo, {
    authScheme: "digest",
    user: "alice",
  }),

  g("ConnectRequest", proto.readConnectRequest, proto.writeConnectRequest, {
    protocolVersion: 0,
    lastZxidSeen: 0x200000005n,
    timeOut: 30000,
    sessionId: 0n,
    passwd: new Uint8Array(16),
  }),
  g("ConnectRequestReadOnly", proto.readConnectRequest, proto.writeConnectRequest, {
    protocolVersion: 0,
    lastZxidSeen: 0x200000005n,
    timeOut: 30000,
    sessionId: SESSION,
    passwd: PASSWD,
    readOnly: true,
  }),
  g("ConnectResponse", proto.readConnectResponse, proto.writeConnectResponse, {
    protocolVersion: 0,
    timeOut: 30000,
    sessionId: SESSION,
    passwd: PASSWD,
  }),
  g("ConnectResponseReadOnly", proto.readConnectResponse, proto.writeConnectResponse, {
    protocolVersion: 0,
    timeOut: 4000,
    sessionId: SESSION,
    passwd: PASSWD,
    readOnly: false,
  }),
  g("RequestHeader", proto.readRequestHeader, proto.writeRequestHeader, {
    xid: 7,
    type: OpCode.create,
  }),
  g("ReplyHeader", proto.readReplyHeader, proto.writeReplyHeader, {
    xid: 7,
    zxid: 0x200000006n,
    err: -101,
  }),
  g("MultiHeader", proto.readMultiHeader, proto.writeMultiHeader, proto.MULTI_END),
  g("AuthPacket", proto.readAuthPacket, proto.writeAuthPacket, {
    type: 0,
    scheme: "digest",
    auth: utf8("alice:secret"),
  }),
  g("GetDataRequest", proto.readGetDataRequest, proto.writeGetDataRequest, {
    path: UNICODE_PATH,
    watch: true,
  }),
  g("SetDataRequest", proto.readSetDataRequest, proto.writeSetDataRequest, {
    path: "/a",
    data: Uint8Array.of(0, 1, 2, 0xff),
    version: -1,
  }),
  g("ReconfigRequest", proto.readReconfigRequest, proto.writeReconfigRequest, {
    joiningServers: "server.4=127.0.0.1:2891:3891:participant;2184",
    leavingServers: null,
    newMembers: null,
    curConfigId: -1n,
  }),
  g("SetDataResponse", proto.readSetDataResponse, proto.writeSetDataResponse, { stat: STAT }),
  g("GetSASLRequest", proto.readGetSASLRequest, proto.writeGetSASLRequest, {
    token: Uint8Array.of(0xde, 0xad),
  }),
  g("SetSASLRequest", proto.readSetSASLRequest, proto.writeSetSASLRequest, { token: null }),
  g("SetSASLResponse", proto.readSetSASLResponse, proto.writeSetSASLResponse, {
    token: new Uint8Array(0),
  }),
  g("CreateRequest", proto.readCreateRequest, proto.writeCreateRequest, {
    path: "/app/node-",
    data: utf8("hello"),
    acl: [OPEN, DIGEST_ACL],
    flags: CreateMode.EPHEMERAL_SEQUENTIAL,
  }),
  g("CreateRequestNulls", proto.readCreateRequest, proto.writeCreateRequest, {
    path: "/n",
    data: null,
    acl: null,
    flags: 0,
  }),
  g("CreateTTLRequest", proto.readCreateTTLRequest, proto.writeCreateTTLRequest, {
    path: "/ttl",
    data: new Uint8Array(0),
    acl: [...Ids.OPEN_ACL_UNSAFE],
    flags: CreateMode.PERSISTENT_WITH_TTL,
    ttl: 60000n,
  }),
  g("DeleteRequest", proto.readDeleteRequest, proto.writeDeleteRequest, { path: "/a", version: 4 }),
  g("GetChildrenRequest", proto.readGetChildrenRequest, proto.writeGetChildrenRequest, {
    path: "/",
    watch: false,
  }),
  g(
    "GetAllChildrenNumberRequest",
    proto.readGetAllChildrenNumberRequest,
    proto.writeGetAllChildrenNumberRequest,
    { path: "/app" },
  ),
  g(
    "GetAllChildrenNumberResponse",
    proto.readGetAllChildrenNumberResponse,
    proto.writeGetAllChildrenNumberResponse,
    { totalNumber: 12 },
  ),
  g("GetChildren2Request", proto.readGetChildren2Request, proto.writeGetChildren2Request, {
    path: "/app",
    watch: true,
  }),
  g("CheckVersionRequest", proto.readCheckVersionRequest, proto.writeCheckVersionRequest, {
    path: "/a",
    version: -1,
  }),
  g("GetMaxChildrenRequest", proto.readGetMaxChildrenRequest, proto.writeGetMaxChildrenRequest, {
    path: "/a",
  }),
  g(
    "GetMaxChildrenResponse",
    proto.readGetMaxChildrenResponse,
    proto.writeGetMaxChildrenResponse,
    { max: 100 },
  ),
  g("SetMaxChildrenRequest", proto.readSetMaxChildrenRequest, proto.writeSetMaxChildrenRequest, {
    path: "/a",
    max: 100,
  }),
  g("SyncRequest", proto.readSyncRequest, proto.writeSyncRequest, { path: "/" }),
  g("SyncResponse", proto.readSyncResponse, proto.writeSyncResponse, { path: "/" }),
  g("GetACLRequest", proto.readGetACLRequest, proto.writeGetACLRequest, { path: "/a" }),
  g("SetACLRequest", proto.readSetACLRequest, proto.writeSetACLRequest, {
    path: "/a",
    acl: [DIGEST_ACL],
    version: 2,
  }),
  g("SetACLResponse", proto.readSetACLResponse, proto.writeSetACLResponse, { stat: STAT }),
  g("AddWatchRequest", proto.readAddWatchRequest, proto.writeAddWatchRequest, {
    path: "/app",
    mode: 1,
  }),
  g("WatcherEvent", proto.readWatcherEvent, proto.writeWatcherEvent, {
    type: 3,
    state: 3,
    path: "/app",
  }),
  g("ErrorResponse", proto.readErrorResponse, proto.writeErrorResponse, { err: -110 }),
  g("CreateResponse", proto.readCreateResponse, proto.writeCreateResponse, {
    path: "/app/node-0000000001",
  }),
  g("Create2Response", proto.readCreate2Response, proto.writeCreate2Response, {
    path: "/app/node-0000000001",
    stat: STAT,
  }),
  g("ExistsRequest", proto.readExistsRequest, proto.writeExistsRequest, {
    path: "/a",
    watch: true,
  }),
  g("ExistsResponse", proto.readExistsResponse, proto.writeExistsResponse, { stat: STAT }),
  g("GetDataResponse", proto.readGetDataResponse, proto.writeGetDataResponse, {
    data: utf8("data"),
    stat: STAT,
  }),
  g("GetChildrenResponse", proto.readGetChildrenResponse, proto.writeGetChildrenResponse, {
    children: ["a", "b", "\u00fcn\u00ef"],
  }),
  g("GetChildren2Response", proto.readGetChildren2Response, proto.writeGetChildren2Response, {
    children: [],
    stat: STAT,
  }),
  g("GetACLResponse", proto.readGetACLResponse, proto.writeGetACLResponse, {
    acl: [OPEN, DIGEST_ACL],
    stat: STAT,
  }),
  g("CheckWatchesRequest", proto.readCheckWatchesRequest, proto.writeCheckWatchesRequest, {
    path: "/a",
    type: 3,
  }),
  g("RemoveWatchesRequest", proto.readRemoveWatchesRequest, proto.writeRemoveWatchesRequest, {
    path: "/a",
    type: 2,
  }),
  g("GetEphemeralsRequest", proto.readGetEphemeralsRequest, proto.writeGetEphemeralsRequest, {
    prefixPath: "/app",
  }),
  g("GetEphemeralsResponse", proto.readGetEphemeralsResponse, proto.writeGetEphemeralsResponse, {
    ephemerals: ["/app/e1", "/app/e2"],
  }),
  g("WhoAmIResponse", proto.readWhoAmIResponse, proto.writeWhoAmIResponse, {
    clientInfo: [{ authScheme: "ip", user: "127.0.0.1" }, { authScheme: "digest", user: "alice" }],
  }),
  g("SetWatches", proto.readSetWatches, proto.writeSetWatches, {
    relativeZxid: 0x200000005n,
    dataWatches: ["/d"],
    existWatches: ["/e1", "/e2"],
    childWatches: [],
  }),
  g("SetWatches2", proto.readSetWatches2, proto.writeSetWatches2, {
    relativeZxid: 0x200000005n,
    dataWatches: ["/d"],
    existWatches: [],
    childWatches: ["/c"],
    persistentWatches: ["/p"],
    persistentRecursiveWatches: ["/r"],
  }),
  g("MultiRequest", proto.readMultiRequest, proto.writeMultiRequest, [
    {
      type: OpCode.create,
      request: { path: "/m", data: utf8("x"), acl: [OPEN], flags: CreateMode.PERSISTENT },
    },
    {
      type: OpCode.createTTL,
      request: {
        path: "/t",
        data: utf8("t"),
        acl: [OPEN],
        flags: CreateMode.PERSISTENT_WITH_TTL,
        ttl: 5000n,
      },
    },
    { type: OpCode.delete, request: { path: "/old", version: 3 } },
    { type: OpCode.setData, request: { path: "/m", data: utf8("y"), version: 0 } },
    { type: OpCode.check, request: { path: "/m", version: 1 } },
  ]),
  g("MultiReadRequest", proto.readMultiRequest, proto.writeMultiRequest, [
    { type: OpCode.getChildren, request: { path: "/", watch: false } },
    { type: OpCode.getData, request: { path: "/m", watch: false } },
  ]),
  g("MultiResponse", proto.readMultiResponse, proto.writeMultiResponse, [
    { type: OpCode.create, response: { path: "/m" } },
    { type: OpCode.create2, response: { path: "/m2", stat: STAT } },
    { type: OpCode.delete },
    { type: OpCode.setData, response: { stat: STAT } },
    { type: OpCode.check },
    { type: OpCode.error, response: { err: -101 } },
  ]),
  g("MultiReadResponse", proto.readMultiResponse, proto.writeMultiResponse, [
    { type: OpCode.getChildren, response: { children: ["m", "zookeeper"] } },
    { type: OpCode.getData, response: { data: utf8("y"), stat: STAT } },
    { type: OpCode.error, response: { err: -102 } },
  ]),

  g("TxnHeader", txn.readTxnHeader, txn.writeTxnHeader, {
    clientId: SESSION,
    cxid: 42,
    zxid: 0x200000007n,
    time: 1700000000789,
    type: OpCode.create,
  }),
  g("TxnDigest", txn.readTxnDigest, txn.writeTxnDigest, {
    version: 2,
    treeDigest: 0x1122334455667788n,
  }),
  g("CreateTxn", txn.readCreateTxn, txn.writeCreateTxn, CREATE_TXN),
  g("CreateTxnV0", txn.readCreateTxnV0, txn.writeCreateTxnV0, {
    path: "/v0",
    data: new Uint8Array(0),
    acl: [OPEN],
    ephemeral: false,
  }),
  g("CreateContainerTxn", txn.readCreateContainerTxn, txn.writeCreateContainerTxn, {
    path: "/c",
    data: null,
    acl: [OPEN],
    parentCVersion: 0,
  }),
  g("CreateTTLTxn", txn.readCreateTTLTxn, txn.writeCreateTTLTxn, {
    path: "/ttl",
    data: utf8("t"),
    acl: [OPEN],
    parentCVersion: 1,
    ttl: 60000n,
  }),
  g("DeleteTxn", txn.readDeleteTxn, txn.writeDeleteTxn, { path: "/a" }),
  g("SetDataTxn", txn.readSetDataTxn, txn.writeSetDataTxn, SET_DATA_TXN),
  g("CheckVersionTxn", txn.readCheckVersionTxn, txn.writeCheckVersionTxn, {
    path: "/a",
    version: 5,
  }),
  g("SetACLTxn", txn.readSetACLTxn, txn.writeSetACLTxn, {
    path: "/a",
    acl: [DIGEST_ACL],
    version: 3,
  }),
  g("SetMaxChildrenTxn", txn.readSetMaxChildrenTxn, txn.writeSetMaxChildrenTxn, {
    path: "/a",
    max: 10,
  }),
  g("CreateSessionTxn", txn.readCreateSessionTxn, txn.writeCreateSessionTxn, { timeOut: 30000 }),
  g("CloseSessionTxn", txn.readCloseSessionTxn, txn.writeCloseSessionTxn, {
    paths2Delete: ["/e1", "/e2"],
  }),
  g("ErrorTxn", txn.readErrorTxn, txn.writeErrorTxn, { err: -101 }),
  g("Txn", txn.readTxn, txn.writeTxn, {
    type: OpCode.delete,
    data: encode(txn.writeDeleteTxn, { path: "/a" }),
  }),
  g("MultiTxn", txn.readMultiTxn, txn.writeMultiTxn, {
    txns: [
      { type: OpCode.create, data: encode(txn.writeCreateTxn, CREATE_TXN) },
      { type: OpCode.setData, data: encode(txn.writeSetDataTxn, SET_DATA_TXN) },
      { type: OpCode.error, data: encode(txn.writeErrorTxn, { err: -101 }) },
    ],
  }),

  g("FileHeaderSnap", persistence.readFileHeader, persistence.writeFileHeader, {
    magic: persistence.SNAP_MAGIC,
    version: 2,
    dbid: -1n,
  }),
  g("FileHeaderLog", persistence.readFileHeader, persistence.writeFileHeader, {
    magic: persistence.TXNLOG_MAGIC,
    version: 2,
    dbid: 0n,
  }),
  g("QuorumPacket", quorum.readQuorumPacket, quorum.writeQuorumPacket, {
    type: 2,
    zxid: 0x200000007n,
    data: Uint8Array.of(1, 2, 3, 4, 5),
    authinfo: null,
  }),
  g("QuorumPacketAuth", quorum.readQuorumPacket, quorum.writeQuorumPacket, {
    type: 1,
    zxid: -1n,
    data: Uint8Array.of(0),
    authinfo: [{ scheme: "digest", id: "alice:x" }, { scheme: "ip", id: "127.0.0.1" }],
  }),
  g("QuorumPacketNulls", quorum.readQuorumPacket, quorum.writeQuorumPacket, {
    type: 5,
    zxid: 0x300000000n,
    data: null,
    authinfo: null,
  }),
  g("LearnerInfo", quorum.readLearnerInfo, quorum.writeLearnerInfo, {
    serverid: 3n,
    protocolVersion: 0x10000,
    configVersion: 0x100000000n,
  }),
  g("QuorumAuthPacket", quorum.readQuorumAuthPacket, quorum.writeQuorumAuthPacket, {
    magic: quorum.QUORUM_AUTH_MAGIC,
    status: quorum.QuorumAuthStatus.SUCCESS,
    token: Uint8Array.of(9, 8),
  }),
];
