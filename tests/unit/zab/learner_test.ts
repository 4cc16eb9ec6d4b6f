// The learner core's rules (zab-3.8.md §7, §12, §13): the order of disk writes
// and packets that keeps acknowledged txns durable, the Java leader behaviours
// it must tolerate, and every bad order ending the link with one clear reason
// (where a Java learner would exit its JVM, zkt only re-elects).
import assert from "node:assert/strict";
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { LearnerOptions } from "../../../src/zab/learner.ts";
import * as P from "../../../src/zab/packets.ts";
import {
  commit,
  describe,
  Harness,
  inform,
  options,
  proposal,
  registered,
  serving,
  T,
} from "./learner_harness.ts";

const E1 = 1n << 32n;
const z = (counter: number, epoch = 1n) => (epoch << 32n) | BigInt(counter);
const sends = (h: Harness) => h.sent.map(P.describePacket);
const ack = (zxid: bigint) => `ACK zxid=0x${zxid.toString(16)} data=null`;

// ---- discovery ----

Deno.test("a follower registers with FOLLOWERINFO(makeZxid(acceptedEpoch,0)) and a 20-byte LearnerInfo; an observer with OBSERVERINFO", () => {
  for (const observer of [false, true]) {
    const h = new Harness(options({ sid: 7n, observer, acceptedEpoch: 3n, configVersion: 5n }));
    const [a] = h.start();
    assert.equal(a.kind, "send");
    const p = (a as { packet: QuorumPacket }).packet;
    assert.equal(p.type, observer ? T.OBSERVERINFO : T.FOLLOWERINFO);
    assert.equal(p.zxid, 3n << 32n);
    assert.deepEqual(P.parseLearnerInfo(p), {
      observer,
      acceptedEpoch: 3n,
      serverid: 7n,
      protocolVersion: 0x10000,
      configVersion: 5n,
    });
  }
});

Deno.test("LEADERINFO with a newer epoch: acceptedEpoch is written before the ACKEPOCH that carries currentEpoch and the last logged zxid", () => {
  const h = new Harness(options({ acceptedEpoch: 4n, currentEpoch: 3n, lastLoggedZxid: z(9, 3n) }));
  h.autoDisk = false;
  h.start();
  const out = h.feed(P.leaderInfoPacket(5n));
  assert.deepEqual(out.map(describe), ["writeAcceptedEpoch 5"], "no ACKEPOCH before the write");
  // Packets arriving while the epoch is written wait for it.
  assert.deepEqual(h.feed(P.diffPacket(z(9, 3n))), []);
  const after = h.run(h.core.acceptedEpochWritten());
  const sent = after.filter((a) => a.kind === "send").map((a) =>
    (a as { packet: QuorumPacket }).packet
  );
  assert.equal(sent.length, 1);
  assert.deepEqual(P.parseAckEpoch(sent[0]), { lastLoggedZxid: z(9, 3n), epoch: 3 });
  assert.equal(h.core.syncMode, "DIFF", "the DIFF that waited was handled after the write");
});

Deno.test("LEADERINFO with the accepted epoch: ACKEPOCH data is -1 (not an ack) and nothing is written", () => {
  const h = registered({ acceptedEpoch: 2n, currentEpoch: 2n, lastLoggedZxid: z(4, 2n) }, 2n);
  assert.equal(h.of("writeAcceptedEpoch").length, 0);
  assert.deepEqual(P.parseAckEpoch(h.sent[1]), { lastLoggedZxid: z(4, 2n), epoch: -1 });
});

// ---- bad orders: one leave, one reason, nothing after ----

interface BadOrder {
  name: string;
  start?: Partial<LearnerOptions>;
  /** Packets after start(); LEADERINFO(1) first unless `raw`. */
  packets: QuorumPacket[];
  raw?: boolean;
  reason: RegExp;
}

const live = [P.diffPacket(0n), P.newLeaderPacket(1n, ""), P.upToDatePacket()];

