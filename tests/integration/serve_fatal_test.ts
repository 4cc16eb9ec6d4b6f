// A server whose disk fails must not live on: 3.8 stops and a supervisor
// restarts it from what is durable. zkt once logged "exiting" after a failed
// txn log write and kept its AdminServer and metrics up, and kept serving after
// a failed snapshot. Here the disk really fills: a small tmpfs is mounted over
// dataLogDir (or dataDir) in a private mount namespace (`unshare -rm`, so no
// root is needed and the mount goes away with the process), and the writes
// fail with ENOSPC.
import assert from "node:assert/strict";
import { startZkt, type ZktServer } from "../support/zkt_server.ts";
import { ZkClient } from "../support/zk_client.ts";
import { freePorts } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

/** Runs the server with a `size` tmpfs mounted over `dir` (and `then` run in it), visible to it alone. */
function onTmpfs(dir: string, size: string, then = "true"): string[] {
  return [
    "unshare",
    "--user",
    "--map-root-user",
    "--mount",
    "sh",
    "-c",
    `mount -t tmpfs -o size=${size} zkt-test-tmpfs '${dir}' && cd '${dir}' && ${then} ` +
    `&& exec "$0" "$@"`,
  ];
}

/** Can this machine give a process a private tmpfs? */
const canMount = new Deno.Command("unshare", {
  args: ["--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs t /mnt"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

/** Creates 1 KiB znodes one by one until the server stops answering (bounded). */
async function writeUntilRefused(port: number, max: number): Promise<number> {
  let acked = 0;
  try {
    const c = await ZkClient.connect(port);
    const data = "x".repeat(1024);
    for (let i = 0; i < max; i++) {
      const r = await c.create(`/n${i}`, data);
      assert.equal(r.err, 0);
      acked++;
    }
    await c.close();
  } catch { /* the server went away: expected */ }
  return acked;
}

async function refused(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return false;
  } catch (e) {
    return e instanceof Deno.errors.ConnectionRefused;
  }
}

/** Waits for the process to end by itself and returns its exit code. */
async function exitCode(z: ZktServer): Promise<number> {
  const done = await waitFor("zkt serve to exit by itself", async () => {
    const s = await Promise.race([z.child.status, Promise.resolve(null)]);
    return s ?? false;
  }).catch(async (e) => {
    await z.stop("SIGKILL");
    throw new Error(`${(e as Error).message}\n--- zkt log ---\n${z.log().slice(-2000)}`);
  });
  await z.stop(); // collects the log pump
  return done.code;
}

function lastLine(log: string): string {
  const lines = log.trimEnd().split("\n");
  return lines[lines.length - 1];
}

Deno.test({
  name: "a txn log write that fails (disk full) ends zkt serve with exit 1 after one last ERROR " +
    "line, and closes its client, admin and metrics ports",
  ignore: !(await canMount),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-fatal-log-" });
    await Deno.mkdir(`${dir}/txnlogs`);
    const [admin, metrics] = freePorts(2);
    const z = await startZkt({
      dir,
      launcher: onTmpfs(`${dir}/txnlogs`, "256k"),
      cfg: [
        `dataLogDir=${dir}/txnlogs`,
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${admin}`,
        "metricsProvider.className=org.apache.zookeeper.metrics.prometheus." +
        "PrometheusMetricsProvider",
        "metricsProvider.httpHost=127.0.0.1",
        `metricsProvider.httpPort=${metrics}`,
      ],
    });
    assert.equal(await refused(admin), false, "the AdminServer listens");
    assert.equal(await refused(metrics), false, "/metrics listens");
    // 2,000 KiB of znodes cannot fit 256 KiB of log disk.
    const acked = await writeUntilRefused(z.port, 2000);
    assert.ok(acked < 2000, "the server stopped answering");
    assert.equal(await exitCode(z), 1);
    assert.match(
      lastLine(z.log()),
      /- ERROR \[.*\] - Severe unrecoverable error, exiting: txn log write failed: .*No space left on device/,
    );
    for (const [what, port] of [["client", z.port], ["admin", admin], ["metrics", metrics]]) {
      assert.ok(await refused(port as number), `the ${what} port is closed`);
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a snapshot that cannot be written (disk full) ends zkt serve with exit 10 " +
    "(3.8's TXNLOG_ERROR_TAKING_SNAPSHOT) after one last ERROR line",
  ignore: !(await canMount),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-fatal-snap-" });
    await Deno.mkdir(`${dir}/data`);
    const z = await startZkt({
      dir,
      // Logs on the real disk; snapshots on 128 KiB: the startup snapshot fits,
      // one holding 200 KiB of znodes does not.
      launcher: onTmpfs(`${dir}/data`, "128k"),
      cfg: [`dataLogDir=${dir}/txnlogs`, "snapCount=100"],
    });
    await writeUntilRefused(z.port, 2000);
    assert.equal(await exitCode(z), 10);
    assert.match(
      lastLine(z.log()),
      /- ERROR \[.*\] - Severe unrecoverable error, exiting: cannot write snapshot .*snapshot\.[0-9a-f]+: .*No space left on device/,
    );
    assert.ok(await refused(z.port), "the client port is closed");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a startup snapshot that cannot be written (disk full) ends zkt serve with exit 10",
  ignore: !(await canMount),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-fatal-startsnap-" });
    await Deno.mkdir(`${dir}/data`);
    const err = await startZkt({
      dir,
      // One page of tmpfs, filled before the server starts.
      launcher: onTmpfs(`${dir}/data`, "4k", "head -c 4096 /dev/zero > fill"),
    }).then(async (z) => {
      await z.stop("SIGKILL");
      return "it started";
    }, (e: Error) => e.message);
    assert.match(err, /zkt serve exited with 10\n/);
    assert.match(
      err,
      /- ERROR \[.*\] - Severe unrecoverable error, exiting: cannot write snapshot .*snapshot\.0: .*No space left on device.*\n$/,
    );
    await Deno.remove(dir, { recursive: true });
  },
});
