// Issue 16, found by trying to break a running `zkt serve`: when descriptors
// run out, (1) a failing accept at the AdminServer ended the whole process
// (Deno.serve's rejected `finished` promise went unhandled); (2) the client-
// and election-port accept loops spun at 100% CPU and logged every failure
// (428,054 lines in 8 s; ZooKeeper logs ~124). Here the server runs under
// `ulimit -n 64`, connections are held until accept fails, and the server
// must stay up, keep its log to a few lines, and answer once they close.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startZkt, type ZktServer } from "../support/zkt_server.ts";
import { fourLetter } from "../support/four_letter.ts";
import { freePorts } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

const enc = new TextEncoder();

/**
 * Opens up to `n` connections to a port (the kernel completes them even when
 * the server cannot accept); stops early if the server goes away.
 */
async function hold(port: number, n: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < n; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      break; // the checks below say why
    }
  }
  return conns;
}

function release(conns: Deno.Conn[]): void {
  for (const c of conns.splice(0)) {
    try {
      c.close();
    } catch { /* closed */ }
  }
}

/** Waits for a log line matching `re`; fails at once if the server exits meanwhile. */
async function waitForLog(z: ZktServer, what: string, re: RegExp): Promise<void> {
  let exited = false;
  z.child.status.then(() => exited = true);
  const seen = await waitFor(what, () => exited ? "exited" : re.test(z.log()) && "seen", 30_000)
    .catch((e) => {
      throw new Error(`${(e as Error).message}\n${z.log().slice(-1500)}`);
    });
  if (seen === "exited") {
    throw new Error(`zkt serve exited while waiting for ${what}:\n${z.log().slice(-1500)}`);
  }
}

const acceptFailures = (log: string) => log.split("\n").filter((l) => /accept failed/.test(l));

Deno.test("zkt serve: idle connections exhausting descriptors at the AdminServer do not end the process", async () => {
  const [admin] = freePorts(1);
  const z = await startZkt({
    cfg: ["admin.enableServer=true", "admin.serverAddress=127.0.0.1", `admin.serverPort=${admin}`],
    maxFiles: 64,
  });
  const held: Deno.Conn[] = [];
  let pending: Deno.Conn | null = null;
  try {
    held.push(...await hold(admin, 100)); // more than the 64 descriptors it may have
    await waitForLog(z, "the AdminServer's accept to fail", /AdminServer: accept failed/);
    // A monitoring request made meanwhile waits in the queue and is answered later.
    pending = await Deno.connect({ hostname: "127.0.0.1", port: admin });
    await pending.write(enc.encode("GET /commands/ruok HTTP/1.1\r\nHost: x\r\n\r\n"));
    release(held);
    const buf = new Uint8Array(4096);
    const n = await pending.read(buf);
    assert(n !== null, "the queued admin request got no answer");
    assert(/^HTTP\/1\.1 200 /.test(new TextDecoder().decode(buf.subarray(0, n))));
    assertEquals(await fourLetter(z.port, "ruok"), "imok");
    const r = await fetch(`http://127.0.0.1:${admin}/commands/ruok`);
    assertEquals((await r.json()).error, null);
    assert(acceptFailures(z.log()).length <= 4, acceptFailures(z.log()).join("\n"));
    assertEquals(await z.stop(), 0);
  } finally {
    release(held);
    pending?.close();
    await z.stop();
  }
});

Deno.test("zkt serve: with descriptors exhausted the client and election ports back off and log a few lines, then serve again", async () => {
  const [e1, e2, q1, q2, admin] = freePorts(5);
  const dir = await Deno.makeTempDir({ prefix: "zkt-fd-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, "1\n");
  const z = await startZkt({
    dir,
    cfg: [
      "initLimit=5",
      "syncLimit=2",
      "maxClientCnxns=0", // as if from many 127.x addresses (the limit is per IP)
      "nio.sessionlessCnxnTimeout=60000", // held client connections stay open
      `server.1=127.0.0.1:${q1}:${e1}`,
      `server.2=127.0.0.1:${q2}:${e2}`,
      "admin.enableServer=true",
      "admin.serverAddress=127.0.0.1",
      `admin.serverPort=${admin}`,
    ],
    maxFiles: 64,
  });
  const held: Deno.Conn[] = [];
  let monitor: Deno.Conn | null = null;
  try {
    held.push(...await hold(z.port, 100));
    await waitForLog(z, "the client port's accept to fail", /client port: accept failed/);
    // One monitoring request to the AdminServer meanwhile (this ended the process).
    monitor = await Deno.connect({ hostname: "127.0.0.1", port: admin });
    await monitor.write(enc.encode("GET /commands/ruok HTTP/1.1\r\nHost: x\r\n\r\n"));
    held.push(...await hold(e1, 10));
    await waitForLog(
      z,
      "the election port's accept to fail",
      /election port: accept failed|\[QuorumCnxManager\] - accept failed/,
    );
    // The exhaustion lasts 2 s (the load, not a wait for a state): the old
    // loops logged tens of thousands of lines in that time.
    await new Promise((r) => setTimeout(r, 2000));
    const lines = acceptFailures(z.log());
    assert(
      lines.length <= 6,
      `${lines.length} accept-failure lines:\n${lines.slice(0, 8).join("\n")}`,
    );
    release(held);
    await waitFor(
      "ruok once the connections close",
      async () => (await fourLetter(z.port, "ruok", "127.0.0.1", 2000)) === "imok",
    );
    await waitForLog(z, "the client port accepting again", /client port: accepting again/);
    const buf = new Uint8Array(4096);
    const n = await monitor.read(buf);
    assert(n !== null && /^HTTP\/1\.1 200 /.test(new TextDecoder().decode(buf.subarray(0, n))));
    assertEquals(await z.stop(), 0);
  } finally {
    release(held);
    monitor?.close();
    await z.stop();
  }
});