const BAD_ORDERS: BadOrder[] = [
  {
    name: "PING as the first sync packet (Java exits 13)",
    packets: [P.pingPacket(E1)],
    reason: /first sync packet must be DIFF, TRUNC or SNAP, got PING/,
  },
  {
    name: "NEWLEADER as the first sync packet",
    packets: [P.newLeaderPacket(1n, "")],
    reason: /first sync packet must be DIFF, TRUNC or SNAP, got NEWLEADER/,
  },
  {
    name: "LEADERINFO with an epoch lower than acceptedEpoch",
    start: { acceptedEpoch: 3n, currentEpoch: 3n },
    raw: true,
    packets: [P.leaderInfoPacket(2n)],
    reason: /leader proposed epoch 2, lower than our acceptedEpoch 3/,
  },
  {
    name: "something other than LEADERINFO first",
    raw: true,
    packets: [P.diffPacket(0n)],
    reason: /expected LEADERINFO, got DIFF/,
  },
  {
    name: "NEWLEADER instead of LEADERINFO (pre-Zab-1.0 leader)",
    raw: true,
    packets: [P.newLeaderPacket(1n, "")],
    reason: /pre-Zab-1.0 leader/,
  },
  {
    name: "LEADERINFO with null data (garbage)",
    raw: true,
    packets: [{ type: T.LEADERINFO, zxid: E1, data: null, authinfo: null }],
    reason: /bad LEADERINFO from the leader: LEADERINFO: null data/,
  },
  {
    name: "an unknown packet type (garbage)",
    packets: [P.diffPacket(0n), { type: 99, zxid: 0n, data: null, authinfo: null }],
    reason: /unknown packet type 99 from the leader/,
  },
  {
    name: "a PROPOSAL too short for a TxnHeader (garbage)",
    packets: [P.diffPacket(0n), P.proposalPacket(z(1), new Uint8Array(3))],
    reason: /bad PROPOSAL from the leader: .*TxnHeader/,
  },
  {
    name: "UPTODATE before NEWLEADER",
    packets: [P.diffPacket(0n), P.upToDatePacket()],
    reason: /UPTODATE before NEWLEADER/,
  },
  {
    name: "NEWLEADER for another epoch than LEADERINFO's",
    packets: [P.diffPacket(0n), P.newLeaderPacket(2n, "")],
    reason: /NEWLEADER zxid 0x200000000 is not the epoch LEADERINFO proposed \(1\)/,
  },
  {
    name: "a second NEWLEADER",
    packets: [P.diffPacket(0n), P.newLeaderPacket(1n, ""), P.newLeaderPacket(1n, "")],
    reason: /a second NEWLEADER/,
  },
  {
    name: "TRUNC past the last logged zxid",
    start: { lastLoggedZxid: z(3) },
    packets: [P.truncPacket(z(5))],
    reason: /TRUNC to 0x100000005, after our last logged zxid 0x100000003/,
  },
  {
    name: "COMMIT with no proposal pending while syncing",
    packets: [P.diffPacket(0n), commit(z(1))],
    reason: /COMMIT 0x100000001 with no proposal pending/,
  },
  {
    name: "COMMIT not matching the oldest proposal while syncing (SNAP mode)",
    packets: [P.snapPacket(0n), proposal(z(1)), proposal(z(2)), commit(z(2))],
    reason: /COMMIT 0x100000002 is not the oldest pending proposal 0x100000001/,
  },
  {
    name: "COMMIT not matching the head of pending proposals in broadcast (Java exits 12)",
    packets: [...live, proposal(z(1)), proposal(z(2)), commit(z(2))],
    reason: /COMMIT 0x100000002 is not the oldest pending proposal 0x100000001/,
  },
  {
    name: "COMMIT with nothing pending in broadcast (the ZOOKEEPER-4394 NPE)",
    packets: [...live, commit(z(1))],
    reason: /COMMIT 0x100000001 with no proposal pending/,
  },
  {
    name: "a PROPOSAL that does not move forward",
    packets: [...live, proposal(z(2)), proposal(z(2))],
    reason: /PROPOSAL 0x100000002 does not follow the last one, 0x100000002/,
  },
  {
    name: "a PROPOSAL at or before the DIFF point",
    start: { lastLoggedZxid: z(5) },
    packets: [P.diffPacket(z(5)), proposal(z(5))],
    reason: /PROPOSAL 0x100000005 does not follow the last one, 0x100000005/,
  },
  {
    name: "SYNC with no sync pending (Java's NoSuchElementException)",
    packets: [...live, P.syncPacket()],
    reason: /SYNC from the leader with no sync pending/,
  },
  {
    name: "a REQUEST from the leader while synchronizing",
    packets: [
      P.diffPacket(0n),
      P.requestPacket({
        sessionId: 1n,
        cxid: 1,
        type: 1,
        body: new Uint8Array(0),
        authinfo: null,
      }),
    ],
    reason: /unexpected REQUEST while synchronizing/,
  },
  {
    name: "an ACK from the leader while following",
    packets: [...live, P.ackPacket(z(1))],
    reason: /unexpected ACK while following/,
  },
  {
    name: "COMMITANDACTIVATE (reconfig)",
    packets: [...live, proposal(z(1)), P.commitAndActivatePacket(z(1), 1n)],
    reason: /COMMITANDACTIVATE: dynamic reconfig is not supported/,
  },
  {
    name:
      "an observer given a PROPOSAL that is never committed before UPTODATE (a 3.8 observer NPEs)",
    start: { observer: true },
    packets: [P.diffPacket(0n), proposal(z(1)), P.newLeaderPacket(1n, ""), P.upToDatePacket()],
    reason: /UPTODATE with proposal 0x100000001 never committed \(observer\)/,
  },
];

