// kazoo (Debian's python3-kazoo, unchanged) against `zkt serve` and Apache
// ZooKeeper 3.8: each script prints what kazoo observed as JSON; both servers must
// give exactly the expected values, so zkt matches ZooKeeper and both match the docs.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../../support/interop.ts";
import { onBoth, runClient, startTargets, type Target } from "./targets.ts";

async function kazoo(script: string, t: Target, chroot: string): Promise<unknown> {
  const path = new URL(`./${script}`, import.meta.url).pathname;
  const r = await runClient(SYSTEM_PYTHON, [path, t.hostPort, chroot], "", {
    PYTHONDONTWRITEBYTECODE: "1",
  });
  if (r.code !== 0) {
    throw new Error(
      `${script} against ${t.name} exited ${r.code}\n${r.stderr}\n--- ${t.name} log ---\n${
        t.log().slice(-3000)
      }`,
    );
  }
  return JSON.parse(r.stdout);
}

const CRUD = {
  create: "/crud",
  get: ["v0", 0, 2, 0],
  set_version: 1,
  set_bad_version: "BadVersionError",
  create_exists: "NodeExistsError",
  get_missing: "NoNodeError",
  create_no_parent: "NoNodeError",
  children: ["a", "b"],
  exists_stat: 2,
  exists_missing: null,
  delete_not_empty: "NotEmptyError",
  delete_bad_version: "BadVersionError",
  after_delete: ["b"],
  ensure_path: true,
  recursive_delete: null,
  sequences: ["/seq/n-0000000000", "/seq/n-0000000001", "/seq/n-0000000002"],
  sequence_after_delete: "/seq/n-0000000003",
  ephemeral_owner_is_other: true,
  ephemeral_seq: "/seq/e-0000000004",
  ephemeral_child: "NoChildrenForEphemeralsError",
  ephemeral_after_close: [null, null],
  txn_ok: ["/txn", "/txn/a", "ZnodeStat", true],
  txn_ok_state: ["t2", ["a"]],
  // The failing op gets its own error; the others are rolled back or never run.
  txn_fail: ["RolledBackError", "RolledBackError", "BadVersionError", "RuntimeInconsistency"],
  txn_fail_state: ["t2", ["a"]],
};

const WATCHES = {
  data_first: [["data", "CHANGED", "/w"]],
  data_second: [],
  child_create: [["child", "CHILD", "/w"]],
  child_second: [],
  exists_missing: true,
  exists_created: [["exists", "CREATED", "/w/new"]],
  exists_deleted: [["exists", "DELETED", "/w/new"]],
  delete_both: [["child", "DELETED", "/w2"], ["data", "DELETED", "/w2"]],
  child_delete: [["child", "CHILD", "/w"]],
  datawatch_recipe: ["2", "4", "5"],
};

const ALICE = "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="; // generateDigest("alice:secret")
const ACL = {
  owner_get: ["ok", "top"],
  stranger_get: "NoAuthError",
  wrong_password_get: "NoAuthError",
  stranger_set: "NoAuthError",
  stranger_create_child: "NoAuthError",
  stranger_delete_child: "NoAuthError",
  owner_create_child: ["ok", "/secure/c"],
  public_read: ["ok", "pub"],
  public_write: "NoAuthError",
  stranger_exists: true,
  stranger_get_acls: "NoAuthError",
  get_acls: [[31, "digest", ALICE]],
  get_acls_aversion: 0,
  stranger_set_acls: "NoAuthError",
  owner_set_acls_bad_version: "BadVersionError",
  owner_set_acls: ["ok", 1],
  stranger_get_after_open: ["ok", "top"],
  acls_after_open: [[31, "world", "anyone"]],
  auth_scheme_acls: [[31, "digest", ALICE]],
  auth_scheme_stranger: "NoAuthError",
  auth_scheme_unauthenticated: "InvalidACLError",
  stranger_after_add_auth: ["ok", "a"],
  auth_scheme_many: ["bob", "carol", "erin", "dave"],
};

const RECIPES = {
  lock: {
    a: true,
    b_while_held: "LockTimeout",
    contenders: ["a"],
    b_before_release: false,
    b_after_release: true,
  },
  election: { order: ["a", "b"], contenders: ["a", "b"] },
  barrier: { blocked: false, released: [true] },
  double_barrier: {
    entered: ["a", "b", "c"],
    left: ["a", "b", "c"],
    all_enter_before_any_leave: true,
    empty_after: [],
  },
  queue_len: 4,
  queue: ["urgent", "one", "two", "three", null],
  locking_queue: { b_got: "x", b_holds: true, a_got: "y", consumed: [true, true], left: 0 },
  counter: { after_ops: 3, after_concurrent: 33, float: 2.75 },
};

const SESSIONS = {
  states: ["SUSPENDED", "CONNECTED"],
  same_session: true,
  one_shot_on_drop: [["NONE", null]],
  ephemeral_kept: true,
  datawatch: ["0", "after"],
  ops_after_reconnect: ["eph"],
  ephemeral_after_close: null,
};

const CASES: [string, string, string, unknown][] = [
  [
    "CRUD, error codes, sequences, ephemerals, multi and its rollback",
    "kazoo_crud.py",
    "/crud",
    CRUD,
  ],
  [
    "one-shot data, child and exists watches; DataWatch re-registers",
    "kazoo_watches.py",
    "/watches",
    WATCHES,
  ],
  ["digest ACLs: NoAuth when denied, auth scheme, setAcl versions", "kazoo_acl.py", "/acl", ACL],
  [
    "recipes: Lock, Election, Barrier, DoubleBarrier, Queue, LockingQueue, Counter",
    "kazoo_recipes.py",
    "/recipes",
    RECIPES,
  ],
  [
    "a dropped connection resumes the same session (id + password); ephemerals survive",
    "kazoo_sessions.py",
    "/sessions",
    SESSIONS,
  ],
];

Deno.test({
  name: "kazoo works unchanged against zkt serve, exactly as against Apache ZooKeeper 3.8",
  ignore: SKIP_INTEROP,
  async fn(t) {
    const targets = await startTargets();
    try {
      for (const [what, script, chroot, expected] of CASES) {
        await t.step(what, async () => {
          const [zkt, zookeeper] = await onBoth(targets, (s) => kazoo(script, s, chroot));
          assertEquals(zookeeper, expected, "Apache ZooKeeper gives the expected results");
          assertEquals(zkt, expected, "zkt gives the same results");
        });
      }
    } finally {
      await targets.stop();
    }
  },
});
