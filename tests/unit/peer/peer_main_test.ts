// The composition root in one process: a standalone server and an ensemble
// peer built from a ZkConfig, stopped through the handle (what `zkt serve`
// does on SIGTERM): ports closed, the txn log durable, `done` settled.
import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/load.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { startPeerMain } from "../../../src/peer/peer_main.ts";
import { RuntimeError } from "../../../src/errors.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { freePorts } from "../../support/ports.ts";
import { ZkClient } from "../../support/zk_client.ts";

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch (e) {
    return e instanceof Deno.errors.ConnectionRefused;
  }
}

async function config(lines: string[]): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-peer-main-" });
  const path = `${dir}/zoo.cfg`;
  await Deno.writeTextFile(
    path,
    ["tickTime=50", "initLimit=5", "syncLimit=3", `dataDir=${dir}/data`, ...lines].join("\n") +
      "\n",
  );
  return { path, dir };
}

Deno.test({
  name: "peer main: a standalone server serves, stops on its handle and keeps what it acked",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const [client, admin] = freePorts(2);
    const { path, dir } = await config([
      `clientPort=${client}`,
      "clientPortAddress=127.0.0.1",
      "admin.serverAddress=127.0.0.1",
      `admin.serverPort=${admin}`,
    ]);
    try {
      const h = await startPeerMain(await loadConfig(path), { configPath: path });
      assert.equal(h.port, client);
      assert.equal(h.peer, null);
      const c = await ZkClient.connect(client);
      assert.equal((await c.create("/kept", "v")).err, 0);
      await c.close();
      assert.ok((await fetch(`http://127.0.0.1:${admin}/commands/ruok`)).ok);
      let settled = false;
      h.done.then(() => settled = true);
      await Promise.all([h.stop(), h.stop()]); // idempotent
      await h.done;
      assert.ok(settled);
      assert.ok(await refused(client), "client port closed");
      assert.ok(await refused(admin), "AdminServer closed");

      const again = await startPeerMain(await loadConfig(path));
      const c2 = await ZkClient.connect(client);
      assert.equal((await c2.exists("/kept")).err, 0);
      await c2.close();
      await again.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "peer main: with server.N lines it runs an election peer that does not serve clients yet",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const ports = freePorts(7);
    const { path, dir } = await config([
      `clientPort=${ports[0]}`,
      "clientPortAddress=127.0.0.1",
      "admin.enableServer=false",
      ...[1, 2, 3].map((i) => `server.${i}=127.0.0.1:${ports[i]}:${ports[i + 3]}`),
    ]);
    try {
      await Deno.mkdir(`${dir}/data`, { recursive: true });
      await Deno.writeTextFile(`${dir}/data/myid`, "1\n");
      const h = await startPeerMain(await loadConfig(path), { configPath: path });
      assert.equal(h.peer?.myid, 1n);
      assert.equal(h.peer?.state, "looking"); // alone: no quorum
      assert.match(await fourLetter(ports[0], "srvr"), /not currently serving/);
      await h.stop();
      await h.done;
      assert.ok(await refused(ports[0]), "client port closed");
      assert.ok(await refused(ports[4]), "election port closed");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("peer main: a config without clientPort is refused before the data dir is touched", async () => {
  setLogSink(() => {});
  const { path, dir } = await config(["clientPort=2181"]);
  try {
    const cfg = await loadConfig(path);
    cfg.clientPort = undefined; // an ensemble config may leave it to the server lines
    await assert.rejects(startPeerMain(cfg), RuntimeError);
    assert.ok(!(await Deno.stat(`${dir}/data`).then(() => true, () => false)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