for (const bad of BAD_ORDERS) {
  Deno.test(`bad order → the link ends with one clear reason: ${bad.name}`, () => {
    const h = bad.raw ? new Harness(options(bad.start)) : registered(bad.start);
    if (bad.raw) h.start();
    h.feed(...bad.packets);
    assert.equal(h.leaves.length, 1, h.actions.map(describe).join("\n"));
    assert.match(h.leaves[0].reason, bad.reason);
    assert.equal(h.core.phase, "left");
    // Nothing after the leave: no packet, no completion, no tick does anything.
    assert.equal(h.actions.at(-1)!.kind, "leave");
    assert.deepEqual(h.feed(P.pingPacket(E1), proposal(z(9))), []);
    assert.deepEqual(h.core.tick(), []);
    assert.deepEqual(h.core.close("again"), []);
  });
}

Deno.test("a PING before UPTODATE is not answered, after it the reply echoes the zxid with the caller's touch table (never null data)", () => {
  const touches = [[{ sessionId: 0x1234n, timeout: 4000 }], []];
  const h = registered({ takeTouches: () => touches.shift()! });
  h.feed(P.diffPacket(0n), P.pingPacket(E1), P.newLeaderPacket(1n, ""), P.pingPacket(E1));
  assert.deepEqual(sends(h).slice(2), [ack(E1)], "only the NEWLEADER ACK");
  h.feed(P.upToDatePacket(), P.pingPacket(z(7)), P.pingPacket(z(8)));
  const replies = h.sent.filter((p) => p.type === T.PING);
  assert.deepEqual(replies.map((p) => p.zxid), [z(7), z(8)]);
  assert.deepEqual(P.parseTouches(replies[0]), [{ sessionId: 0x1234n, timeout: 4000 }]);
  assert.equal(replies[1].data?.length, 0, "an empty table is 0 bytes, not null");
  assert.equal(replies[1].authinfo, null);
});

// ---- NEWLEADER: persist order (ZOOKEEPER-3911/4643/4646/4785) ----

