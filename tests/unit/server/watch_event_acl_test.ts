// Watch delivery and checks as 3.8 does them (found by tests/interop/differential
// against Debian's ZooKeeper). CVE-2024-23944, fixed in the 3.8 Debian ships and
// in upstream 3.8.4: a watch event goes only to sessions with READ on the node.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { generateDigest } from "../../../src/server/acl.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

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

Deno.test("checkWatches on a path without '/' is MarshallingError, as 3.8's PathParentIterator throws", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    assertEquals(await c.removeWatches("a", 3, true), -5);
    assertEquals(await c.removeWatches("", 3, true), -121);
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
