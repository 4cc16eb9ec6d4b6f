// A quorum connection on loopback: packets and a SNAP transfer cross intact,
// queued packets share writes, garbage and silence each close that one
// connection with one log line naming the peer and the reason.
import assert from "node:assert/strict";
import { setLogSink } from "../../../src/log/logger.ts";
import { TimeoutError } from "../../../src/net/errors.ts";
import { DataTree } from "../../../src/data/tree.ts";
import type { SnapNode } from "../../../src/persistence/snapshot.ts";
import { ZabProtocolError } from "../../../src/zab/errors.ts";
import { PacketType } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";
import { QuorumConn } from "../../../src/zab/quorum_conn.ts";

async function pair(): Promise<{ a: Deno.TcpConn; b: Deno.TcpConn; close(): void }> {
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

/** Captures log lines while f runs. */
async function logged(f: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    await f();
  } finally {
    setLogSink(prev);
  }
  return lines;
}

Deno.test("packets sent in one turn arrive intact, in order, in one write", async () => {
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
  const tx = new QuorumConn(counting, { name: "learner" });
  const rx = new QuorumConn(p.b, { readSize: 7 });
  const sent = [
    P.learnerInfoPacket(PacketType.FOLLOWERINFO, 0n, {
      serverid: 1n,
      protocolVersion: 0x10000,
      configVersion: 0n,
    }),
    P.ackEpochPacket(0n, 0),
    P.pingReplyPacket(0x100000000n, [{ sessionId: 9n, timeout: 4000 }]),
    P.requestPacket({
      sessionId: 9n,
      cxid: 1,
      type: 1,
      body: new Uint8Array(300).fill(1),
      authinfo: [{ scheme: "ip", id: "127.0.0.1" }],
    }),
  ];
  for (const s of sent) tx.send(s);
  await tx.flush();
  assert.equal(writes, 1, "four packets queued in one turn share one write");
  for (const s of sent) assert.deepEqual(await rx.read(), s);
  tx.close();
  assert.equal(await rx.read(), null, "EOF between packets is a clean end");
  p.close();
});

Deno.test("a SNAP transfer from a tree crosses the socket and the packets after it still parse", async () => {
  const p = await pair();
  const tree = new DataTree();
  tree.sessions.set(0x500n, 5000);
  for (let i = 0; i < 2000; i++) {
    tree.createNode(
      `/n${i}`,
      new Uint8Array(i % 500).fill(i & 0xff),
      null,
      0n,
      -1,
      BigInt(i + 1),
      7,
    );
  }
  tree.lastProcessedZxid = 2000n;
  const leader = new QuorumConn(p.a, { name: "leader-side" });
  const learner = new QuorumConn(p.b, { name: "learner-side", readSize: 1000 });
  learner.setReadDeadline(10_000);
  const sending = (async () => {
    leader.send(P.leaderInfoPacket(1n));
    await leader.sendSnap(tree, 4096);
    leader.send(P.newLeaderPacket(1n, ""));
    await leader.flush();
  })();
  assert.equal((await learner.read())?.type, PacketType.LEADERINFO);
  const snap = await learner.read();
  assert.equal(snap?.type, PacketType.SNAP);
  assert.equal(snap?.zxid, 2000n);
  const paths: string[] = [];
  await learner.receiveSnap((e) => {
    for (const n of Array.isArray(e) ? e : [e]) {
      if (n.kind === "node") paths.push((n as SnapNode).path);
    }
  });
  assert.deepEqual(paths, [...tree.walk()].map(([path]) => path));
  assert.equal((await learner.read())?.type, PacketType.NEWLEADER);
  await sending;
  leader.close();
  learner.close();
  p.close();
});

Deno.test("garbage (a negative data length) closes that connection with one log line naming the peer and the field", async () => {
  const p = await pair();
  const rx = new QuorumConn(p.b, { name: "server.3 127.0.0.1:2888" });
  await p.a.write(new Uint8Array([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf0]));
  const lines = await logged(async () => {
    await assert.rejects(
      rx.read(),
      (e) => e instanceof ZabProtocolError && /data length -16 is negative/.test(e.message),
    );
  });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /WARN +\[QuorumConn\] - Closing quorum connection to server\.3 127\.0\.0\.1:2888: data length -16 is negative at stream offset 12/,
  );
  assert.ok(rx.closed);
  assert.equal(await p.a.read(new Uint8Array(1)), null, "the peer sees the socket closed");
  p.close();
});

Deno.test("a peer that goes quiet past the read deadline is closed with a TimeoutError", async () => {
  const p = await pair();
  const rx = new QuorumConn(p.b, { name: "silent" });
  rx.setReadDeadline(50);
  const lines = await logged(async () => {
    await assert.rejects(
      rx.read(),
      (e) => e instanceof TimeoutError && /no data within 50 ms/.test(e.message),
    );
  });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /Closing quorum connection to silent: no data within 50 ms/);
  p.close();
});

Deno.test("a peer that closes inside a packet is one error saying how far it got", async () => {
  const p = await pair();
  const rx = new QuorumConn(p.b, { name: "cut" });
  await p.a.write(new Uint8Array([0, 0, 0, 2, 0, 0, 0, 0, 0]));
  p.a.close();
  await assert.rejects(
    rx.read(),
    (e) =>
      e instanceof ZabProtocolError &&
      /cut: stream ended inside packet 1 at stream offset 9: 9 bytes of at least 16/.test(
        e.message,
      ),
  );
  p.close();
});