Deno.test("zookeeper_4785: at NEWLEADER the synced txns are appended and fsynced, then currentEpoch is written, then the ACK — and nothing else is sent in between", () => {
  const h = registered({ lastLoggedZxid: 0n });
  h.autoDisk = false;
  h.feed(P.diffPacket(z(2)), proposal(z(1)), commit(z(1)), proposal(z(2)), commit(z(2)));
  assert.deepEqual(h.of("apply"), [], "DIFF: nothing applied before it is logged");
  const out = h.feed(P.newLeaderPacket(1n, ""));
  assert.deepEqual(out.map(describe), [
    "append 0x100000001,0x100000002",
    "apply 0x100000001",
    "apply 0x100000002",
  ]);
  // While the fsync runs: a PROPOSAL, its COMMIT and a PING arrive; nothing is sent.
  assert.deepEqual(h.feed(proposal(z(3)), P.pingPacket(z(3)), commit(z(3))), []);
  assert.deepEqual(h.run(h.core.persisted(z(1))), [], "not all synced txns durable yet");
  const epoch = h.run(h.core.persisted(z(2)));
  assert.deepEqual(epoch.map(describe), ["writeCurrentEpoch 1"]);
  const acked = h.run(h.core.currentEpochWritten());
  // The NEWLEADER ACK is first; then the waiting packets: z3 logged and applied, no ACK before UPTODATE.
  assert.deepEqual(acked.map(describe), [
    `send ${ack(E1)}`,
    "append 0x100000003",
    "apply 0x100000003",
  ]);
  h.run(h.core.persisted(z(3)));
  assert.deepEqual(sends(h).slice(2), [ack(E1)], "proposal ACKs wait for UPTODATE");
  h.feed(P.upToDatePacket());
  assert.deepEqual(sends(h).slice(2), [ack(E1), ack(E1), ack(z(1)), ack(z(2)), ack(z(3))]);
});

Deno.test("SNAP: the snapshot is written (fsync) before the uncommitted txns are appended and before currentEpoch", () => {
  const h = registered();
  h.autoDisk = false;
  h.feed(P.snapPacket(z(5)));
  h.run(h.core.snapshotLoaded());
  h.feed(proposal(z(6)), commit(z(6)), proposal(z(7)));
  assert.deepEqual(
    h.of("apply").map(describe),
    ["apply 0x100000006"],
    "SNAP mode applies COMMITs at once",
  );
  assert.deepEqual(h.feed(P.newLeaderPacket(1n, "")).map(describe), [
    "takeSnapshot 0x100000006 fsync=true",
  ]);
  assert.deepEqual(
    h.run(h.core.snapshotWritten()).map(describe),
    ["append 0x100000007"],
    "z6 is in the snapshot, not the log",
  );
  assert.deepEqual(h.run(h.core.persisted(z(7))).map(describe), ["writeCurrentEpoch 1"]);
  assert.deepEqual(h.run(h.core.currentEpochWritten()).map(describe), [`send ${ack(E1)}`]);
});

Deno.test("TRUNC: the log is truncated before anything else is read, and NEWLEADER's snapshot is not fsynced", () => {
  const h = registered({ acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(9) }, 2n);
  h.autoDisk = false;
  assert.deepEqual(h.feed(P.truncPacket(z(7))).map(describe), ["truncate 0x100000007"]);
  assert.deepEqual(h.feed(P.newLeaderPacket(2n, "")), [], "waits for the truncation");
  const out = h.run(h.core.truncated());
  assert.deepEqual(out.map(describe), ["takeSnapshot 0x100000007 fsync=false"]);
});

Deno.test("an empty DIFF writes no snapshot and no txns at NEWLEADER: currentEpoch, then the ACK", () => {
  const h = registered({ acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(4) }, 2n);
  h.feed(P.diffPacket(z(4)), P.newLeaderPacket(2n, ""), P.upToDatePacket());
  assert.deepEqual(h.actions.map(describe).filter((d) => !d.startsWith("send")), [
    "writeAcceptedEpoch 2",
    "writeCurrentEpoch 2",
    "startServing 2",
  ]);
  assert.deepEqual(sends(h).slice(2), [ack(2n << 32n), ack(2n << 32n)]);
});

