// node-zookeeper-client (npm, unchanged, run under Deno's Node compatibility)
// against `zkt serve` and Apache ZooKeeper 3.8: CRUD, a one-shot watch, an
// ephemeral gone after its session closes, a transaction and a failing one that
// rolls back, digest ACLs. Both servers must give the expected observations.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Buffer } from "node:buffer";
import zookeeperModule from "node-zookeeper-client";
import { SKIP_INTEROP } from "../../support/interop.ts";
import { waitFor } from "../../support/wait.ts";
import { onBoth, startTargets, type Target } from "./targets.ts";

// The package ships no types; this is the part of its API the test uses.
interface NzkError {
  getCode(): number;
  getName(): string;
}
interface NzkStat {
  version: number;
  cversion: number;
  aversion: number;
  dataLength: number;
  numChildren: number;
  ephemeralOwner: Buffer;
}
interface NzkEvent {
  getName(): string;
  getPath(): string;
}
interface NzkAcl {
  permission: number;
  id: { scheme: string; id: string };
}
type Cb<T extends unknown[]> = (err: NzkError | null, ...r: T) => void;
type Watcher = (e: NzkEvent) => void;
interface NzkTransaction {
  create(path: string, data?: Buffer, acls?: unknown, mode?: number): NzkTransaction;
  setData(path: string, data: Buffer, version?: number): NzkTransaction;
  remove(path: string, version?: number): NzkTransaction;
  check(path: string, version?: number): NzkTransaction;
  commit(cb: Cb<[{ type: number; err?: number; path?: string }[]]>): void;
}
interface NzkClient {
  connect(): void;
  close(): void;
  once(ev: "connected", f: () => void): void;
  getSessionId(): Buffer;
  addAuthInfo(scheme: string, auth: Buffer): void;
  create(path: string, data: Buffer, acls: unknown, mode: number, cb: Cb<[string]>): void;
  remove(path: string, version: number, cb: Cb<[]>): void;
  setData(path: string, data: Buffer, version: number, cb: Cb<[NzkStat]>): void;
  getData(path: string, watcher: Watcher | undefined, cb: Cb<[Buffer, NzkStat]>): void;
  exists(path: string, watcher: Watcher | undefined, cb: Cb<[NzkStat | null]>): void;
  getChildren(path: string, watcher: Watcher | undefined, cb: Cb<[string[], NzkStat]>): void;
  getACL(path: string, cb: Cb<[NzkAcl[], NzkStat]>): void;
  setACL(path: string, acls: unknown, version: number, cb: Cb<[NzkStat]>): void;
  transaction(): NzkTransaction;
}
interface NzkModule {
  createClient(hosts: string, opts: Record<string, number>): NzkClient;
  CreateMode: Record<string, number>;
  ACL: {
    OPEN_ACL_UNSAFE: unknown;
    new (perms: number, id: unknown): unknown;
  };
  Id: new (scheme: string, id: string) => unknown;
  Permission: Record<string, number>;
}
const zookeeper = zookeeperModule as unknown as NzkModule;

/** Calls a callback-style method; resolves to the error name or the results. */
function call<T extends unknown[]>(
  f: (cb: Cb<T>) => void,
): Promise<{ err: string } | { ok: T }> {
  return new Promise((resolve) =>
    f((err, ...r) => resolve(err ? { err: err.getName() } : { ok: r }))
  );
}

async function ok<T extends unknown[]>(f: (cb: Cb<T>) => void): Promise<T> {
  const r = await call(f);
  if ("err" in r) throw new Error(`unexpected ${r.err}`);
  return r.ok;
}

async function errName<T extends unknown[]>(f: (cb: Cb<T>) => void): Promise<string> {
  const r = await call(f);
  return "err" in r ? r.err : "OK";
}

async function connect(hostPort: string): Promise<NzkClient> {
  const c = zookeeper.createClient(hostPort, { sessionTimeout: 10_000, retries: 0 });
  const ready = new Promise<void>((r) => c.once("connected", r));
  c.connect();
  await ready;
  return c;
}

const b = (s: string) => Buffer.from(s);

