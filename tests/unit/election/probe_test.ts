// probe-election against a peer that, like 3.8's QuorumCnxManager (and zkt's),
// re-sends the last message it sent to the probe's sid as soon as the probe
// connects: the probe must report the answer to this probe, not that one.
import assert from "node:assert/strict";
import { encodeNotification } from "../../../src/election/notification.ts";
import { probeElection } from "../../../src/election/probe.ts";
import { FramedConn } from "../../../src/net/framed_conn.ts";

function note(state: number, leader: bigint): Uint8Array {
  return encodeNotification({
    state,
    leader,
    zxid: 0n,
    electionEpoch: 4n,
    peerEpoch: 1n,
    config: "",
  });
}

/** A peer that sends `first` on connect (if any), then `answer` after the probe's notification. */
function fakePeer(
  first: Uint8Array | null,
  answer: Uint8Array,
): { port: number; done: Promise<void> } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const raw = await l.accept();
    l.close();
    const c = new FramedConn(raw, { maxFrame: 1 << 20 });
    // Initial message: version, sid, address length + text.
    await c.readLong();
    await c.readLong();
    const n = await c.readInt();
    await c.readExact(n!);
    if (first) c.send(first);
    await c.readFrame(); // the probe's notification
    c.send(answer);
    await c.readFrame().catch(() => null); // until the probe hangs up
    c.close();
  })();
  return { port: (l.addr as Deno.NetAddr).port, done };
}

Deno.test("probe-election reports the answer to this probe, not the stale message re-sent on connect", async () => {
  // Stale: LOOKING for 3 (from an earlier probe); now: FOLLOWING 5.
  const peer = fakePeer(note(0, 3n), note(1, 5n));
  const got: { state: string; leader: bigint }[] = [];
  await probeElection({ host: "127.0.0.1", port: peer.port }, (a) => got.push(a), {
    timeoutMs: 3000,
  });
  await peer.done;
  assert.equal(got.length, 1);
  assert.equal(got[0].state, "following");
  assert.equal(got[0].leader, 5n);
});

Deno.test("probe-election reports a single answer once it settles", async () => {
  const peer = fakePeer(null, note(2, 7n));
  const got: { state: string; leader: bigint }[] = [];
  await probeElection({ host: "127.0.0.1", port: peer.port }, (a) => got.push(a), {
    timeoutMs: 3000,
    settleMs: 100,
  });
  await peer.done;
  assert.deepEqual(got.map((a) => [a.state, a.leader]), [["leading", 7n]]);
});
