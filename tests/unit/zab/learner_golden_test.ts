// Replays the Zab traffic recorded from a real Apache ZooKeeper 3.8.0 ensemble
// (fixtures/zab) into zkt's learner core: the Java leader's packets go in (disk
// completions made at once), and the core must send what the Java learner sent,
// byte for byte and in order. Requests and revalidations the Java learner made
// for its clients are made through the core at the same point of its stream.
// The one place zkt differs on purpose is 3.8.0's late ACKs of proposals synced
// before NEWLEADER: zkt follows 3.8.5's order (ZOOKEEPER-4785), asserted below.
import assert from "node:assert/strict";
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { LearnerOptions } from "../../../src/zab/learner.ts";
import { PacketType as T } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";
import { encodePacket } from "../../../src/zab/quorum_stream.ts";
import type { CapturedConn } from "../../support/zab_capture.ts";
import {
  parseCapture,
  type ParsedConn,
  readFixtureCapture,
} from "../../support/zab_golden_check.ts";
import { describe, Harness, options } from "./learner_harness.ts";

const DIR = new URL("../../../fixtures/zab", import.meta.url).pathname;
const conns = await parseCapture(await readFixtureCapture(DIR));
const conn = (label: CapturedConn["label"]): ParsedConn => conns.find((c) => c.label === label)!;

/** Each captured learner's state before it connected (its data dir, as the capture left it). */
const START: Record<CapturedConn["label"], Partial<LearnerOptions>> = {
  // Fresh data dirs: epochs 0, empty log.
  "fresh-diff": { sid: 1n },
  // Restarted after 10 txns of epoch 1.
  "diff-history": { sid: 1n, acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: 0x10000000an },
  // Wiped data dir.
  "snap": { sid: 1n },
  "observer": { sid: 4n, observer: true },
  // Old leader 3 of epoch 1, with one txn (0x10000000e) nobody else logged.
  "trunc": { sid: 3n, acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: 0x10000000en },
};

/** Packets a learner sends on its own (for its clients), not in answer to the leader. */
const initiated = (p: QuorumPacket) => p.type === T.REQUEST || p.type === T.REVALIDATE;

const show = (p: QuorumPacket) => P.describePacket(p);

interface Replay {
  h: Harness;
  /** What the core sent, in order. */
  sent: QuorumPacket[];
}

/**
 * Feeds the Java leader's stream into a core started from `start`. Before each
 * leader packet, the learner-initiated packets that come next in the Java
 * learner's stream are made through forward()/revalidate(); PING replies use
 * the touch table the Java learner sent (the caller's table, passed through).
 */
function replay(c: ParsedConn, start: Partial<LearnerOptions>): Replay {
  const expected = c.learner.packets.map((p) => p.packet);
  const touches = expected.filter((p) => p.type === T.PING).map(P.parseTouches);
  const h = new Harness(options({ ...start, takeTouches: () => touches.shift() ?? [] }));
  const sent: QuorumPacket[] = [];
  const collect = (actions: ReturnType<Harness["run"]>) => {
    for (const a of actions) {
      if (a.kind === "leave") assert.fail(`${c.label}: the core left: ${a.reason}`);
      if (a.kind === "send") sent.push(a.packet);
    }
  };
  collect(h.start());
  let next = 1; // expected[0] is FOLLOWERINFO/OBSERVERINFO
  for (const { packet } of c.leader.packets) {
    // Client traffic the Java learner sent before its answer to this packet.
    while (next < expected.length && initiated(expected[next])) {
      const p = expected[next++];
      if (p.type === T.REQUEST) collect(h.run(h.core.forward(P.parseRequest(p))));
      else {
        const { sessionId, timeout } = P.parseRevalidate(p);
        collect(h.run(h.core.revalidate(sessionId, timeout)));
      }
    }
    const before = sent.length;
    collect(h.feed(packet));
    // Skip over what the core answered, to find the next client packet.
    next += sent.length - before;
  }
  return { h, sent };
}

/** The core's packets equal `expected` byte for byte. */
function assertSameStream(label: string, sent: QuorumPacket[], expected: QuorumPacket[]): void {
  assert.deepEqual(sent.map(show), expected.map(show), `${label}: packet types and zxids`);
  sent.forEach((p, i) =>
    assert.deepEqual(encodePacket(p), encodePacket(expected[i]), `${label}: bytes of ${show(p)}`)
  );
}

