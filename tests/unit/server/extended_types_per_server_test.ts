// zookeeper.extendedTypesEnabled belongs to each server: zkt once kept it in a
// module-global of the codec, set by whichever server was built last, so two
// servers in one process answered each other's way.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("a TTL node shows ephemeralOwner 0 even after a server without extended types starts", async () => {
  const withTtl = await startInProc(["extendedTypesEnabled=true"], { containerCheckMs: 0 });
  const plain = await startInProc([], { containerCheckMs: 0 }); // built last
  const c = await ZkClient.connect(withTtl.port);
  try {
    // flags 5: PERSISTENT_WITH_TTL.
    assertEquals((await c.createTTL("/t", 5, 60_000n)).err, 0);
    // 3.8's DataNode.copyStat: TTL nodes and containers answer with owner 0.
    assertEquals((await c.exists("/t")).stat?.ephemeralOwner, 0n);
    assertEquals((await c.getData("/t")).stat?.ephemeralOwner, 0n);
  } finally {
    await c.close().catch(() => {});
    await plain.stop();
    await withTtl.stop();
  }
});
