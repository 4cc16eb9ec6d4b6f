// Issue 16: AdminServer connections never timed out, so a silent connection
// or a half-sent request head held a descriptor forever (Jetty closes both
// after admin.idleTimeout, 30 s). zkt closes a silent connection after
// admin.idleTimeout, a head still incomplete after admin.headerReadTimeout
// (even while bytes trickle in), and at admin.maxConnections closes the
// connection that has waited longest for its client so a new request is served.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { parseConfig } from "../../../../src/config/load.ts";
import { startServerHttp } from "../../../../src/server/admin/start.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";
import { freePort } from "../../../support/ports.ts";

const enc = new TextEncoder();

function cfgOf(port: number, lines: string[]) {
  return parseConfig(
    [
      "dataDir=/unused",
      "clientPort=2181",
      "admin.serverAddress=127.0.0.1",
      `admin.serverPort=${port}`,
      ...lines,
    ].join("\n"),
    {
      readFile: (p) => {
        throw new Deno.errors.NotFound(p);
      },
    },
  );
}

/** Resolves true once the server closes `conn` (EOF or reset), false if it is still open at the deadline. */
async function closedByServer(conn: Deno.Conn, deadlineMs: number): Promise<boolean> {
  const buf = new Uint8Array(4096);
  const eof = (async () => {
    try {
      while (await conn.read(buf) !== null) { /* drain */ }
    } catch { /* reset or closed by us */ }
    return true;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), deadlineMs));
  const closed = await Promise.race([eof, late]);
  clearTimeout(timer);
  if (!closed) {
    conn.close();
    await eof;
  }
  return closed;
}

async function withAdmin(
  lines: string[],
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const s = await startInProc();
  const port = freePort();
  const http = await startServerHttp(cfgOf(port, lines), s.server);
  try {
    assert(http.admin, "AdminServer started");
    await fn(port);
  } finally {
    await http.stop();
    await s.stop();
  }
}

async function ruok(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/commands/ruok`);
  await r.body?.cancel();
  return r.status;
}

Deno.test("AdminServer closes a connection that sends nothing within admin.idleTimeout", async () => {
  await withAdmin(["admin.idleTimeout=200"], async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    assert(await closedByServer(c, 10_000), "a silent connection is still open after 10 s");
    try {
      c.close();
    } catch { /* closed */ }
    assertEquals(await ruok(port), 200);
  });
});

Deno.test("AdminServer closes a request head still incomplete at admin.headerReadTimeout, though bytes trickle in", async () => {
  await withAdmin(["admin.idleTimeout=60000", "admin.headerReadTimeout=300"], async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    await c.write(enc.encode("GET /commands/ruok HTTP/1.1\r\n"));
    let stop = false;
    const trickle = (async () => {
      // One header byte every 50 ms keeps an idle timer from firing; bounded to 10 s.
      for (let i = 0; i < 200 && !stop; i++) {
        try {
          await c.write(enc.encode("x"));
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const closed = await closedByServer(c, 10_000);
    stop = true;
    await trickle;
    try {
      c.close();
    } catch { /* closed */ }
    assert(closed, "a trickled head is still open after 10 s");
    assertEquals(await ruok(port), 200);
  });
});

Deno.test("at admin.maxConnections the longest-waiting idle connection is closed and a new request is served", async () => {
  await withAdmin(["admin.maxConnections=3"], async (port) => {
    const idle: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 3; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      assertEquals(await ruok(port), 200);
      assert(await closedByServer(idle[0], 10_000), "the oldest idle connection is still open");
    } finally {
      for (const c of idle) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    }
  });
});
