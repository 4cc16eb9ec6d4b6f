// Protocol constants from Apache ZooKeeper 3.8 (ZooDefs, KeeperException.Code,
// Watcher, CreateMode, Leader): facts of the wire, one place each.

/** Request/txn op codes (ZooDefs.OpCode). */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

/** Names as ZooKeeper prints them (Request.op2String). */
const OP_NAMES = new Map<number, string>(
  Object.entries(OpCode).map(([k, v]) => [v, k === "createTTL" ? "createTtl" : k]),
);

/** The name ZooKeeper prints for an op code ("unknown N" otherwise). */
export function opName(op: number): string {
  return OP_NAMES.get(op) ?? `unknown ${op}`;
}

/** KeeperException.Code values. */
export const ErrorCode = {
  Ok: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  UnknownSession: -12,
  NewConfigNoQuorum: -13,
  ReconfigInProgress: -14,
  APIError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidACL: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  ThrottledOp: -127,
} as const;

const ERROR_NAMES = new Map<number, string>(
  Object.entries(ErrorCode).map(([k, v]) => [v, k.toUpperCase()]),
);

/** The enum name of an error code as KeeperException.Code prints it (e.g. NONODE). */
export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `UNKNOWN(${code})`;
}

/** ACL permission bits (ZooDefs.Perms). */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** CreateMode flag values sent in create requests. */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

/** Watcher.Event.EventType. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

/** Watcher.Event.KeeperState. */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

/** Watcher.WatcherType (checkWatches/removeWatches). */
export const WatcherType = { Children: 1, Data: 2, Any: 3 } as const;

/** AddWatchMode (addWatch). */
export const AddWatchMode = { PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 } as const;

/** Reserved xids of the client protocol. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Zab packet types (Leader.java). */
export const QuorumPacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;

/** Well-known ACLs (ZooDefs.Ids). */
export const Ids = {
  ANYONE_ID_UNSAFE: { scheme: "world", id: "anyone" },
  AUTH_IDS: { scheme: "auth", id: "" },
  OPEN_ACL_UNSAFE: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
  CREATOR_ALL_ACL: [{ perms: 31, id: { scheme: "auth", id: "" } }],
  READ_ACL_UNSAFE: [{ perms: 1, id: { scheme: "world", id: "anyone" } }],
} as const;