Deno.test("fresh DIFF: the core answers a Java 3.8 leader exactly as the Java follower did (handshake, ACKs after fsync, PING replies, REQUEST, REVALIDATE, SYNC)", () => {
  const c = conn("fresh-diff");
  const { h, sent } = replay(c, START["fresh-diff"]);
  assertSameStream(c.label, sent, c.learner.packets.map((p) => p.packet));
  // Every committed txn applied, in zxid order; the forwarded sync released once,
  // after the COMMIT that preceded the leader's SYNC; the moved session confirmed.
  const proposals = c.leader.packets.filter((p) => p.packet.type === T.PROPOSAL);
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), proposals.map((p) => p.packet.zxid));
  const ordered = h.actions.filter((a) => a.kind === "apply" || a.kind === "syncDone").map(
    describe,
  );
  assert.equal(ordered[ordered.indexOf("apply 0x100000003") + 1], "syncDone cxid=3");
  assert.equal(h.of("syncDone")[0].request.type, OpCode.sync);
  assert.deepEqual(h.of("revalidated").map(describe), ["revalidated 0x200001c9b910000 true"]);
  assert.equal(h.core.pendingSyncCount, 0);
  assert.equal(h.of("startServing").length, 1);
});

Deno.test("DIFF with history: zkt persists the synced proposals before its NEWLEADER ACK and ACKs them after UPTODATE's ACK (3.8.5's order; the 3.8.0 learner ACKed one before UPTODATE)", () => {
  const c = conn("diff-history");
  const { h, sent } = replay(c, START["diff-history"]);
  const java = c.learner.packets.map((p) => p.packet);
  // 3.8.0 (the capture): FOLLOWERINFO, ACKEPOCH, ACK NEWLEADER, ACK b, ACK UPTODATE, ACK c, ACK d.
  assert.deepEqual(java.slice(2).map((p) => p.zxid), [
    0x100000000n,
    0x10000000bn,
    0x100000000n,
    0x10000000cn,
    0x10000000dn,
  ]);
  // zkt (3.8.5): the UPTODATE ACK first, then the proposals persisted at NEWLEADER, in zxid order.
  const ours = [java[0], java[1], java[2], java[4], java[3], java[5], java[6]];
  assertSameStream(c.label, sent, ours);
  // Disk order at NEWLEADER: the three txns appended and fsynced, then currentEpoch, then the ACK.
  const steps = h.actions.map(describe).filter((d) =>
    /^(append|writeCurrentEpoch|send ACK |startServing)/.test(d)
  );
  assert.deepEqual(steps.slice(0, 3), [
    "append 0x10000000b,0x10000000c,0x10000000d",
    "writeCurrentEpoch 1",
    "send ACK zxid=0x100000000 data=null",
  ]);
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [
    0x10000000bn,
    0x10000000cn,
    0x10000000dn,
  ]);
  assert.equal(h.of("writeAcceptedEpoch").length, 0, "epoch 1 was accepted already");
});

Deno.test("SNAP: the core loads the snapshot, writes it with fsync at NEWLEADER, then currentEpoch, and answers as the Java follower did", () => {
  const c = conn("snap");
  const { h, sent } = replay(c, START.snap);
  assertSameStream(c.label, sent, c.learner.packets.map((p) => p.packet));
  assert.deepEqual(
    h.actions.map(describe).filter((d) => !d.startsWith("send")),
    [
      "writeAcceptedEpoch 1",
      "loadSnapshot 0x10000000d",
      "takeSnapshot 0x10000000d fsync=true",
      "writeCurrentEpoch 1",
      "startServing 1",
    ],
  );
});

Deno.test("observer: OBSERVERINFO, no reply to the PING between NEWLEADER and UPTODATE, INFORMs logged and applied without ACKs, as the Java observer did", () => {
  const c = conn("observer");
  const { h, sent } = replay(c, START.observer);
  assertSameStream(c.label, sent, c.learner.packets.map((p) => p.packet));
  const informs = c.leader.packets.filter((p) => p.packet.type === T.INFORM).map((p) =>
    p.packet.zxid
  );
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), informs);
  assert.deepEqual(h.of("append").flatMap((a) => a.txns.map((t) => t.zxid)), informs);
  assert.ok(!sent.some((p) => p.type === T.ACK && p.zxid !== 1n << 32n), "observers never ACK");
});

Deno.test("TRUNC: the old leader truncates to the new leader's zxid, snapshots without fsync at NEWLEADER and answers as the Java follower did", () => {
  const c = conn("trunc");
  const { h, sent } = replay(c, START.trunc);
  assertSameStream(c.label, sent, c.learner.packets.map((p) => p.packet));
  assert.deepEqual(
    h.actions.map(describe).filter((d) => !d.startsWith("send")),
    [
      "writeAcceptedEpoch 2",
      "truncate 0x10000000d",
      "takeSnapshot 0x10000000d fsync=false",
      "writeCurrentEpoch 2",
      "startServing 2",
    ],
  );
});
