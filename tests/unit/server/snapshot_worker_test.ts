// A snapshot is taken from disk, not from the live tree: restore to the closed
// log's last zxid, write snapshot.<zxid>; a zxid the logs do not reach is an error.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { snapshotFromDisk } from "../../../src/server/snapshot_worker.ts";
import { restore } from "../../../src/persistence/datadir.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("snapshotFromDisk writes the state as of a logged zxid", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  const { zxid } = await c.create("/a", "1");
  await c.create("/b", "2");
  await c.close();
  await s.stop();
  const file = `${s.dir}/version-2/snapshot.${zxid.toString(16)}`;
  const nodes = await snapshotFromDisk({ dataDir: s.dir, logDir: s.dir, zxid, file });
  assertEquals(nodes, 5); // "/", /zookeeper, /zookeeper/quota, /zookeeper/config, /a
  const r = await restore(s.dir, { toZxid: zxid });
  assertEquals(r.snapshot?.file, file);
  assert(r.tree.get("/a") && !r.tree.get("/b"));
  let failed = false;
  try {
    await snapshotFromDisk({
      dataDir: s.dir,
      logDir: s.dir,
      zxid: zxid + 1000n,
      file: `${file}.x`,
    });
  } catch {
    failed = true;
  }
  assert(failed, "a zxid beyond the logs is refused");
});
