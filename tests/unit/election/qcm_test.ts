// The election port's connection manager: the initial message (v1, v2, legacy),
// ZooKeeper's limits on it, the tie-break, and bad input closing one connection.
import assert from "node:assert/strict";
import {
  encodeInitialMessage,
  OBSERVER_ID,
  parseInitialAddrs,
  PROTOCOL_VERSION_V2,
} from "../../../src/election/handshake.ts";
import { encodeNotification } from "../../../src/election/notification.ts";
import { QuorumCnxManager } from "../../../src/election/qcm.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { freePort } from "../../support/ports.ts";
import { waitFor } from "../../support/wait.ts";

Deno.test("handshake: v1 sends one address, v2 all of them, `|`-separated", () => {
  const addrs = [{ host: "127.0.0.1", port: 3888 }, { host: "::1", port: 3889 }];
  const v1 = encodeInitialMessage(7n, addrs);
  const dv = new DataView(v1.buffer);
  assert.equal(dv.getBigInt64(0), -65536n);
  assert.equal(dv.getBigInt64(8), 7n);
  assert.equal(new TextDecoder().decode(v1.subarray(20)), "127.0.0.1:3888");
  const v2 = encodeInitialMessage(7n, addrs, PROTOCOL_VERSION_V2);
  assert.equal(new DataView(v2.buffer).getBigInt64(0), -65535n);
  assert.equal(new TextDecoder().decode(v2.subarray(20)), "127.0.0.1:3888|[::1]:3889");
});

Deno.test("handshake: addresses parse as 3.8 does; wildcards dropped; malformed refused", () => {
  assert.deepEqual(parseInitialAddrs("h:1|[::1]:2|0.0.0.0:3"), [
    { host: "h", port: 1 },
    { host: "::1", port: 2 },
  ]);
  for (const bad of ["h", "h:x", "a:b:c", "[::1", "h:99999"]) {
    assert.throws(() => parseInitialAddrs(bad), Error, bad);
  }
});

async function connectRaw(port: number): Promise<Deno.Conn> {
  return await Deno.connect({ hostname: "127.0.0.1", port });
}

async function closedByPeer(c: Deno.Conn): Promise<boolean> {
  const buf = new Uint8Array(64);
  try {
    return (await c.read(buf)) === null;
  } catch {
    return true;
  }
}

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

Deno.test({
  name:
    "qcm: garbage and oversize frames close that connection only; a larger sid is kept, a smaller one closed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const port = freePort();
    const qcm = new QuorumCnxManager({
      myid: 5n,
      electionAddrs: [{ host: "127.0.0.1", port }],
      addrOf: () => undefined,
    });
    await qcm.start();
    const conns: Deno.Conn[] = [];
    try {
      // An unknown protocol version.
      const a = await connectRaw(port);
      conns.push(a);
      await a.write(new Uint8Array(8).fill(0xff).map((_, i) => (i === 7 ? 0x00 : 0xff)));
      assert.ok(await closedByPeer(a));
      // An unreasonable address length (> 2048).
      const b = await connectRaw(port);
      conns.push(b);
      const hb = encodeInitialMessage(9n, [{ host: "127.0.0.1", port: 1 }]);
      new DataView(hb.buffer).setInt32(16, 4096);
      await b.write(hb);
      assert.ok(await closedByPeer(b));
      // Our own sid: refused.
      const c = await connectRaw(port);
      conns.push(c);
      await c.write(encodeInitialMessage(5n, [{ host: "127.0.0.1", port: 1 }]));
      assert.ok(await closedByPeer(c));
      assert.ok(lines.some((l) => l.includes("our own ID")));
      // A larger sid is kept and its notifications arrive.
      const d = await connectRaw(port);
      conns.push(d);
      const note = encodeNotification({
        state: 0,
        leader: 9n,
        zxid: 1n,
        electionEpoch: 1n,
        peerEpoch: 0n,
        config: "",
      });
      await d.write(encodeInitialMessage(9n, [{ host: "127.0.0.1", port: 1 }]));
      await d.write(frame(note));
      const got = await waitFor(
        "a message from sid 9",
        () => {
          const m = qcm.drain();
          return m.length > 0 ? m : undefined;
        },
        5000,
        10,
      );
      assert.equal(got[0].sid, 9n);
      assert.deepEqual(got[0].payload, note);
      // An oversize frame (> 512 KiB) closes that connection.
      const big = new Uint8Array(4);
      new DataView(big.buffer).setInt32(0, 512 * 1024 + 1);
      await d.write(big);
      assert.ok(await closedByPeer(d));
      // The listener still serves; the observer id gets a fresh negative id, which
      // is below ours, so (as in 3.8) that connection is closed for a connect-back.
      const e = await connectRaw(port);
      conns.push(e);
      await e.write(encodeInitialMessage(OBSERVER_ID, [{ host: "127.0.0.1", port: 1 }]));
      assert.ok(await closedByPeer(e));
      assert.ok(lines.some((l) => l.includes("Setting arbitrary identifier to observer: -1")));
      // A smaller sid is closed too (we connect back to it).
      const f = await connectRaw(port);
      conns.push(f);
      await f.write(encodeInitialMessage(2n, [{ host: "127.0.0.1", port: 1 }]));
      assert.ok(await closedByPeer(f));
    } finally {
      qcm.halt();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    }
  },
});

Deno.test({
  name: "qcm: the election port stays taken → a clear BindError after the retries",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    setLogSink(() => {});
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    const qcm = new QuorumCnxManager({
      myid: 1n,
      electionAddrs: [{ host: "127.0.0.1", port }],
      addrOf: () => undefined,
      bindRetryDelay: 10,
    });
    try {
      await assert.rejects(
        () => qcm.start(),
        /cannot bind the election port 127\.0\.0\.1:\d+ after 3 attempts/,
      );
    } finally {
      l.close();
      qcm.halt();
    }
  },
});
