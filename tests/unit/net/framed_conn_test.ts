// Framed TCP: frames survive the trip, bad lengths end only that connection,
// deadlines fire, and queued frames are coalesced into few writes.
import assert from "node:assert/strict";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import { FrameError, TimeoutError } from "../../../src/net/errors.ts";
import { serveTcp } from "../../../src/net/listener.ts";

/** A connected pair of loopback sockets. */
async function pair(): Promise<{ a: Deno.Conn; b: Deno.Conn; close(): void }> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port }),
    l.accept(),
  ]);
  l.close();
  return {
    a,
    b,
    close() {
      for (const c of [a, b]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
}

Deno.test("frames of many sizes arrive intact and in order", async () => {
  const p = await pair();
  const tx = new FramedConn(p.a, { maxFrame: 1 << 20 });
  const rx = new FramedConn(p.b, { maxFrame: 1 << 20, readBufferSize: 64 });
  const sizes = [0, 1, 3, 4, 100, 65536, 300000, 7];
  for (const [i, n] of sizes.entries()) tx.send(new Uint8Array(n).fill(i + 1));
  await tx.flush();
  for (const [i, n] of sizes.entries()) {
    const f = await rx.readFrame();
    assert.ok(f);
    assert.equal(f.length, n);
    assert.ok(f.every((x) => x === i + 1));
  }
  tx.close();
  assert.equal(await rx.readFrame(), null, "clean EOF between frames reads as null");
  p.close();
});

Deno.test("queued frames are coalesced into one write", async () => {
  const p = await pair();
  let writes = 0;
  const counting = new Proxy(p.a, {
    get(t, k) {
      if (k === "write") {
        return (b: Uint8Array) => {
          writes++;
          return t.write(b);
        };
      }
      const v = Reflect.get(t, k);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const tx = new FramedConn(counting, { maxFrame: 1024 });
  for (let i = 0; i < 100; i++) tx.send(new Uint8Array([i]));
  await tx.flush();
  assert.equal(writes, 1);
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  for (let i = 0; i < 100; i++) assert.deepEqual(await rx.readFrame(), new Uint8Array([i]));
  p.close();
});

Deno.test("an oversize length is a FrameError before any allocation", async () => {
  const p = await pair();
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  await p.a.write(be32(0x7fffffff));
  await assert.rejects(rx.readFrame(), (e) => e instanceof FrameError && /exceeds/.test(e.message));
  p.close();
});

Deno.test("a negative length is a FrameError", async () => {
  const p = await pair();
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  await p.a.write(be32(-5));
  await assert.rejects(
    rx.readFrame(),
    (e) => e instanceof FrameError && /negative/.test(e.message),
  );
  p.close();
});

Deno.test("a frame cut short by EOF is a FrameError, not a null", async () => {
  const p = await pair();
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  await p.a.write(new Uint8Array([...be32(10), 1, 2, 3]));
  p.a.close();
  await assert.rejects(rx.readFrame(), FrameError);
  p.close();
});

Deno.test("a read deadline ends a silent connection with TimeoutError", async () => {
  const p = await pair();
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  rx.setReadDeadline(50);
  await assert.rejects(rx.readFrame(), TimeoutError);
  assert.ok(rx.closed);
  p.close();
});

Deno.test("readInt/readLong/readExact read unframed handshakes", async () => {
  const p = await pair();
  const rx = new FramedConn(p.b, { maxFrame: 1024 });
  const bytes = new Uint8Array(16);
  const dv = new DataView(bytes.buffer);
  dv.setBigInt64(0, -65535n);
  dv.setInt32(8, -2);
  bytes.set([9, 8, 7, 6], 12);
  await p.a.write(bytes);
  assert.equal(await rx.readLong(), -65535n);
  assert.equal(await rx.readInt(), -2);
  assert.deepEqual(await rx.readExact(4), new Uint8Array([9, 8, 7, 6]));
  p.close();
});

Deno.test("the listener keeps serving after a connection's handler fails", async () => {
  let served = 0;
  const srv = serveTcp({ hostname: "127.0.0.1", port: 0, name: "test" }, async (conn) => {
    const fc = new FramedConn(conn, { maxFrame: 16 });
    const f = await fc.readFrame(); // throws on the oversize frame
    served++;
    fc.send(f ?? new Uint8Array());
    await fc.closeAfterFlush();
  });
  const bad = await Deno.connect({ hostname: "127.0.0.1", port: srv.addr.port });
  await bad.write(be32(1 << 30));
  const buf = new Uint8Array(8);
  assert.equal(await bad.read(buf).catch(() => null), null, "bad connection is closed");
  bad.close();
  const good = await Deno.connect({ hostname: "127.0.0.1", port: srv.addr.port });
  const fc = new FramedConn(good, { maxFrame: 16 });
  fc.send(new Uint8Array([42]));
  assert.deepEqual(await fc.readFrame(), new Uint8Array([42]));
  assert.equal(served, 1);
  fc.close();
  srv.close();
  await srv.done;
});