// ---- what a Java leader really sends ----

for (const mode of ["DIFF", "SNAP"] as const) {
  Deno.test(`zookeeper_4394_commit_after_newleader (${mode}): a COMMIT after NEWLEADER for a PROPOSAL before it is matched and applied`, () => {
    const h = registered();
    h.feed(mode === "DIFF" ? P.diffPacket(0n) : P.snapPacket(0n));
    h.feed(proposal(z(1)), proposal(z(2)), P.newLeaderPacket(1n, ""));
    h.feed(
      commit(z(1)),
      P.pingPacket(z(2)),
      commit(z(2)),
      P.upToDatePacket(),
      proposal(z(3)),
      commit(z(3)),
    );
    assert.deepEqual(h.leaves, []);
    assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [z(1), z(2), z(3)]);
    assert.deepEqual(sends(h).slice(2), [ack(E1), ack(E1), ack(z(1)), ack(z(2)), ack(z(3))]);
    assert.deepEqual(h.of("append").flatMap((a) => a.txns.map((t) => t.zxid)), [z(1), z(2), z(3)]);
  });
}

Deno.test("a fuzzy SNAP followed by txns it already holds: they are applied again (idempotently) and only the uncommitted one is logged", () => {
  const h = registered();
  h.feed(
    P.snapPacket(z(5)),
    proposal(z(4)),
    commit(z(4)),
    proposal(z(5)),
    commit(z(5)),
    proposal(z(6)),
  );
  h.feed(P.newLeaderPacket(1n, ""), commit(z(6)), P.upToDatePacket());
  assert.deepEqual(h.leaves, []);
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [z(4), z(5), z(6)]);
  assert.deepEqual(h.of("takeSnapshot").map(describe), ["takeSnapshot 0x100000005 fsync=true"]);
  assert.deepEqual(h.of("append").flatMap((a) => a.txns.map((t) => t.zxid)), [z(6)]);
  assert.deepEqual(sends(h).slice(2), [ack(E1), ack(E1), ack(z(6))]);
});

Deno.test("PINGs between NEWLEADER and UPTODATE (late joiner) get no answer, and the NEWLEADER ACK is still the first packet after NEWLEADER", () => {
  const h = registered();
  h.feed(
    P.snapPacket(0n),
    P.newLeaderPacket(1n, ""),
    P.pingPacket(E1),
    P.pingPacket(E1),
    P.upToDatePacket(),
  );
  assert.deepEqual(sends(h).slice(2), [ack(E1), ack(E1)]);
});

// ---- broadcast ----

Deno.test("follower: a PROPOSAL is ACKed only after its zxid is fsynced, in zxid order; COMMITs apply in order", () => {
  const h = serving();
  h.autoDisk = false;
  const base = h.sent.length;
  h.feed(proposal(z(1)), proposal(z(2)), proposal(z(3)));
  assert.equal(h.sent.length, base, "no ACK before fsync");
  assert.deepEqual(h.of("append").map(describe), [
    "append 0x100000001",
    "append 0x100000002",
    "append 0x100000003",
  ]);
  h.run(h.core.persisted(z(2)));
  assert.deepEqual(sends(h).slice(base), [ack(z(1)), ack(z(2))]);
  // A COMMIT may apply before the local fsync (the append was issued first).
  h.feed(commit(z(1)), commit(z(2)), commit(z(3)));
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [z(1), z(2), z(3)]);
  h.run(h.core.persisted(z(3)));
  assert.deepEqual(sends(h).slice(base), [ack(z(1)), ack(z(2)), ack(z(3))]);
  assert.deepEqual(h.run(h.core.persisted(z(3))), [], "a repeated completion sends nothing");
});

