// Every op 3.8 serves, over the wire: results, stats, the error code 3.8 gives
// for each mistake, ACLs (world, digest, ip, auth, super), multi atomicity,
// containers and TTL nodes.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { generateDigest } from "../../../src/server/acl.ts";
import { type InProc, startInProc } from "../../support/zkt_inproc.ts";
import { checkOp, createOp, deleteOp, OP, OPEN_ACL, ZkClient } from "../../support/zk_client.ts";
import { waitFor } from "../../support/wait.ts";

async function withClient(
  lines: string[],
  f: (c: ZkClient, s: InProc) => Promise<void>,
  opts: Parameters<typeof startInProc>[1] = {},
): Promise<void> {
  const s = await startInProc(lines, opts);
  const c = await ZkClient.connect(s.port);
  try {
    await f(c, s);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
}

Deno.test("/zookeeper and /zookeeper/config exist as in 3.8", async () => {
  await withClient([], async (c) => {
    assertEquals((await c.getChildren("/")).children, ["zookeeper"]);
    assertEquals((await c.getChildren("/zookeeper")).children.sort(), ["config", "quota"]);
    assertEquals((await c.getACL("/zookeeper/config")).acl, [
      { perms: 1, id: { scheme: "world", id: "anyone" } },
    ]);
  });
});

Deno.test("create/get/set/delete: stats move as in 3.8", async () => {
  await withClient([], async (c) => {
    const cr = await c.create("/n", "v1");
    assertEquals([cr.err, cr.path], [0, "/n"]);
    const g = await c.getData("/n");
    assertEquals([g.data, g.stat?.version, g.stat?.czxid, g.stat?.dataLength], [
      "v1",
      0,
      cr.zxid,
      2,
    ]);
    const st = await c.setData("/n", "v22");
    assertEquals([st.stat?.version, st.stat?.dataLength], [1, 3]);
    const c2 = await c.create2("/n/kid");
    assertEquals(c2.stat?.numChildren, 0);
    const parent = await c.exists("/n");
    assertEquals([parent.stat?.numChildren, parent.stat?.cversion, parent.stat?.pzxid], [
      1,
      1,
      c2.stat?.czxid,
    ]);
    assertEquals(await c.delete("/n/kid"), 0);
    assertEquals(await c.delete("/n", 1), 0);
    assertEquals((await c.exists("/n")).err, -101);
  });
});

Deno.test("the same mistake gets 3.8's error code on the wire", async () => {
  await withClient([], async (c) => {
    await c.create("/p", "");
    await c.create("/p/c", "");
    await c.create("/e", "", 1);
    const table: [string, () => Promise<number>, number][] = [
      ["create existing", async () => (await c.create("/p")).err, -110],
      ["create no parent", async () => (await c.create("/x/y")).err, -101],
      ["create under ephemeral", async () => (await c.create("/e/c")).err, -108],
      ["create bad path", async () => (await c.create("/p/")).err, -8],
      ["create empty acl", async () => (await c.create("/q", "", 0, [])).err, -114],
      ["create null acl", async () => (await c.create("/q", "", 0, null)).err, -114],
      ["delete non-empty", () => c.delete("/p"), -111],
      ["delete missing", () => c.delete("/nope"), -101],
      ["delete bad version", () => c.delete("/p/c", 5), -103],
      ["delete /zookeeper", () => c.delete("/zookeeper"), -8],
      ["set missing", async () => (await c.setData("/nope", "")).err, -101],
      ["set bad version", async () => (await c.setData("/p", "", 7)).err, -103],
      ["get missing", async () => (await c.getData("/nope")).err, -101],
      ["children missing", async () => (await c.getChildren("/nope")).err, -101],
      ["exists missing", async () => (await c.exists("/nope")).err, -101],
      ["acl missing", async () => (await c.getACL("/nope")).err, -101],
      ["setACL bad version", () => c.setACL("/p", OPEN_ACL, 3), -103],
      ["TTL disabled", async () => (await c.createTTL("/t", 5, 1000n)).err, -6],
      ["removeWatches none", () => c.removeWatches("/p", 3), -121],
      ["checkWatches none", () => c.removeWatches("/p", 1, true), -121],
    ];
    for (const [what, f, code] of table) assertEquals(await f(), code, what);
  });
});

Deno.test("sequential nodes number from the parent's cversion", async () => {
  await withClient([], async (c) => {
    await c.create("/s");
    assertEquals((await c.create("/s/a-", "", 2)).path, "/s/a-0000000000");
    await c.create("/s/plain");
    assertEquals((await c.create("/s/a-", "", 3)).path, "/s/a-0000000002");
  });
});

Deno.test("multi applies all or nothing, with per-op results", async () => {
  await withClient([], async (c) => {
    const ok = await c.multi([
      createOp("/m"),
      createOp("/m/1"),
      checkOp("/m", 0),
      deleteOp("/m/1"),
    ]);
    assertEquals(ok.results.map((r) => r.err), [0, 0, 0, 0]);
    const bad = await c.multi([
      createOp("/m2"),
      checkOp("/m", 9),
      createOp("/m3"),
    ]);
    assertEquals(bad.err, 0);
    assertEquals(bad.results, [
      { type: -1, err: 0 },
      { type: -1, err: -103 },
      { type: -1, err: -2 },
    ]);
    assertEquals((await c.exists("/m2")).err, -101, "rolled back");
  });
});

Deno.test("ACLs: digest, ip, auth scheme, getACL redaction, super digest", async () => {
  const superDigest = generateDigest("super:secret");
  await withClient([], async (c, s) => {
    assertEquals(await c.addAuth("digest", "alice:pw"), 0);
    const alice = { scheme: "digest", id: generateDigest("alice:pw") };
    assertEquals(
      (await c.create("/a", "x", 0, [{ perms: 31, id: { scheme: "auth", id: "" } }])).err,
      0,
    );
    assertEquals((await c.getACL("/a")).acl, [{ perms: 31, id: alice }]);
    await c.create("/ip", "", 0, [{ perms: 31, id: { scheme: "ip", id: "127.0.0.0/8" } }]);
    await c.create("/ro", "", 0, [
      { perms: 1, id: { scheme: "world", id: "anyone" } },
      { perms: 31, id: alice },
    ]);
    const other = await ZkClient.connect(s.port);
    assertEquals((await other.getData("/a")).err, -102);
    assertEquals((await other.setData("/a", "y")).err, -102);
    assertEquals((await other.create("/a/kid")).err, -102);
    assertEquals((await other.getData("/ip")).err, 0, "ip 127.0.0.1 matches 127.0.0.0/8");
    assertEquals(
      (await other.getACL("/ro")).acl[1].id.id,
      "alice:x",
      "digest hidden without ADMIN",
    );
    assertEquals(
      (await other.create("/z", "", 0, [{ perms: 31, id: { scheme: "auth", id: "" } }])).err,
      -114,
    );
    assertEquals(await other.addAuth("digest", "super:secret"), 0);
    assertEquals((await other.getData("/a")).err, 0, "super passes every ACL");
    await other.close();
    const bad = await ZkClient.connect(s.port);
    assertEquals(await bad.addAuth("nosuch", "x"), -115);
    await bad.ended();
    assert(bad.closed, "auth failure closes the connection");
  }, { superDigest });
});

Deno.test("whoAmI, getEphemerals, getAllChildrenNumber, sync", async () => {
  await withClient([], async (c) => {
    await c.addAuth("digest", "bob:pw");
    const who = await c.call(OP.whoAmI);
    const infos = who.r.vector((r) => ({ scheme: r.string(), user: r.string() }));
    // 3.8 keeps the ids in a hash set: digest bob comes before ip, as its zkCli whoami shows.
    assertEquals(infos, [{ scheme: "digest", user: "bob" }, { scheme: "ip", user: "127.0.0.1" }]);
    await c.create("/g");
    await c.create("/g/e1", "", 1);
    await c.create("/g/e1x", "", 0);
    await c.create("/h", "", 1);
    const eph = await c.call(OP.getEphemerals, (w) => void w.ustring("/g"));
    assertEquals(eph.r.vector((r) => r.string())?.sort(), ["/g/e1"]);
    const all = await c.call(OP.getEphemerals, (w) => void w.ustring("/"));
    assertEquals(all.r.vector((r) => r.string())?.sort(), ["/g/e1", "/h"]);
    const n = await c.call(OP.getAllChildrenNumber, (w) => void w.ustring("/g"));
    assertEquals(n.r.int(), 2);
    const sync = await c.call(OP.sync, (w) => void w.ustring("/g"));
    assertEquals(sync.r.string(), "/g");
  });
});

Deno.test("containers are reaped once emptied; TTL nodes after their TTL", async () => {
  await withClient(["extendedTypesEnabled=true"], async (c, s) => {
    assertEquals((await c.create2("/ct", 4, OP.createContainer)).err, 0);
    await c.create("/ct/kid");
    await c.delete("/ct/kid");
    assertEquals((await c.createTTL("/ttl", 5, 50n)).err, 0);
    assertEquals((await c.createTTL("/ttl0", 5, 0n)).err, -8);
    await waitFor("the container and the TTL node to be reaped", async () => {
      await s.server.checkContainers();
      return (await c.exists("/ct")).err === -101 && (await c.exists("/ttl")).err === -101;
    });
  }, { containerCheckMs: 0 });
});

Deno.test("a fresh container (never had children) is kept", async () => {
  await withClient([], async (c, s) => {
    await c.create2("/fresh", 4, OP.createContainer);
    await s.server.checkContainers();
    assertEquals((await c.exists("/fresh")).err, 0);
  }, { containerCheckMs: 0 });
});

Deno.test("group commit: pipelined writes share fsyncs (fewer batches than txns)", async () => {
  await withClient([], async (c, s) => {
    const writes = Array.from({ length: 50 }, (_, i) => c.create(`/g${i}`));
    const results = await Promise.all(writes);
    assertEquals(results.every((r) => r.err === 0), true);
    // zxids are consecutive and in xid order.
    const zx = results.map((r) => r.zxid);
    assertEquals(zx, zx.map((_, i) => zx[0] + BigInt(i)));
    const m = s.server.batchSize;
    assertEquals(m.sum, 51, "50 creates + the createSession");
    assert(m.n < m.sum, `expected batching, got ${m.n} batches for ${m.sum} txns`);
  });
});

Deno.test("thousands of requests in flight on one connection are throttled, not dropped", async () => {
  await withClient([], async (c) => {
    await c.create("/t", "x");
    const n = 3000;
    const reps = await Promise.all(Array.from({ length: n }, () => c.exists("/t")));
    assertEquals(reps.filter((r) => r.err === 0).length, n);
  });
});

Deno.test("reconfig on a standalone server is ReconfigDisabled, logged as an error txn", async () => {
  await withClient([], async (c) => {
    const before = (await c.exists("/")).stat!;
    const rep = await c.call(OP.reconfig, (w) => {
      w.ustring(null).ustring(null).ustring("server.1=127.0.0.1:2888:3888").long(-1n);
    });
    assertEquals(rep.err, -123);
    assert(rep.zxid > before.pzxid, "the error txn took a zxid");
  });
});

Deno.test("a passing check outside a multi logs no txn (3.8 would log one it cannot restore)", async () => {
  await withClient([], async (c, s) => {
    await c.create("/c", "");
    const before = s.server.lastZxid;
    const ok = await c.call(OP.check, (w) => void w.ustring("/c").int(0));
    assertEquals([ok.err, ok.zxid], [0, before]);
    assertEquals(s.server.lastZxid, before);
  });
});

Deno.test("a failing check outside a multi takes a zxid for its error txn, as in 3.8", async () => {
  await withClient([], async (c, s) => {
    await c.create("/c", "");
    const before = s.server.lastZxid;
    const bad = await c.call(OP.check, (w) => void w.ustring("/c").int(5));
    const missing = await c.call(OP.check, (w) => void w.ustring("/nope").int(-1));
    assertEquals([bad.err, bad.zxid], [-103, before + 1n]);
    assertEquals([missing.err, missing.zxid], [-101, before + 2n]);
    assertEquals(s.server.lastZxid, before + 2n);
  });
});

Deno.test("clients see DataNode.copyStat's stat: cversion counts deletes, containers show owner 0", async () => {
  await withClient([], async (c) => {
    await c.create("/cv");
    for (let i = 0; i < 3; i++) await c.create(`/cv/${i}`);
    await c.delete("/cv/1");
    const st = (await c.exists("/cv")).stat!;
    assertEquals([st.cversion, st.numChildren], [4, 2], "3 creates + 1 delete");
    assertEquals(
      (await c.create("/cv/s-", "", 2)).path,
      "/cv/s-0000000003",
      "sequence uses creates only",
    );
    const box = await c.create2("/box", 4, OP.createContainer);
    assertEquals(box.stat?.ephemeralOwner, 0n);
  });
});

Deno.test("an auth-scheme ACL whose id is null (as kazoo sends it) is accepted, not a decode error", async () => {
  await withClient([], async (c) => {
    assertEquals(await c.addAuth("digest", "bob:pw"), 0);
    // CreateRequest with acl [{perms 31, id {scheme "auth", id null}}], kazoo's bytes.
    const rep = await c.call(OP.create, (w) => {
      w.ustring("/kz").buffer(new TextEncoder().encode("a"));
      w.int(1).int(31).ustring("auth").ustring(null);
      w.int(0);
    });
    assertEquals(rep.err, 0);
    assertEquals((await c.getACL("/kz")).acl, [
      { perms: 31, id: { scheme: "digest", id: generateDigest("bob:pw") } },
    ]);
  });
});

Deno.test("the auth scheme expands to the session's ids in 3.8's hash-set order, not login order", async () => {
  await withClient([], async (c) => {
    for (const u of ["dave", "bob", "carol", "erin"]) {
      assertEquals(await c.addAuth("digest", `${u}:pw`), 0);
    }
    await c.create("/m", "", 0, [{ perms: 1, id: { scheme: "auth", id: "" } }]);
    // The order Apache ZooKeeper 3.8 gives for the same logins (kazoo_acl.py).
    assertEquals(
      (await c.getACL("/m")).acl.map((a) => a.id.id.split(":")[0]),
      ["bob", "carol", "erin", "dave"],
    );
  });
});
