// constants.ts against the values ZooKeeper 3.8's own classes report
// (fixtures/golden/constants.txt, written by scripts/gen-golden via reflection
// on ZooDefs, KeeperException, Watcher, CreateMode, AddWatchMode, Leader,
// QuorumAuth, FileSnap and FileTxnLog).
import assert from "node:assert/strict";
import {
  AddWatchMode,
  CreateMode,
  ErrorCode,
  errorMessage,
  errorName,
  EventType,
  Ids,
  KeeperState,
  OpCode,
  opName,
  Perms,
  quorumPacketName,
  QuorumPacketType,
  WatcherType,
  Xid,
} from "../../../src/jute/constants.ts";
import { SNAP_MAGIC, TXNLOG_MAGIC } from "../../../src/jute/persistence.ts";
import { QUORUM_AUTH_MAGIC, QuorumAuthStatus } from "../../../src/jute/quorum.ts";
import { GOLDEN_DIR } from "./golden_values.ts";

/** group → [key, value] pairs, in file order. */
function load(): Map<string, [string, string][]> {
  const text = Deno.readTextFileSync(`${GOLDEN_DIR}/constants.txt`);
  const out = new Map<string, [string, string][]>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [group, key, ...rest] = line.split(" ");
    const list = out.get(group) ?? [];
    list.push([key, rest.join(" ")]);
    out.set(group, list);
  }
  return out;
}

const ZK = load();

/** ZooKeeper's name → value table for a group, as numbers. */
function table(group: string): Record<string, number> {
  const pairs = ZK.get(group);
  assert.ok(pairs, `constants.txt has no ${group} lines`);
  return Object.fromEntries(pairs.map(([k, v]) => [k, Number(v)]));
}

function sorted(o: Record<string, number>): [string, number][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

Deno.test("OpCode has every ZooDefs.OpCode with the same value", () => {
  assert.deepEqual(sorted({ ...OpCode }), sorted(table("op")));
});

Deno.test("opName prints op codes as Request.op2String does (createTtl, unknown 106)", () => {
  for (const [op, name] of ZK.get("opName")!) assert.equal(opName(Number(op)), name, `op ${op}`);
});

Deno.test("ErrorCode has every KeeperException.Code, named as its enum constant", () => {
  const zk = table("err");
  assert.deepEqual(
    Object.values(ErrorCode).map((v) => [errorName(v), v]).sort(([a], [b]) =>
      `${a}`.localeCompare(`${b}`)
    ),
    sorted(zk),
  );
});

Deno.test("errorMessage matches KeeperException.getCodeMessage for every code", () => {
  for (const [code, msg] of ZK.get("errMessage")!) assert.equal(errorMessage(Number(code)), msg);
});

Deno.test("Perms, CreateMode, EventType, KeeperState, WatcherType, AddWatchMode match ZooKeeper", () => {
  assert.deepEqual(sorted({ ...Perms }), sorted(table("perm")));
  assert.deepEqual(sorted({ ...CreateMode }), sorted(table("createMode")));
  assert.deepEqual(sorted({ ...EventType }), sorted(table("eventType")));
  assert.deepEqual(sorted({ ...KeeperState }), sorted(table("keeperState")));
  assert.deepEqual(sorted({ ...WatcherType }), sorted(table("watcherType")));
  assert.deepEqual(sorted({ ...AddWatchMode }), sorted(table("addWatchMode")));
});

Deno.test("QuorumPacketType has every packet type of Leader.java", () => {
  assert.deepEqual(sorted({ ...QuorumPacketType }), sorted(table("quorumPacket")));
  assert.equal(quorumPacketName(QuorumPacketType.PROPOSAL), "PROPOSAL");
  assert.equal(quorumPacketName(42), "UNKNOWN42");
});

Deno.test("quorum auth magic and status, snapshot and txn-log magics match ZooKeeper", () => {
  assert.equal(QUORUM_AUTH_MAGIC.toString(16), ZK.get("quorumAuthMagic")![0][0]);
  assert.deepEqual(sorted({ ...QuorumAuthStatus }), sorted(table("quorumAuthStatus")));
  assert.equal(SNAP_MAGIC, table("magic").SNAP);
  assert.equal(TXNLOG_MAGIC, table("magic").TXNLOG);
});

Deno.test("reserved xids match ClientCnxn (notification, ping, auth, setWatches)", () => {
  const zk = table("xid");
  assert.deepEqual(
    { ...Xid },
    {
      notification: zk.NOTIFICATION_XID,
      ping: zk.PING_XID,
      auth: zk.AUTHPACKET_XID,
      setWatches: zk.SET_WATCHES_XID,
    },
  );
});

Deno.test("well-known ids and ACLs match ZooDefs.Ids", () => {
  const text = (acl: readonly { perms: number; id: { scheme: string; id: string } }[]) =>
    acl.map((a) => `${a.perms},${a.id.scheme},${a.id.id};`).join("");
  const acls = new Map(ZK.get("acl"));
  assert.equal(text(Ids.OPEN_ACL_UNSAFE), acls.get("OPEN_ACL_UNSAFE"));
  assert.equal(text(Ids.CREATOR_ALL_ACL), acls.get("CREATOR_ALL_ACL"));
  assert.equal(text(Ids.READ_ACL_UNSAFE), acls.get("READ_ACL_UNSAFE"));
  const ids = new Map(ZK.get("id"));
  assert.equal(
    `${Ids.ANYONE_ID_UNSAFE.scheme},${Ids.ANYONE_ID_UNSAFE.id}`,
    ids.get("ANYONE_ID_UNSAFE"),
  );
  assert.equal(`${Ids.AUTH_IDS.scheme},${Ids.AUTH_IDS.id}`, ids.get("AUTH_IDS"));
});
