// Bad input never crashes the server: random request frames after a valid
// handshake, random connect requests, random first bytes. Afterwards a fresh
// client is served normally.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("random request frames are answered or refused; the server keeps serving", async () => {
  const s = await startInProc([], { sessionlessTimeoutMs: 200 });
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
    const ok = await ZkClient.connect(s.port);
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
    const ok = await ZkClient.connect(s.port);
    assertEquals((await ok.exists("/")).err, 0);
    await ok.close();
  } finally {
    await s.stop();
  }
});
