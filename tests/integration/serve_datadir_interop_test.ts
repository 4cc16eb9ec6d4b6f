// A data dir written by `zkt serve` (txn logs with digests, snapshots taken
// while serving) is restored by Apache ZooKeeper 3.8 to the same tree, node for
// node and stat for stat, as zkt restores it.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cp } from "node:fs/promises";
import { startApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";
import { startZkt } from "../support/zkt_server.ts";
import { checkOp, createOp, OP, ZkClient } from "../support/zk_client.ts";
import { parseTxnLogToolkit, runZkTool } from "../interop/zk_tools.ts";
import { readTxnLog } from "../../src/persistence/txnlog.ts";

/** Every node under / (except /zookeeper) with its data and stat. */
async function dumpTree(c: ZkClient): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const stack = ["/"];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (p === "/zookeeper") continue;
    const g = await c.getData(p);
    const acl = await c.getACL(p);
    out.set(p, { data: g.data, stat: g.stat, acl: acl.acl });
    for (const k of (await c.getChildren(p)).children) {
      stack.push(p === "/" ? `/${k}` : `${p}/${k}`);
    }
  }
  return out;
}

Deno.test({
  name: "Apache ZooKeeper restores a data dir zkt serve wrote to the same tree",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const z = await startZkt({ cfg: ["snapCount=40"] });
    const c = await ZkClient.connect(z.port);
    await c.addAuth("digest", "alice:pw");
    await c.create("/app", "cfg");
    for (let i = 0; i < 60; i++) await c.create(`/app/s-`, `${i}`, 2);
    await c.setData("/app", "cfg2");
    await c.create("/app", "dup"); // NodeExists: an error txn in the log
    await c.multi([createOp("/m"), createOp("/m/1"), checkOp("/m", 0)]);
    await c.multi([createOp("/m2"), checkOp("/m", 7)]); // failed multi
    await c.create("/secret", "s", 0, [{ perms: 31, id: { scheme: "auth", id: "" } }]);
    await c.setACL("/m", [{ perms: 3, id: { scheme: "world", id: "anyone" } }]);
    await c.create2("/box", 4, OP.createContainer);
    await c.create("/box/item");
    const e = await ZkClient.connect(z.port);
    await e.create("/eph", "", 1);
    await e.close(); // closeSession txn deletes it
    await c.delete("/app/s-0000000003");
    const live = await dumpTree(c);
    await c.close();
    await z.stop();

    // The logs are preallocated (preAllocSize defaults to 64 MiB) and
    // TxnLogToolkit reads each one to the zero padding, txn for txn as we do.
    const v2 = `${z.dir}/data/version-2`;
    const logs = [...Deno.readDirSync(v2)].map((e) => e.name).filter((n) => n.startsWith("log."));
    assertEquals(logs.length > 1, true, "snapCount=40 rolled the log");
    for (const name of logs) {
      const file = `${v2}/${name}`;
      assertEquals((await Deno.stat(file)).size % (64 * 1024 * 1024), 0, `${name} is preallocated`);
      const ours: bigint[] = [];
      for await (const e of readTxnLog(file)) {
        if (e.kind === "txn") ours.push(e.header.zxid);
        if (e.kind === "end") assertEquals(e.reason, "padding", `${name} ends at the padding`);
      }
      const r = await runZkTool(
        "org.apache.zookeeper.server.persistence.TxnLogToolkit",
        "-d",
        file,
      );
      assertEquals(r.code, 0, r.err);
      const zk = parseTxnLogToolkit(r.out);
      assertEquals(zk.txns.map((t) => t.zxid), ours, `${name}: TxnLogToolkit's txns`);
      assertEquals(zk.count, ours.length);
    }

    const dir = await Deno.makeTempDir({ prefix: "zkt-interop-datadir-" });
    await cp(`${z.dir}/data`, `${dir}/data`, { recursive: true });
    const zk = await startApacheZk({ dir, clientPort: freePort() });
    try {
      const a = await ZkClient.connect(zk.clientPort);
      await a.addAuth("digest", "alice:pw");
      const restored = await dumpTree(a);
      await a.close();
      for (const [p, v] of live) assertEquals([p, restored.get(p)], [p, v]);
      assertEquals([...restored.keys()].sort(), [...live.keys()].sort());
      assertEquals(
        /digest mismatch/i.test(zk.log()),
        false,
        "Apache ZooKeeper saw no digest mismatch",
      );
    } finally {
      await zk.stop();
    }
  },
});
