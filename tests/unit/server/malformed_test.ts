// Bad input never crashes the server: random request frames after a valid
// handshake, random connect requests, random first bytes. Afterwards a fresh
// client is served normally.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

/**
 * A fresh client's session, retried while the server closes the handshake: with a
 * 200 ms sessionless timeout a slow first fsync of the createSession legitimately
 * loses to the timer (ZooKeeper closes such a connection too). A crash fails every try.
 */
async function connectAfterAbuse(port: number): Promise<ZkClient> {
  for (let i = 1;; i++) {
    try {
      return await ZkClient.connect(port);
    } catch (e) {
      if (i >= 10 || !/closed the connection during the handshake/.test(String(e))) throw e;
    }
  }
}

Deno.test("random request frames are answered or refused; the server keeps serving", async () => {
  // Every connection here completes a handshake, so the sessionless timer plays no part.
  const s = await startInProc([], { sessionlessTimeoutMs: 5_000 });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -12, max: 110 }),
        fc.uint8Array({ maxLength: 64 }),
        async (type, body) => {
          const c = await ZkClient.connect(s.port);
          const frame = new Uint8Array(8 + body.length);
          const v = new DataView(frame.buffer);
          v.setInt32(0, 7);
          v.setInt32(4, type);
          frame.set(body, 8);
          // Any reply (or a close) is fine; a hang or a crash is not.
          await c.sendRaw(7, frame).catch(() => {});
          await c.drop();
        },
      ),
      { numRuns: 150 },
    );
    const ok = await connectAfterAbuse(s.port);
    assertEquals((await ok.exists("/")).err, 0);
    await ok.close();
  } finally {
    await s.stop();
  }
});

Deno.test("random connect requests and first bytes never take the server down", async () => {
  const s = await startInProc([], { sessionlessTimeoutMs: 200 });
  try {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 80 }), async (bytes) => {
        const conn = new FramedConn(await Deno.connect({ hostname: "127.0.0.1", port: s.port }), {
          maxFrame: 1 << 20,
        });
        conn.send(bytes);
        await conn.flush().catch(() => {});
        // Read until the server answers and/or closes (the sessionless timer bounds it).
        try {
          while ((await conn.readFrame()) !== null) { /* keep reading */ }
        } catch { /* closed mid-frame or oversize: fine */ }
        conn.close();
      }),
      { numRuns: 100 },
    );
    const ok = await connectAfterAbuse(s.port);
    assertEquals((await ok.exists("/")).err, 0);
    await ok.close();
  } finally {
    await s.stop();
  }
});

Deno.test("a thousand idle connections: each is closed after the sessionless timeout; others are served meanwhile", async () => {
  const s = await startInProc(["maxClientCnxns=0"], { sessionlessTimeoutMs: 300 });
  const idle: Deno.Conn[] = [];
  try {
    // Opened in bounded batches so the client side never floods its own accept queue.
    for (let batch = 0; batch < 10; batch++) {
      idle.push(
        ...await Promise.all(
          Array.from({ length: 100 }, () => Deno.connect({ hostname: "127.0.0.1", port: s.port })),
        ),
      );
    }
    // With all of them open and silent, a real session still gets its answers.
    const c = await ZkClient.connect(s.port);
    assertEquals((await c.create("/busy", "x")).err, 0);
    assertEquals((await c.getData("/busy")).err, 0);
    // Every idle one ends with EOF (or a reset), never left open; bounded so a leak fails, not hangs.
    const closed = Promise.all(idle.map((conn) => conn.read(new Uint8Array(16)).catch(() => null)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<"open">((r) => timer = setTimeout(() => r("open"), 60_000));
    const got = await Promise.race([closed, bound]);
    clearTimeout(timer);
    assertEquals(Array.isArray(got) && got.every((n) => n === null), true);
    // The established session was not one of them.
    assertEquals((await c.exists("/busy")).err, 0);
    await c.close();
  } finally {
    for (const conn of idle) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await s.stop();
  }
});
