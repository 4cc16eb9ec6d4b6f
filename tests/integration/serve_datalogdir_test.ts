// dataLogDir apart from dataDir: logs go to dataLogDir/version-2, snapshots to
// dataDir/version-2, restarts and background snapshots read both, and a mix of
// file kinds (swapped keys) stops startup with a config error, as 3.8 does.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startZkt } from "../support/zkt_server.ts";
import { ZkClient } from "../support/zk_client.ts";
import { restore } from "../../src/persistence/datadir.ts";
import { waitFor } from "../support/wait.ts";

const names = (dir: string, prefix: string) =>
  [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(prefix)).map((e) => e.name);

Deno.test("zkt serve: a separate dataLogDir holds the logs; restart and snapshots use both dirs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-logdir-" });
  const cfg = [`dataLogDir=${dir}/txnlogs`, "snapCount=20"];
  const z = await startZkt({ dir, cfg });
  const c = await ZkClient.connect(z.port);
  await Promise.all(Array.from({ length: 60 }, (_, i) => c.create(`/n${i}`, `${i}`)));
  await c.setData("/n7", "seven");
  await c.close();
  // A snapshot taken while serving needs the logs from dataLogDir.
  await waitFor(
    "a snapshot taken while serving",
    () => names(`${dir}/data/version-2`, "snapshot.").length >= 2,
  );
  assertEquals(await z.stop(), 0);
  assertEquals(names(`${dir}/data/version-2`, "log.").length, 0);
  assert.ok(names(`${dir}/txnlogs/version-2`, "log.").length > 0);
  assertEquals(names(`${dir}/txnlogs/version-2`, "snapshot.").length, 0);
  const r = await restore(`${dir}/data`, { logDir: `${dir}/txnlogs` });
  assertEquals(r.tree.children("/")?.size, 61); // 60 + /zookeeper
  assertEquals(r.digestMismatch, null);

  const z2 = await startZkt({ dir, cfg });
  try {
    const d = await ZkClient.connect(z2.port);
    assertEquals((await d.getData("/n7")).data, "seven");
    assertEquals((await d.getChildren("/")).children.length, 61);
    await d.close();
  } finally {
    assertEquals(await z2.stop(), 0);
  }
});

Deno.test("zkt serve: logs found in dataDir while dataLogDir is set apart stop startup (exit 2)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-logdir-" });
  const z = await startZkt({ dir });
  const c = await ZkClient.connect(z.port);
  await c.create("/x", "1");
  await c.close();
  assertEquals(await z.stop(), 0);
  // The same data dir, now with dataLogDir pointing elsewhere: its logs would be ignored.
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    (await Deno.readTextFile(`${dir}/zoo.cfg`)) + `dataLogDir=${dir}/elsewhere\n`,
  );
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", main, "serve", "--config", `${dir}/zoo.cfg`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 2, err);
  assert.match(err, /has log files: check that dataLogDir and dataDir are set correctly/);
});