/** One scenario; every field is something a user of the client would check. */
async function scenario(t: Target): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const { CreateMode } = zookeeper;
  const a = await connect(t.hostPort);
  const other = await connect(t.hostPort);
  try {
    // CRUD
    out.create = (await ok<[string]>((cb) =>
      a.create("/n", b("v0"), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb)
    ))[0];
    const [data, st] = await ok<[Buffer, NzkStat]>((cb) =>
      a.getData("/n", undefined, cb)
    );
    out.get = [data.toString(), st.version, st.dataLength];
    out.set_version = (await ok<[NzkStat]>((cb) => a.setData("/n", b("v1"), 0, cb)))[0].version;
    out.set_bad_version = await errName((cb) => a.setData("/n", b("x"), 9, cb));
    out.create_exists = await errName((cb) =>
      a.create("/n", b(""), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb)
    );
    out.get_missing = await errName((cb) => a.getData("/missing", undefined, cb));
    for (const kid of ["k1", "k2"]) {
      await ok((cb) =>
        a.create(`/n/${kid}`, b(""), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb)
      );
    }
    out.children = (await ok<[string[], NzkStat]>((cb) => a.getChildren("/n", undefined, cb)))[0]
      .sort();
    out.sequential = (await ok<[string]>((cb) =>
      a.create("/n/s-", b(""), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL, cb)
    ))[0];
    out.delete_not_empty = await errName((cb) =>
      a.remove("/n", -1, cb)
    );
    out.delete = await errName((cb) =>
      a.remove("/n/k1", 0, cb)
    );
    out.exists_after_delete = (await ok<[NzkStat | null]>((cb) =>
      a.exists("/n/k1", undefined, cb)
    ))[0];

    // One-shot watches: fire once, for the change another session makes.
    const events: string[] = [];
    let eventCount = 0;
    const watcher = (e: NzkEvent) => {
      events.push(`${e.getName()} ${e.getPath()}`);
      eventCount++;
    };
    await ok((cb) =>
      a.getData("/n", watcher, cb)
    );
    await ok((cb) => a.getChildren("/n", watcher, cb));
    await ok((cb) => a.exists("/n/new", watcher, cb));
    await ok((cb) => other.setData("/n", b("v2"), -1, cb));
    await ok((cb) =>
      other.create("/n/new", b(""), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb)
    );
    await waitFor("three watch events", () => eventCount >= 3, 10_000);
    await ok((cb) => other.setData("/n", b("v3"), -1, cb)); // no watch left: no event
    await ok((cb) => a.getData("/n", undefined, cb)); // a read after it on a's connection
    out.events = [...events].sort();

    // Ephemerals belong to their session and go with it.
    await ok((cb) =>
      other.create("/n/eph", b("e"), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, cb)
    );
    const eph = (await ok<[NzkStat | null]>((cb) => a.exists("/n/eph", undefined, cb)))[0];
    out.ephemeral_owner_is_other = eph !== null &&
      eph.ephemeralOwner.equals(other.getSessionId());
    out.ephemeral_child = await errName((cb) =>
      other.create("/n/eph/c", b(""), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb)
    );
    other.close();
    out.ephemeral_gone_after_close = await waitFor("the ephemeral to go", async () =>
      (await ok<[NzkStat | null]>((cb) =>
        a.exists("/n/eph", undefined, cb)
      ))[0] === null, 10_000);

    // Transactions: all or nothing.
    const good = await call<[{ type: number; err?: number; path?: string }[]]>((cb) =>
      a.transaction()
        .create("/txn", b("t"), zookeeper.ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
        .create("/txn/a", b(""))
        .setData("/txn", b("t2"))
        .check("/txn/a", 0)
        .commit(cb)
    );
    out.txn_ok = "ok" in good
      ? good.ok[0].map((r) => r.path ?? r.type)
      : good.err;
    const bad = await call<[{ type: number; err?: number }[]]>((cb) =>
      a.transaction()
        .create("/txn/b", b(""))
        .remove("/txn/a")
        .setData("/txn", b("never"), 42)
        .commit(cb)
    );
    out.txn_fail = "err" in bad ? bad.err : bad.ok;
    const [txnData] = await ok<[Buffer, NzkStat]>((cb) => a.getData("/txn", undefined, cb));
    const [txnKids] = await ok<[string[], NzkStat]>((cb) => a.getChildren("/txn", undefined, cb));
    out.txn_fail_state = [txnData.toString(), txnKids];

    // Digest ACLs.
    const alice = await connect(t.hostPort);
    alice.addAuthInfo("digest", b("alice:secret"));
    const { Permission, ACL, Id } = zookeeper;
    await ok((cb) =>
      alice.create(
        "/secure",
        b("s"),
        [new ACL(Permission.ALL, new Id("auth", ""))],
        CreateMode.PERSISTENT,
        cb,
      )
    );
    out.owner_get = (await ok<[Buffer, NzkStat]>((cb) =>
      alice.getData("/secure", undefined, cb)
    ))[0]
      .toString();
    out.stranger_get = await errName((cb) => a.getData("/secure", undefined, cb));
    out.stranger_set_acl = await errName((cb) =>
      a.setACL("/secure", zookeeper.ACL.OPEN_ACL_UNSAFE, -1, cb)
    );
    out.acl = (await ok<[NzkAcl[], NzkStat]>((cb) => alice.getACL("/secure", cb)))[0].map((
      x,
    ) => [x.permission, x.id.scheme, x.id.id]);
    alice.close();
  } finally {
    a.close();
    other.close();
  }
  return out;
}

const EXPECTED = {
  create: "/n",
  get: ["v0", 0, 2],
  set_version: 1,
  set_bad_version: "BAD_VERSION",
  create_exists: "NODE_EXISTS",
  get_missing: "NO_NODE",
  children: ["k1", "k2"],
  sequential: "/n/s-0000000002",
  delete_not_empty: "NOT_EMPTY",
  delete: "OK",
  exists_after_delete: null,
  events: ["NODE_CHILDREN_CHANGED /n", "NODE_CREATED /n/new", "NODE_DATA_CHANGED /n"],
  ephemeral_owner_is_other: true,
  ephemeral_child: "NO_CHILDREN_FOR_EPHEMERALS",
  ephemeral_gone_after_close: true,
  txn_ok: ["/txn", "/txn/a", 5, 13],
  txn_fail: "BAD_VERSION",
  txn_fail_state: ["t2", ["a"]],
  owner_get: "s",
  stranger_get: "NO_AUTH",
  stranger_set_acl: "NO_AUTH",
  acl: [[31, "digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="]],
};

Deno.test({
  name: "node-zookeeper-client works unchanged against zkt serve, as against Apache ZooKeeper 3.8",
  ignore: SKIP_INTEROP,
  // The client keeps its own timers and sockets alive past close().
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const targets = await startTargets();
    try {
      const [zkt, zk] = await onBoth(targets, scenario);
      assertEquals(zk, EXPECTED, "Apache ZooKeeper gives the expected results");
      assertEquals(zkt, EXPECTED, "zkt gives node-zookeeper-client the same results");
    } finally {
      await targets.stop();
    }
  },
});
