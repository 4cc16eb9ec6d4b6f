// Behaviours of ZooKeeper 3.8 that tests/interop/differential found zkt missing,
// one test each (the reference is Debian's 3.8.0-11+deb12u2).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { generateDigest } from "../../../src/server/acl.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { createOp, OP, ZkClient } from "../../support/zk_client.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { writeMultiRequest } from "../../../src/jute/proto.ts";

// CVE-2024-23944 (fixed by Debian and in upstream 3.8.4): the event is filtered
// by the READ permission of the node it is about.
Deno.test("watch events skip sessions without READ on the node (CVE-2024-23944)", async () => {
  const s = await startInProc();
  const anon = await ZkClient.connect(s.port);
  const user = await ZkClient.connect(s.port);
  try {
    assertEquals(await user.addAuth("digest", "u:p"), 0);
    const only = [{ perms: 31, id: { scheme: "digest", id: generateDigest("u:p") } }];
    assertEquals((await user.create("/b", "", 0, only)).err, 0);
    assertEquals(await anon.addWatch("/b", 0), 0);
    assertEquals(await user.addWatch("/b", 0), 0);
    assertEquals((await user.create("/b/x", "", 0, only)).err, 0);
    // A one-shot watch is used up even when its event is withheld.
    assertEquals((await anon.exists("/b/x", true)).err, 0);
    assertEquals((await user.exists("/b/x", true)).err, 0);
    assertEquals((await user.setData("/b/x", "1")).err, 0);
    assertEquals(
      await user.setACL("/b/x", [{ perms: 31, id: { scheme: "world", id: "anyone" } }]),
      0,
    );
    assertEquals((await user.setData("/b/x", "2")).err, 0);
    await anon.exists("/"); // a round trip: every earlier event has arrived
    await user.exists("/");
    assertEquals(anon.events, []);
    assertEquals(user.events.map((e) => [e.type, e.path]), [[4, "/b"], [3, "/b/x"]]);
  } finally {
    await anon.close().catch(() => {});
    await user.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("checkWatches on a path without '/' is MarshallingError, on \"\" NoWatcher, as 3.8's PathParentIterator has it", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    assertEquals(await c.removeWatches("a", 3, true), -5);
    assertEquals(await c.removeWatches("", 3, true), -121);
    assertEquals((await c.getChildren("", true)).err, 0);
    assertEquals(await c.removeWatches("", 1, true), -121, 'a watch on "" is never found');
    assertEquals(await c.removeWatches("", 1, false), 0, "but removeWatches takes it off");
    assertEquals(
      await c.removeWatches("a", 3, false),
      -121,
      "removeWatches does not walk the path",
    );
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test('getAllChildrenNumber of "" counts the root\'s second key "/", as 3.8\'s DataTree does', async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/x");
    const count = async (p: string) => {
      const rep = await c.call(OP.getAllChildrenNumber, (w) => void w.ustring(p));
      return [rep.err, rep.err === 0 ? rep.r.int() : null];
    };
    // /zookeeper, /zookeeper/quota, /zookeeper/config, /x
    assertEquals(await count("/"), [0, 4]);
    assertEquals(await count(""), [0, 5]);
    assertEquals(await count("/zookeeper"), [0, 2]);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("createTTL with a non-TTL mode and a negative TTL is refused (3.8 would log a txn that kills it)", async () => {
  const s = await startInProc(["extendedTypesEnabled=true"]);
  const c = await ZkClient.connect(s.port);
  try {
    assertEquals(
      (await c.createTTL("/nope/x", 1, -5n)).err,
      -101,
      "earlier checks still come first",
    );
    const before = s.server.lastZxid;
    assertEquals((await c.createTTL("/x", 1, -5n)).err, -8);
    assertEquals((await c.createTTL("/y", 0, -1n)).err, -8);
    assertEquals((await c.exists("/x")).err, -101);
    assertEquals(s.server.lastZxid, before + 2n, "logged as error txns");
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("multiRead of write ops: MarshallingError with the empty MultiResponse 3.8 had begun", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    const writes = await c.call(OP.multiRead, (w) => writeMultiRequest(w, [createOp("/x")]));
    assertEquals(writes.err, -5);
    assertEquals([...writes.r.bytes.subarray(writes.r.pos)], [
      255,
      255,
      255,
      255,
      1,
      255,
      255,
      255,
      255,
    ]);
    const mixed = await c.call(
      OP.multiRead,
      (w) =>
        writeMultiRequest(w, [{ type: 4, request: { path: "/", watch: false } }, createOp("/x")]),
    );
    assertEquals([mixed.err, mixed.r.done], [-5, true], "mixing fails while decoding: no body");
    assertEquals((await c.exists("/x")).err, -101);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("create2 of a quota stats node answers the stat as created, before the server fills it", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/q");
    await c.create("/zookeeper/quota/q");
    await c.create("/zookeeper/quota/q/zookeeper_limits", "count=5,bytes=50");
    const made = await c.create2("/zookeeper/quota/q/zookeeper_stats");
    assertEquals([made.err, made.stat?.dataLength], [0, 0]);
    const now = await c.getData("/zookeeper/quota/q/zookeeper_stats");
    assertEquals(now.data, "count=1,bytes=0");
    assertEquals([now.stat?.dataLength, now.stat?.version], [15, 0]);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("wchs keeps counting a connection whose watches all fired until it closes", async () => {
  const s = await startInProc();
  const a = await ZkClient.connect(s.port);
  const b = await ZkClient.connect(s.port);
  try {
    await a.exists("/w", true);
    await b.create("/w");
    await a.exists("/");
    // Debian's 3.8.0 prints exactly this after the same steps.
    assertEquals(
      await fourLetter(s.port, "wchs"),
      "1 connections watching 0 paths\nTotal watches:0\n",
    );
    await a.close();
    assertEquals(
      await fourLetter(s.port, "wchs"),
      "0 connections watching 0 paths\nTotal watches:0\n",
    );
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("wchp lists paths in the order of 3.8's watch HashMap", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    for (const p of ["/zz", "/a/b", "/missing/x", "/", "/zookeeper/x", "/c/g", "/b"]) {
      await c.exists(p, true);
    }
    const paths = (await fourLetter(s.port, "wchp")).split("\n").filter((l) =>
      l !== "" && !l.startsWith("\t")
    );
    // Debian's 3.8.0 after the same exists calls.
    assertEquals(paths, ["/a/b", "/zookeeper/x", "/b", "/c/g", "/zz", "/missing/x", "/"]);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("dump lists ephemerals in each session's HashSet order, and sessions whose set emptied", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  const d = await ZkClient.connect(s.port);
  try {
    await c.create("/b");
    for (let i = 0; i < 14; i++) await c.create("/b/", "", 3);
    await d.create("/gone", "", 1);
    await d.delete("/gone");
    const t = await fourLetter(s.port, "dump");
    const section = t.slice(t.indexOf("Sessions with"), t.indexOf("Connections dump"));
    // Debian's 3.8.0 after the same steps (session ids masked).
    const order = [9, 8, 5, 4, 7, 6, 1, 12, 0, 11, 3, 2, 13, 10];
    assertEquals(
      section.replace(/0x[0-9a-f]+/g, "ID"),
      "Sessions with Ephemerals (2):\nID:\n" +
        order.map((n) => `\t/b/${String(n).padStart(10, "0")}\n`).join("") + "ID:\n",
    );
  } finally {
    await c.close().catch(() => {});
    await d.close().catch(() => {});
    await s.stop();
  }
});
