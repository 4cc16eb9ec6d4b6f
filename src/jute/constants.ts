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

// Request.op2String's table: createTTL prints as "createTtl", and addWatch is
// missing from it, so ZooKeeper prints it as "unknown 106".
const OP_NAMES = new Map<number, string>(
  Object.entries(OpCode)
    .filter(([k]) => k !== "addWatch")
    .map(([k, v]) => [v, k === "createTTL" ? "createTtl" : k]),
);

/** The name ZooKeeper prints for an op code (Request.op2String; "unknown N" otherwise). */
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

// KeeperException.getCodeMessage: most codes print their camel-case name, a few
// print a sentence, and codes it has no case for print "Unknown error <ENUM>".
const ERROR_MESSAGES = new Map<number, string>([
  [ErrorCode.Ok, "ok"],
  [ErrorCode.NotEmpty, "Directory not empty"],
  [ErrorCode.SessionExpired, "Session expired"],
  [ErrorCode.InvalidCallback, "Invalid callback"],
  [ErrorCode.SessionMoved, "Session moved"],
  [ErrorCode.NotReadOnly, "Not a read-only call"],
  [ErrorCode.EphemeralOnLocalSession, "Ephemeral node on local session"],
  [ErrorCode.NoWatcher, "No such watcher"],
  [ErrorCode.ReconfigDisabled, "Reconfig is disabled"],
  [ErrorCode.SessionClosedRequireSaslAuth, "Session closed because client failed to authenticate"],
  [ErrorCode.QuotaExceeded, "Quota has exceeded"],
  [ErrorCode.ThrottledOp, "Op throttled due to high load"],
  [ErrorCode.UnknownSession, "Unknown error UNKNOWNSESSION"],
  [ErrorCode.RequestTimeout, "Unknown error REQUESTTIMEOUT"],
]);

/** The message of a KeeperException ("KeeperErrorCode = NoNode" without the prefix). */
export function errorMessage(code: number): string {
  const special = ERROR_MESSAGES.get(code);
  if (special !== undefined) return special;
  for (const [k, v] of Object.entries(ErrorCode)) if (v === code) return k;
  return `Unknown error ${code}`;
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

const QUORUM_PACKET_NAMES = new Map<number, string>(
  Object.entries(QuorumPacketType).map(([k, v]) => [v, k]),
);

/** The name of a Zab packet type (e.g. PROPOSAL); "UNKNOWN<n>" as LearnerHandler prints it. */
export function quorumPacketName(type: number): string {
  return QUORUM_PACKET_NAMES.get(type) ?? `UNKNOWN${type}`;
}

const ANYONE = Object.freeze({ scheme: "world", id: "anyone" });
const AUTH = Object.freeze({ scheme: "auth", id: "" });

/** Well-known identities and ACLs (ZooDefs.Ids). */
export const Ids = {
  /** world:anyone. */
  ANYONE_ID_UNSAFE: ANYONE,
  /** auth: (replaced by the caller's authenticated ids when set as an ACL). */
  AUTH_IDS: AUTH,
  /** Everyone may do everything. */
  OPEN_ACL_UNSAFE: Object.freeze([Object.freeze({ perms: Perms.ALL, id: ANYONE })]),
  /** The creator's authenticated ids may do everything. */
  CREATOR_ALL_ACL: Object.freeze([Object.freeze({ perms: Perms.ALL, id: AUTH })]),
  /** Everyone may read. */
  READ_ACL_UNSAFE: Object.freeze([Object.freeze({ perms: Perms.READ, id: ANYONE })]),
} as const;
