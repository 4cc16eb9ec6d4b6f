// `zkt data snapshot`'s routine: restore a data dir to a logged zxid and write
// snapshot.<zxid>; a zxid the logs do not reach is an error.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { snapshotAt } from "../../../src/persistence/snapshot_at.ts";
import { restore } from "../../../src/persistence/datadir.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("snapshotAt writes the state as of a logged zxid", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  const { zxid } = await c.create("/a", "1");
  await c.create("/b", "2");
  await c.close();
  await s.stop();
  const file = `${s.dir}/version-2/snapshot.${zxid.toString(16)}`;
  const { nodes } = await snapshotAt(s.dir, { logDir: s.dir, toZxid: zxid, file });
  assertEquals(nodes, 5); // "/", /zookeeper, /zookeeper/quota, /zookeeper/config, /a
  const r = await restore(s.dir, { toZxid: zxid });
  assertEquals(r.snapshot?.file, file);
  assert(r.tree.get("/a") && !r.tree.get("/b"));
  let failed = false;
  try {
    await snapshotAt(s.dir, { logDir: s.dir, toZxid: zxid + 1000n, file: `${file}.x` });
  } catch {
    failed = true;
  }
  assert(failed, "a zxid beyond the logs is refused");
});
