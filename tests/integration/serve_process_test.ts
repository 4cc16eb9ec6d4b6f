// `zkt serve` as users run it: a real process on a free port. SIGTERM/SIGINT
// exit 0 after flushing; a restart restores exactly; snapshots roll every
// snapCount txns and the restore from them equals the live tree; the txn log
// and snapshots are ZooKeeper's formats (read back by our readers).
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startZkt } from "../support/zkt_server.ts";
import { ZkClient } from "../support/zk_client.ts";
import { fourLetter, modeOf } from "../support/four_letter.ts";
import { restore } from "../../src/persistence/datadir.ts";
import { waitFor } from "../support/wait.ts";
import { freePort } from "../support/ports.ts";

Deno.test("zkt serve: SIGTERM exits 0 and a restart restores every node and stat", async () => {
  const z = await startZkt();
  const c = await ZkClient.connect(z.port);
  await c.create("/keep", "v1");
  await c.create("/keep/kid", "k");
  await c.setData("/keep", "v2");
  const before = await c.getData("/keep");
  await c.close();
  assertEquals(await z.stop("SIGTERM"), 0);

  const z2 = await startZkt({ dir: z.dir });
  try {
    const d = await ZkClient.connect(z2.port);
    const after = await d.getData("/keep");
    assertEquals(after.data, "v2");
    assertEquals(after.stat, before.stat);
    assertEquals((await d.getChildren("/keep")).children, ["kid"]);
    await d.close();
  } finally {
    assertEquals(await z2.stop("SIGINT"), 0);
  }
});

Deno.test("zkt serve: snapshots every ~snapCount txns; restore from them equals the live tree", async () => {
  const z = await startZkt({ cfg: ["snapCount=20"] });
  try {
    const c = await ZkClient.connect(z.port);
    await Promise.all(Array.from({ length: 80 }, (_, i) => c.create(`/n${i}`, `${i}`)));
    const live = await c.getChildren("/");
    await c.close();
    const snaps = () =>
      [...Deno.readDirSync(`${z.dir}/data/version-2`)].filter((e) =>
        e.name.startsWith("snapshot.")
      );
    // Startup snapshot + at least one taken while serving (threshold is 10..19 txns),
    // written in the background.
    await waitFor("a snapshot taken while serving", () => snaps().length >= 2);
    assertEquals(modeOf(await fourLetter(z.port, "srvr")), "standalone");
    // Taken by a child `zkt data snapshot`, not the worker or in-process fallbacks.
    assert.match(z.log(), /Snapshotting: 0x/);
    assert.doesNotMatch(z.log(), /using a worker|snapshotting in process/);
    assertEquals(await z.stop(), 0);
    const r = await restore(`${z.dir}/data`);
    assertEquals(r.snapshotDigest === "mismatch", false);
    assertEquals(r.digestMismatch, null);
    const kids = [...(r.tree.children("/") ?? [])].sort();
    assertEquals(kids, [...live.children].sort());
  } finally {
    await z.stop();
  }
});

Deno.test("zkt serve: with server lines it runs an ensemble peer (alone: LOOKING, not serving; SIGTERM exits 0)", async () => {
  const [e1, e2, q1, q2] = [freePort(), freePort(), freePort(), freePort()];
  const z = await startZkt({
    cfg: [
      "initLimit=5",
      "syncLimit=2",
      `server.1=127.0.0.1:${q1}:${e1}`,
      `server.2=127.0.0.1:${q2}:${e2}`,
    ],
    dir: await dirWithMyid(1),
  });
  assertEquals(
    (await fourLetter(z.port, "srvr")).trim(),
    "This ZooKeeper instance is not currently serving requests",
  );
  assertEquals(await z.stop(), 0);
  assert(z.log().includes("LOOKING"));
});