Deno.test("sync(): SYNC from the leader releases the oldest pending sync, after the applies before it (FIFO, no id)", () => {
  const h = serving();
  const req = (cxid: number, type: number) => ({
    sessionId: 0x99n,
    cxid,
    type,
    body: new Uint8Array(0),
    authinfo: [{ scheme: "ip", id: "127.0.0.1" }],
  });
  const out = h.run(h.core.forward(req(1, OpCode.sync)));
  assert.deepEqual(out.map(describe), [
    "send REQUEST zxid=0xffffffffffffffff data=16B authinfo=ip:127.0.0.1",
  ]);
  h.run(h.core.forward(req(2, OpCode.create)));
  h.run(h.core.forward(req(3, OpCode.sync)));
  assert.equal(h.core.pendingSyncCount, 2, "only syncs wait for SYNC");
  h.feed(proposal(z(1)), commit(z(1)), P.syncPacket(), P.syncPacket());
  assert.deepEqual(h.actions.map(describe).filter((d) => /^(apply|syncDone)/.test(d)), [
    "apply 0x100000001",
    "syncDone cxid=1",
    "syncDone cxid=3",
  ]);
});

Deno.test("REVALIDATE: the leader's answer completes that session's pending revalidation; an unasked answer is only logged", () => {
  const h = serving();
  h.run(h.core.revalidate(0xabn, 5000));
  assert.deepEqual(P.parseRevalidate(h.sent.at(-1)!), { sessionId: 0xabn, timeout: 5000 });
  h.feed(P.revalidateReplyPacket(0xabn, false), P.revalidateReplyPacket(0xabn, true));
  assert.deepEqual(h.of("revalidated").map(describe), ["revalidated 0xab false"]);
  assert.equal(h.of("warn").length, 1);
  assert.deepEqual(h.leaves, []);
});

Deno.test("forward() and revalidate() before UPTODATE are caller bugs (the client port is closed until then)", () => {
  const h = registered();
  assert.throws(() =>
    h.core.forward({ sessionId: 1n, cxid: 1, type: 1, body: new Uint8Array(), authinfo: null })
  );
  assert.throws(() => h.core.revalidate(1n, 1));
});

Deno.test("observer: INFORM is logged and applied with no ACK; PROPOSAL and COMMIT after UPTODATE are ignored", () => {
  const h = serving({ observer: true });
  h.autoDisk = true;
  const base = h.sent.length;
  h.feed(inform(z(1)), proposal(z(2)), commit(z(2)), inform(z(2)));
  assert.equal(h.sent.length, base, "observers never ACK");
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [z(1), z(2)]);
  assert.deepEqual(h.of("append").flatMap((a) => a.txns.map((t) => t.zxid)), [z(1), z(2)]);
  assert.equal(h.of("warn").length, 2);
  assert.deepEqual(h.leaves, []);
});

Deno.test("observer: PROPOSAL+COMMIT pairs of a DIFF and INFORMs before UPTODATE are logged at NEWLEADER and applied; no proposal ACKs", () => {
  const h = registered({ observer: true });
  h.feed(
    P.diffPacket(z(2)),
    proposal(z(1)),
    commit(z(1)),
    inform(z(2)),
    P.newLeaderPacket(1n, ""),
    P.upToDatePacket(),
  );
  assert.deepEqual(h.of("apply").map((a) => a.txn.zxid), [z(1), z(2)]);
  assert.deepEqual(sends(h).slice(2), [ack(E1), ack(E1)]);
});

Deno.test("UPTODATE after serving is only logged, as Java does", () => {
  const h = serving();
  h.feed(P.upToDatePacket());
  assert.deepEqual(h.leaves, []);
  assert.match(h.of("warn")[0].message, /UPTODATE after the learner started serving/);
});

// ---- leaving: timeouts and what memory holds ----

