// With zookeeper.extendedTypesEnabled off (3.8's default), an ephemeralOwner
// whose high byte is 0xff is a session, not a TTL node: every session id of a
// server with myid 255 looks like that. zkt once decided the node kind in two
// places that disagreed, and the tree filed such ephemerals as TTL nodes, so
// they outlived their session.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { waitFor } from "../../support/wait.ts";

Deno.test("myid 255 without extended types: an ephemeral is deleted with its session", async () => {
  const s = await startInProc([], { serverId: 255, containerCheckMs: 0 });
  const c1 = await ZkClient.connect(s.port);
  const c2 = await ZkClient.connect(s.port);
  try {
    const owner = c1.session.sessionId;
    assertEquals(BigInt.asUintN(64, owner) >> 56n, 0xffn, "session ids carry myid 255");
    assertEquals((await c1.create("/e", "x", 1)).err, 0);
    assertEquals((await c1.exists("/e")).stat?.ephemeralOwner, owner, "an ephemeral of c1");
    assertEquals(await c1.close(), 0);
    assertEquals((await c2.exists("/e")).err, -101, "gone with the session that owned it");
  } finally {
    await c1.drop().catch(() => {});
    await c2.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("myid 255 without extended types: after a restart the ephemeral expires with its session", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-myid255-" });
  let s = await startInProc([], { serverId: 255, containerCheckMs: 0, dir });
  const c1 = await ZkClient.connect(s.port);
  assertEquals((await c1.create("/e", "x", 1)).err, 0);
  await c1.drop(); // the session lives on in the log
  await s.stop();
  // Restored from the log: the tree must file /e under its session again.
  s = await startInProc([], { serverId: 255, containerCheckMs: 0, dir });
  const c2 = await ZkClient.connect(s.port);
  try {
    assertEquals((await c2.exists("/e")).err, 0, "restored");
    await waitFor(
      "/e to go when its restored session expires",
      async () => (await c2.exists("/e")).err === -101,
      15_000,
    );
  } finally {
    await c2.close().catch(() => {});
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