Deno.test("zkt serve: an ensemble peer whose acceptedEpoch is below currentEpoch exits 3 naming the file", async () => {
  const dir = await dirWithMyid(1);
  await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/version-2/currentEpoch`, "2");
  await Deno.writeTextFile(`${dir}/data/version-2/acceptedEpoch`, "1");
  const [e1, e2, q1, q2] = [freePort(), freePort(), freePort(), freePort()];
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    `tickTime=200\ninitLimit=5\nsyncLimit=2\ndataDir=${dir}/data\nclientPort=${freePort()}\n` +
      `server.1=127.0.0.1:${q1}:${e1}\nserver.2=127.0.0.1:${q2}:${e2}\n`,
  );
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", main, "serve", "--config", `${dir}/zoo.cfg`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 3);
  assert(new TextDecoder().decode(out.stderr).includes(`${dir}/data/version-2/acceptedEpoch`));
});

async function dirWithMyid(sid: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-serve-ens-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, `${sid}\n`);
  return dir;
}

Deno.test("zkt serve: autopurge keeps snapRetainCount snapshots and runs at startup", async () => {
  const z = await startZkt({ cfg: ["snapCount=4"] });
  const c = await ZkClient.connect(z.port);
  // Snapshots are written in the background; one is skipped while another is in flight.
  for (let i = 0; i < 2000 && snapshotsIn(z.dir) <= 4; i++) await c.create(`/p${i}`);
  await c.close();
  assertEquals(await z.stop(), 0);
  const snaps = () => snapshotsIn(z.dir);
  assert(snaps() > 3, `expected more than 3 snapshots before purging, got ${snaps()}`);
  const z2 = await startZkt({
    dir: z.dir,
    cfg: ["snapCount=4", "autopurge.purgeInterval=1", "autopurge.snapRetainCount=3"],
  });
  try {
    await waitFor("autopurge to leave 3 snapshots", () => snaps() === 3);
    const d = await ZkClient.connect(z2.port);
    assertEquals((await d.exists("/p0")).err, 0);
    await d.close();
  } finally {
    await z2.stop();
  }
});

Deno.test("zkt serve: after kill -9, every acknowledged write is there", async () => {
  const z = await startZkt({ cfg: ["snapCount=50"] });
  const c = await ZkClient.connect(z.port);
  const acked: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop && i < 2000; i++) {
      const p = `/k${w}-${i}`;
      const r = await c.create(p, "v").catch(() => null);
      if (r?.err === 0) acked.push(p);
    }
  });
  await waitFor("some writes to be acknowledged", () => acked.length >= 200);
  z.child.kill("SIGKILL");
  stop = true;
  await Promise.all(writers);
  await z.stop();
  const z2 = await startZkt({ dir: z.dir, cfg: ["snapCount=50"] });
  try {
    const d = await ZkClient.connect(z2.port);
    const kids = new Set((await d.getChildren("/")).children.map((k) => `/${k}`));
    const lost = acked.filter((p) => !kids.has(p));
    assertEquals(lost, []);
    await d.close();
  } finally {
    await z2.stop();
  }
});

Deno.test("zkt serve: a session survives a restart; its client reconnects and keeps its ephemerals", async () => {
  const z = await startZkt({ cfg: ["maxSessionTimeout=60000"] });
  const c = await ZkClient.connect(z.port, { timeoutMs: 20_000 });
  await c.create("/mine", "", 1);
  await c.drop();
  assertEquals(await z.stop(), 0);
  const z2 = await startZkt({ dir: z.dir, cfg: ["maxSessionTimeout=60000"] });
  try {
    const again = await ZkClient.connect(z2.port, {
      sessionId: c.session.sessionId,
      passwd: c.session.passwd,
      timeoutMs: 20_000,
    });
    assertEquals(again.session.sessionId, c.session.sessionId);
    assertEquals((await again.exists("/mine")).stat?.ephemeralOwner, c.session.sessionId);
    await again.close();
    const other = await ZkClient.connect(z2.port);
    assertEquals((await other.exists("/mine")).err, -101, "closing the session removed it");
    await other.close();
  } finally {
    await z2.stop();
  }
});

Deno.test("zkt serve with no config: standalone on 127.0.0.1, data in ./zkt-data", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "zkt-serve-default-" });
  const port = freePort();
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", main, "serve", "--port", String(port)],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // 3.8's default whitelist has srvr only.
    await waitFor("the default server", async () => modeOf(await fourLetter(port, "srvr")));
    const c = await ZkClient.connect(port);
    await c.create("/hello", "world");
    await c.close();
    assertEquals(modeOf(await fourLetter(port, "srvr")), "standalone");
  } finally {
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0);
  }
  const files = [...Deno.readDirSync(`${cwd}/zkt-data/version-2`)].map((e) => e.name).sort();
  assert(files.includes("log.1") && files.includes("snapshot.0"), files.join(","));
});

/** Snapshot files in a zkt serve test dir. */
function snapshotsIn(dir: string): number {
  return [...Deno.readDirSync(`${dir}/data/version-2`)].filter((e) =>
    /^snapshot\.[0-9a-f]+$/.test(e.name)
  ).length;
}