Deno.test("ticks: initLimit ticks of silence before NEWLEADER, syncLimit after, end the link; any packet resets; disk waits do not count", () => {
  const h = registered({ initLimit: 3, syncLimit: 2 });
  h.feed(P.diffPacket(0n));
  for (let i = 0; i < 3; i++) assert.deepEqual(h.core.tick(), []);
  h.feed(P.pingPacket(E1));
  for (let i = 0; i < 3; i++) assert.deepEqual(h.core.tick(), []);
  h.autoDisk = false;
  h.feed(P.newLeaderPacket(1n, ""));
  for (let i = 0; i < 10; i++) assert.deepEqual(h.core.tick(), [], "writing currentEpoch");
  h.run(h.core.currentEpochWritten());
  h.core.tick();
  h.core.tick();
  const out = h.core.tick();
  assert.deepEqual(out.map(describe), [
    "leave (fast-forward) nothing from the leader for 3 ticks (syncLimit is 2)",
  ]);
  const before = registered({ initLimit: 1 });
  before.core.tick();
  assert.match(
    describe(before.core.tick()[0]),
    /nothing from the leader for 2 ticks \(initLimit is 1\)/,
  );
});

Deno.test("zookeeper_3642: a link lost during or after a SNAP before NEWLEADER's snapshot asks for a reload, not a fast-forward", () => {
  const during = registered();
  during.autoDisk = false;
  during.feed(P.snapPacket(z(3)));
  assert.deepEqual(during.core.diskFailed("SNAP body: missing BenWasHere").map(describe), [
    "leave (reload) SNAP body: missing BenWasHere",
  ]);
  const after = registered();
  after.feed(P.snapPacket(z(3)), proposal(z(4)));
  assert.deepEqual(after.core.close("EOF").map(describe), ["leave (reload) EOF"]);
  const synced = registered();
  synced.feed(P.snapPacket(z(3)), P.newLeaderPacket(1n, ""));
  assert.deepEqual(synced.core.close("EOF").map(describe), ["leave (fast-forward) EOF"]);
});

Deno.test("TRUNC mode: COMMITs applied before NEWLEADER's snapshot make a lost link reload from disk; DIFF mode fast-forwards", () => {
  const t = registered({ acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(9) }, 2n);
  t.feed(P.truncPacket(z(7)));
  assert.deepEqual(
    t.core.close("EOF").map(describe),
    ["leave (fast-forward) EOF"],
    "truncated and reloaded: disk = memory",
  );
  const c = registered({ acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(9) }, 2n);
  c.feed(P.truncPacket(z(7)), proposal(z(8)), commit(z(8)));
  assert.deepEqual(c.core.close("EOF").map(describe), ["leave (reload) EOF"]);
  const d = registered();
  d.feed(P.diffPacket(0n), proposal(z(1)), commit(z(1)));
  assert.deepEqual(d.core.close("EOF").map(describe), ["leave (fast-forward) EOF"]);
});

Deno.test("a disk completion the core did not ask for is a shell bug and throws", () => {
  const h = registered();
  assert.throws(() => h.core.truncated(), /truncate completed but the core waits for null/);
  assert.throws(() => new Harness(options()).core.receive(P.pingPacket(0n)), /before start/);
});

Deno.test("a TRUNC then a DIFF that skips an epoch's first txns is warned: the leader's history has a gap (3.8.0 leaders after their own TRUNC sync; nemesis seed 3807)", () => {
  const h = registered({ acceptedEpoch: 4n, currentEpoch: 4n, lastLoggedZxid: z(0x155, 4n) }, 5n);
  h.feed(P.truncPacket(z(0x40b, 3n)));
  h.feed(proposal(z(0x156, 4n)), commit(z(0x156, 4n)));
  const warns = h.of("warn").map((w) => w.message);
  assert.equal(warns.length, 1);
  assert.match(warns[0], /0x400000156 after 0x30000040b: the txns between them never came/);
  const ok = registered({ acceptedEpoch: 4n, currentEpoch: 4n, lastLoggedZxid: z(9, 3n) }, 5n);
  ok.feed(P.diffPacket(z(1, 4n)), proposal(z(1, 4n)), commit(z(1, 4n)));
  ok.feed(proposal(z(2, 4n)), commit(z(2, 4n)));
  assert.deepEqual(ok.of("warn"), [], "(3, 9) then (4, 1), (4, 2): one history");
});
