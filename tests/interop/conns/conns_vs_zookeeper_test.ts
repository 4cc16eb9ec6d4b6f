// `zkt conns` against Apache ZooKeeper 3.8: lists the sessions a test opened,
// names the whitelist when `cons` is refused and no AdminServer answers, and
// with 3.8's default whitelist (srvr only) reads its AdminServer instead.
import assert from "node:assert/strict";
import { TextLineStream } from "../../support/lines.ts";
import { startApacheZk } from "../../support/apache_zk.ts";
import { zktProcess } from "../../support/cli.ts";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../../support/interop.ts";
import { freePort, freePorts } from "../../support/ports.ts";

const HOLD = new URL("./hold_sessions.py", import.meta.url).pathname;

Deno.test({
  name: "zkt conns lists the sessions open on an Apache ZooKeeper server",
  ignore: SKIP_INTEROP,
  async fn() {
    const port = freePort();
    const zk = await startApacheZk({ clientPort: port });
    const py = new Deno.Command(SYSTEM_PYTHON, {
      args: [HOLD, `127.0.0.1:${port}`, "3"],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const lines = py.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      );
      const reader = lines.getReader();
      const first = await reader.read();
      const ids: string[] = JSON.parse(first.value ?? "[]");
      assert.equal(ids.length, 3);
      const r = await zktProcess(["conns", `127.0.0.1:${port}`, "--json"]);
      assert.equal(r.code, 0, r.err);
      const doc = JSON.parse(r.out);
      const listed = doc.connections.map((c: { sessionId?: string }) => c.sessionId);
      for (const id of ids) assert.ok(listed.includes(id), `${id} in ${listed}`);
      assert.equal(doc.totals.sessions, 3);
      const table = await zktProcess(["conns", `127.0.0.1:${port}`, "--sort", "session"]);
      assert.equal(table.code, 0);
      for (const id of ids) assert.match(table.out, new RegExp(id));
      reader.releaseLock();
    } finally {
      await py.stdin.close();
      await py.status;
      await zk.stop();
    }
  },
});

Deno.test({
  name: "zkt conns exits 1 naming 4lw.commands.whitelist when cons is not whitelisted",
  ignore: SKIP_INTEROP,
  async fn() {
    const port = freePort();
    const zk = await startApacheZk({ clientPort: port, cfg: ["4lw.commands.whitelist=srvr"] });
    try {
      const r = await zktProcess(["conns", `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.match(r.err, /4lw\.commands\.whitelist/);
      assert.equal(r.out, "");
    } finally {
      await zk.stop();
    }
  },
});

Deno.test({
  name: "zkt conns --admin reads Apache ZooKeeper's /commands/connections when cons is refused",
  ignore: SKIP_INTEROP,
  async fn() {
    const [port, admin] = freePorts(2);
    const zk = await startApacheZk({
      clientPort: port,
      cfg: [
        "4lw.commands.whitelist=srvr", // 3.8's default
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${admin}`,
      ],
      jvmProps: { "zookeeper.admin.enableServer": "true" },
    });
    const py = new Deno.Command(SYSTEM_PYTHON, {
      args: [HOLD, `127.0.0.1:${port}`, "1"],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = py.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      ).getReader();
      const ids: string[] = JSON.parse((await reader.read()).value ?? "[]");
      reader.releaseLock();
      const url = `http://127.0.0.1:${admin}`;
      const r = await zktProcess(["conns", `127.0.0.1:${port}`, "--admin", url, "--json"]);
      assert.equal(r.code, 0, r.err);
      const doc = JSON.parse(r.out);
      assert.equal(doc.source, "admin");
      assert.deepEqual(
        doc.connections.map((c: { sessionId?: string }) => c.sessionId).filter(Boolean),
        ids,
      );
      const t = await zktProcess(["conns", `127.0.0.1:${port}`, "--admin", url]);
      assert.equal(t.code, 0, t.err);
      assert.match(t.out, new RegExp(`connections from ${url}/commands/connections`));
    } finally {
      await py.stdin.close();
      await py.status;
      await zk.stop();
    }
  },
});

Deno.test("zkt conns exits 1 with a clear message when nothing listens", async () => {
  const r = await zktProcess(["conns", `127.0.0.1:${freePort()}`, "--timeout", "2000"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot connect to 127\.0\.0\.1:\d+/);
});
