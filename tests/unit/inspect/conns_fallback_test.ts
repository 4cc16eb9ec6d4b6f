// Issue 16: `zkt conns HOST:PORT` against a peer whose whitelist refuses cons
// (3.8's default whitelist is srvr only, and zkt serve's too) failed even with
// --admin given. It now falls back to an AdminServer's /commands/connections —
// the one given, else the one conf names when conf is allowed, else port 8080
// on the same host — and says which source the table came from.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { adminFallbacks } from "../../../src/inspect/admin_client.ts";
import { startAdminServer } from "../../../src/server/admin/admin_server.ts";
import type { HttpServer } from "../../../src/server/admin/http_server.ts";
import { zkt } from "../../support/cli.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { type InProc, startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("the AdminServers tried after a refused cons: the one given, conf's, then :8080 on the host", () => {
  assertEquals(
    adminFallbacks({ given: "http://a:1", fromConf: "http://b:2", hostname: "h" }),
    ["http://a:1", "http://b:2", "http://h:8080"],
  );
  assertEquals(adminFallbacks({ fromConf: "http://h:8080", hostname: "h" }), ["http://h:8080"]);
  assertEquals(adminFallbacks({ hostname: "::1" }), ["http://[::1]:8080"]);
});

/** A server whose whitelist is `whitelist`, its AdminServer (announced in conf), and one session. */
async function withPeer(
  whitelist: string,
  fn: (s: InProc, adminUrl: string, sessionId: string) => Promise<void>,
): Promise<void> {
  let admin: HttpServer | null = null;
  const s = await startInProc([`4lw.commands.whitelist=${whitelist}`], {
    // What zkt serve's conf adds: where its AdminServer listens.
    extraFourLetter: () => ({
      conf: [["admin.serverAddress", "127.0.0.1"], ["admin.serverPort", admin!.addr.port]],
    }),
  });
  admin = startAdminServer({
    hostname: "127.0.0.1",
    port: 0,
    view: () => s.server.fourLetterView(),
  });
  const c = await ZkClient.connect(s.port);
  try {
    const consAllowed = await fourLetter(s.port, "cons").then(() => true, () => false);
    assertEquals(consAllowed, /\bcons\b/.test(whitelist));
    await fn(s, `http://127.0.0.1:${admin.addr.port}`, "0x" + c.session.sessionId.toString(16));
  } finally {
    await c.close().catch(() => {});
    await admin.stop();
    await s.stop();
  }
}

Deno.test("zkt conns HOST:PORT --admin URL reads /commands/connections when the peer refuses cons", async () => {
  await withPeer("srvr", async (s, url, sid) => {
    const r = await zkt(["conns", `127.0.0.1:${s.port}`, "--admin", url, "--json"]);
    assertEquals(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assertEquals(doc.source, "admin");
    assertEquals(doc.sourceUrl, `${url}/commands/connections`);
    assertEquals(doc.connections.map((c: { sessionId?: string }) => c.sessionId), [sid]);
    const t = await zkt(["conns", `127.0.0.1:${s.port}`, "--admin", url]);
    assertEquals(t.code, 0, t.err);
    assert(t.out.includes(sid), t.out);
    assert(
      t.out.includes(
        `connections from ${url}/commands/connections (127.0.0.1:${s.port} refused cons`,
      ),
      t.out,
    );
  });
});

Deno.test("zkt conns HOST:PORT without --admin uses the AdminServer conf names when conf is allowed", async () => {
  await withPeer("srvr, conf", async (s, url, sid) => {
    const r = await zkt(["conns", `127.0.0.1:${s.port}`, "--json"]);
    assertEquals(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assertEquals([doc.source, doc.admin], ["admin", url]);
    assertEquals(doc.connections.map((c: { sessionId?: string }) => c.sessionId), [sid]);
  });
});

Deno.test("zkt conns says the table came from cons when cons is allowed", async () => {
  await withPeer("srvr, cons", async (s, _url, sid) => {
    const r = await zkt(["conns", `127.0.0.1:${s.port}`]);
    assertEquals(r.code, 0, r.err);
    assert(r.out.includes(`connections from cons on 127.0.0.1:${s.port}`), r.out);
    assert(r.out.includes(sid), r.out);
  });
});
