// The same mistake gets the same error code as ZooKeeper 3.8's
// PrepRequestProcessor, checked in the same order (a table, one row per claim).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  Err,
  multiErrors,
  type NodeView,
  prepareMulti,
  prepareWrite,
  type PrepContext,
  sequenceSuffix,
  type TreeView,
  txnError,
  type WriteRequest,
} from "../../../src/server/prep.ts";
import { generateDigest } from "../../../src/server/acl.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const alice = { scheme: "digest", id: generateDigest("alice:pw") };
const ALICE_ONLY = [{ perms: 31, id: alice }];
const READ_ONLY = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];

function node(over: Partial<NodeView> = {}): NodeView {
  return {
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    acl: OPEN,
    numChildren: 0,
    ...over,
  };
}

/** A fixed tree: /, /zookeeper, /a (1 child), /a/b, /eph (ephemeral of 0x5), /locked, /ro. */
const view: TreeView = {
  node(p) {
    const m: Record<string, NodeView> = {
      "/": node({ numChildren: 5, cversion: 7 }),
      "/zookeeper": node({ numChildren: 2 }),
      "/a": node({ numChildren: 1, version: 3, cversion: 41 }),
      "/a/b": node(),
      "/eph": node({ ephemeralOwner: 5n }),
      "/locked": node({ acl: ALICE_ONLY }),
      "/ro": node({ acl: READ_ONLY }),
    };
    return m[p === "" ? "/" : p];
  },
  ephemerals: (s) => s === 5n ? ["/eph"] : [],
};

const anon: PrepContext = {
  sessionId: 9n,
  authInfo: [{ scheme: "ip", id: "127.0.0.1" }],
  sessionState: Err.Ok,
  extendedTypes: false,
};

const create = (path: string, flags = 0, acl = OPEN): WriteRequest => ({
  type: 1,
  path,
  data: null,
  acl,
  flags,
});

const table: [string, WriteRequest, number, Partial<PrepContext>?][] = [
  ["create under a missing parent", create("/x/y"), Err.NoNode],
  ["create an existing node", create("/a"), Err.NodeExists],
  ["create the root", create("/"), Err.NodeExists],
  ["create a relative path", create("/a/."), Err.BadArguments],
  ["create without a leading slash", create("a"), Err.BadArguments],
  ["create with an empty ACL", create("/n", 0, []), Err.InvalidACL],
  [
    "create with a bad digest id",
    create("/n", 0, [{ perms: 31, id: { scheme: "digest", id: "x" } }]),
    Err.InvalidACL,
  ],
  [
    "create with auth but no authenticated id",
    create("/n", 0, [{ perms: 31, id: { scheme: "auth", id: "" } }]),
    Err.InvalidACL,
  ],
  ["create under an ephemeral", create("/eph/c"), Err.NoChildrenForEphemerals],
  ["create without CREATE permission", create("/locked/c"), Err.NoAuth],
  ["unknown create flag", create("/n", 9), Err.BadArguments],
  ["TTL without extendedTypesEnabled", {
    type: 21,
    path: "/n",
    data: null,
    acl: OPEN,
    flags: 5,
    ttl: 100n,
  }, Err.Unimplemented],
  [
    "TTL of zero",
    { type: 21, path: "/n", data: null, acl: OPEN, flags: 5, ttl: 0n },
    Err.BadArguments,
    { extendedTypes: true },
  ],
  [
    "createTTL with a non-TTL mode",
    { type: 21, path: "/n", data: null, acl: OPEN, flags: 0, ttl: 100n },
    Err.BadArguments,
    { extendedTypes: true },
  ],
  ["create from an expired session", create("/n"), Err.SessionExpired, {
    sessionState: Err.SessionExpired,
  }],
  ["delete a missing node", { type: 2, path: "/a/zz", version: -1 }, Err.NoNode],
  ["delete with a wrong version", { type: 2, path: "/a/b", version: 4 }, Err.BadVersion],
  ["delete a node with children", { type: 2, path: "/a", version: -1 }, Err.NotEmpty],
  ["version is checked before children", { type: 2, path: "/a", version: 9 }, Err.BadVersion],
  ["delete /zookeeper", { type: 2, path: "/zookeeper", version: -1 }, Err.BadArguments],
  ["delete the root", { type: 2, path: "/", version: -1 }, Err.BadArguments],
  ["delete without DELETE on the parent", { type: 2, path: "/locked", version: -1 }, Err.Ok],
  ["setData on a missing node", { type: 5, path: "/nope", data: null, version: -1 }, Err.NoNode],
  ["setData with a wrong version", { type: 5, path: "/a", data: null, version: 2 }, Err.BadVersion],
  ["setData without WRITE", { type: 5, path: "/ro", data: null, version: -1 }, Err.NoAuth],
  ["setData on a bad path", { type: 5, path: "/a/", data: null, version: -1 }, Err.BadArguments],
  ["setACL without ADMIN", { type: 7, path: "/locked", acl: OPEN, version: -1 }, Err.NoAuth],
  ["setACL with a wrong aversion", { type: 7, path: "/a", acl: OPEN, version: 5 }, Err.BadVersion],
  ["setACL with an invalid ACL is InvalidACL before NoNode", {
    type: 7,
    path: "/nope",
    acl: [],
    version: -1,
  }, Err.InvalidACL],
  ["check with a wrong version", { type: 13, path: "/a", version: 1 }, Err.BadVersion],
];

for (const [what, req, code, over] of table) {
  Deno.test(`prep: ${what} → ${code}`, () => {
    const t = prepareWrite(view, req, { ...anon, ...over });
    assertEquals(txnError(t), code);
  });
}

Deno.test("prep: a digest user with rights passes the ACL that stops others", () => {
  const t = prepareWrite(view, create("/locked/c"), {
    ...anon,
    authInfo: [...anon.authInfo, alice],
  });
  assertEquals(t.type, 1);
});

Deno.test("prep: sequential names use the parent's cversion, %010d", () => {
  const t = prepareWrite(view, create("/a/s-", 2), anon);
  assertEquals(t.record, {
    path: "/a/s-0000000041",
    data: null,
    acl: OPEN,
    ephemeral: false,
    parentCVersion: 42,
  });
  assertEquals(sequenceSuffix(-1), "-000000001");
});

Deno.test("prep: multi sees its own earlier ops and fails atomically", () => {
  const ok = prepareMulti(view, [
    { type: 1, req: create("/m") },
    { type: 1, req: create("/m/c") },
    { type: 2, req: { type: 2, path: "/m/c", version: -1 } },
  ], anon);
  assertEquals(multiErrors(ok), null);
  const bad = prepareMulti(view, [
    { type: 1, req: create("/m") },
    { type: 1, req: create("/m") },
    { type: 2, req: { type: 2, path: "/a/b", version: -1 } },
  ], anon);
  assertEquals(multiErrors(bad), [Err.Ok, Err.NodeExists, Err.RuntimeInconsistency]);
});
