// The AdminServer over real sockets: malformed HTTP, unknown paths and
// methods, and a client that stalls mid-request each get a 4xx or a close,
// and the server keeps answering everyone else.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startAdminServer } from "../../../../src/server/admin/admin_server.ts";
import { HttpBindError } from "../../../../src/server/admin/http_server.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";

async function withAdmin(f: (base: string, port: number) => Promise<void>): Promise<void> {
  const s = await startInProc();
  const admin = startAdminServer({
    hostname: "127.0.0.1",
    port: 0,
    view: () => s.server.fourLetterView(),
    snapDir: s.server.db.snapDir,
  });
  try {
    await f(`http://127.0.0.1:${admin.addr.port}`, admin.addr.port);
  } finally {
    await admin.stop();
    await s.stop();
  }
}

/** Sends raw bytes and reads until the server closes (or `maxBytes` arrive). */
async function raw(port: number, bytes: string, maxBytes = 65536): Promise<string> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await c.write(new TextEncoder().encode(bytes));
    const buf = new Uint8Array(maxBytes);
    let n = 0;
    while (n < maxBytes) {
      const r = await c.read(buf.subarray(n));
      if (r === null) break;
      n += r;
      if (new TextDecoder().decode(buf.subarray(0, n)).includes("\r\n\r\n")) break;
    }
    return new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    try {
      c.close();
    } catch { /* closed by the server */ }
  }
}

async function ruokStatus(base: string): Promise<number> {
  const r = await fetch(`${base}/commands/ruok`);
  await r.body?.cancel();
  return r.status;
}

Deno.test("GET /commands/ruok answers 200 JSON; HEAD has the headers and no body", async () => {
  await withAdmin(async (base) => {
    const r = await fetch(`${base}/commands/ruok`);
    assertEquals(r.status, 200);
    assertEquals(r.headers.get("content-type"), "application/json");
    assertEquals(await r.text(), '{\n  "command" : "ruok",\n  "error" : null\n}');
    const h = await fetch(`${base}/commands/ruok`, { method: "HEAD" });
    assertEquals(h.status, 200);
    assertEquals(await h.text(), "");
  });
});

Deno.test("other methods get 405, other paths 404, bad escapes 400; the server keeps serving", async () => {
  await withAdmin(async (base) => {
    const post = await fetch(`${base}/commands/ruok`, { method: "POST", body: "x" });
    await post.body?.cancel();
    assertEquals(post.status, 405);
    const other = await fetch(`${base}/other`);
    await other.body?.cancel();
    assertEquals(other.status, 404);
    const bad = await fetch(`${base}/commands/%E0%A4%A`);
    await bad.body?.cancel();
    assertEquals(bad.status, 400);
    assertEquals(await ruokStatus(base), 200);
  });
});

Deno.test("malformed HTTP gets a 4xx or a close, and the next request is served", async () => {
  await withAdmin(async (base, port) => {
    const garbage = [
      "\x00\x01\x02\x03 not http at all\r\n\r\n",
      "GET /commands/ruok HTTP/9.9\r\n\r\n",
      "GET\r\n\r\n",
      "GET /commands/ruok HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
      "GET /commands/ruok HTTP/1.1\r\nHost: x\r\n" + "X: " + "a".repeat(200_000) + "\r\n\r\n",
    ];
    for (const g of garbage) {
      const reply = await raw(port, g);
      const status = reply.match(/^HTTP\/1\.[01] (\d{3})/)?.[1];
      assert(
        reply === "" || (status !== undefined && status.startsWith("4")),
        `expected a 4xx or a close for ${JSON.stringify(g.slice(0, 40))}, got ${
          JSON.stringify(reply.slice(0, 80))
        }`,
      );
      assertEquals(await ruokStatus(base), 200);
    }
  });
});

Deno.test("a client stalled mid-request does not hold up other requests", async () => {
  await withAdmin(async (base, port) => {
    const stalled: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        await c.write(new TextEncoder().encode("GET /commands/ruok HTTP/1.1\r\nHost: 127.0.0"));
        stalled.push(c);
      }
      for (let i = 0; i < 5; i++) assertEquals(await ruokStatus(base), 200);
      const r = await fetch(`${base}/commands/monitor`);
      assertEquals((await r.json()).command, "monitor");
    } finally {
      for (const c of stalled) c.close();
    }
  });
});

Deno.test("a port in use is reported with the key to change", () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (l.addr as Deno.NetAddr).port;
    let err: unknown;
    try {
      startAdminServer({
        hostname: "127.0.0.1",
        port,
        view: () => {
          throw new Error("unused");
        },
      });
    } catch (e) {
      err = e;
    }
    assert(err instanceof HttpBindError);
    assert(err.message.includes("admin.serverPort"), err.message);
    assert(err.message.includes(String(port)), err.message);
  } finally {
    l.close();
  }
});
