// The leader's discovery and synchronization core, rule by rule (3.8's
// Leader.getEpochToPropose, waitForEpochAck, waitForNewLeaderAck), with the
// tolerance 3.8.0 learners need (NEWLEADER ACK after proposal ACKs).
import assert from "node:assert/strict";
import { MajorityQuorum } from "../../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../../src/config/types.ts";
import { type DiscoveryAction, LeaderDiscovery } from "../../../src/zab/discovery.ts";
import { makeZxid, PacketType } from "../../../src/zab/packet_types.ts";

function srv(id: number, type: "participant" | "observer" = "participant"): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 2000 + id }],
    electionAddrs: [{ host: "127.0.0.1", port: 3000 + id }],
    type,
  };
}
/** Voters 1, 2, 3 and observer 4; leader 1. */
const QV = new MajorityQuorum([srv(1), srv(2), srv(3), srv(4, "observer")]);

function leader(over: Partial<ConstructorParameters<typeof LeaderDiscovery>[0]> = {}) {
  return new LeaderDiscovery({
    myid: 1n,
    qv: QV,
    acceptedEpoch: 3n,
    currentEpoch: 3n,
    lastZxid: makeZxid(3, 10),
    initLimit: 10,
    ...over,
  });
}

/** Actions as short strings, packets by type name. */
function show(actions: DiscoveryAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "send": {
        const t = a.packet.type === PacketType.LEADERINFO
          ? `LEADERINFO ${a.packet.zxid >> 32n}`
          : a.packet.type === PacketType.UPTODATE
          ? "UPTODATE"
          : String(a.packet.type);
        return `send ${a.to} ${t}`;
      }
      case "writeAcceptedEpoch":
      case "writeCurrentEpoch":
      case "established":
        return `${a.kind} ${a.epoch}`;
      case "startSync":
        return `startSync ${a.sid} ${a.observer ? "observer " : ""}${a.peerZxid}`;
      case "refuse":
        return `refuse ${a.sid}`;
      case "giveUp":
        return `giveUp ${a.reason}`;
    }
  });
}

const F = (acceptedEpoch: bigint) => ({ observer: false, acceptedEpoch });
const O = (acceptedEpoch: bigint) => ({ observer: true, acceptedEpoch });

Deno.test("discovery: the epoch is max(acceptedEpoch)+1 over the leader and every learner, decided on a voter quorum", () => {
  const d = leader();
  assert.deepEqual(show(d.start(0)), []);
  assert.deepEqual(show(d.learnerInfo(4n, O(2n), 0)), []); // an observer is no quorum
  assert.equal(d.epoch, 4n);
  assert.deepEqual(show(d.learnerInfo(2n, F(5n), 1)), [
    "writeAcceptedEpoch 6",
    "send 4 LEADERINFO 6",
    "send 2 LEADERINFO 6",
  ]);
  assert.equal(d.phase, "ackEpoch");
  assert.equal(d.newLeaderZxid, makeZxid(6, 0));
});

Deno.test("discovery: observers raise the epoch but do not count toward its quorum", () => {
  const d = leader();
  d.start(0);
  assert.deepEqual(show(d.learnerInfo(4n, O(9n), 0)), []);
  assert.equal(d.epoch, 10n);
  assert.equal(d.phase, "epoch");
  // A voter that claims to be an observer does not count either.
  assert.deepEqual(show(d.learnerInfo(2n, O(1n), 0)), []);
  assert.deepEqual(show(d.learnerInfo(3n, F(1n), 0)), [
    "writeAcceptedEpoch 10",
    "send 4 LEADERINFO 10",
    "send 2 LEADERINFO 10",
    "send 3 LEADERINFO 10",
  ]);
});

Deno.test("discovery: a learner that joins after the epoch is decided gets LEADERINFO at once and cannot raise it", () => {
  const d = leader();
  d.start(0);
  d.learnerInfo(2n, F(3n), 0);
  assert.deepEqual(show(d.learnerInfo(3n, F(8n), 1)), ["send 3 LEADERINFO 4"]);
  assert.equal(d.epoch, 4n);
});

Deno.test("discovery: a learner claiming the leader's own sid is refused", () => {
  const d = leader();
  d.start(0);
  assert.deepEqual(show(d.learnerInfo(1n, F(3n), 0)), ["refuse 1"]);
});

Deno.test("discovery: a learner with a later activated configuration is refused (3.8's LearnerHandler check)", () => {
  const d = leader();
  d.start(0);
  assert.deepEqual(show(d.learnerInfo(2n, { ...F(3n), configVersion: 1n }, 0)), ["refuse 2"]);
  assert.equal(d.epoch, 4n); // and it did not raise the epoch
  assert.deepEqual(show(d.learnerInfo(3n, { ...F(3n), configVersion: 0n }, 0)), [
    "writeAcceptedEpoch 4",
    "send 3 LEADERINFO 4",
  ]);
});

function decided() {
  const d = leader();
  d.start(0);
  d.learnerInfo(4n, O(3n), 0);
  d.learnerInfo(2n, F(3n), 0);
  d.learnerInfo(3n, F(3n), 0);
  return d;
}

Deno.test("discovery: a learner more recent than the leader is refused at ACKEPOCH (higher currentEpoch)", () => {
  const d = decided();
  const out = d.ackEpoch(2n, { epoch: 4, lastLoggedZxid: makeZxid(3, 1) }, 1);
  assert.deepEqual(show(out), ["refuse 2"]);
  assert.match((out[0] as { reason: string }).reason, /Follower is ahead of the leader/);
  assert.equal(d.phase, "ackEpoch");
});

Deno.test("discovery: a learner more recent than the leader is refused at ACKEPOCH (same epoch, higher zxid)", () => {
  const d = decided();
  assert.deepEqual(
    show(d.ackEpoch(2n, { epoch: 3, lastLoggedZxid: makeZxid(3, 11) }, 1)),
    ["refuse 2"],
  );
  // Equal is not more recent.
  assert.deepEqual(
    show(d.ackEpoch(3n, { epoch: 3, lastLoggedZxid: makeZxid(3, 10) }, 1)),
    ["writeCurrentEpoch 4", "startSync 3 " + makeZxid(3, 10)],
  );
});

Deno.test("discovery: an epoch -1 ACKEPOCH, an observer's, or a zxid -1 one does not make the quorum; a voter's does", () => {
  const d = decided();
  assert.deepEqual(show(d.ackEpoch(2n, { epoch: -1, lastLoggedZxid: 5n }, 1)), []);
  assert.deepEqual(show(d.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 7n }, 1)), []);
  assert.deepEqual(show(d.ackEpoch(3n, { epoch: 3, lastLoggedZxid: -1n }, 1)), []);
  assert.equal(d.phase, "ackEpoch");
  const d2 = decided();
  d2.ackEpoch(2n, { epoch: -1, lastLoggedZxid: 5n }, 1);
  d2.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 7n }, 1);
  // Everyone waiting starts syncing once the quorum forms, -1 and observers included.
  assert.deepEqual(show(d2.ackEpoch(3n, { epoch: 2, lastLoggedZxid: 9n }, 2)), [
    "writeCurrentEpoch 4",
    "startSync 4 observer 7",
    "startSync 2 5",
    "startSync 3 9",
  ]);
  assert.equal(d2.phase, "newLeader");
});

Deno.test("discovery: a late ACKEPOCH after the quorum skips the more-recent check", () => {
  const d = decided();
  d.ackEpoch(2n, { epoch: 3, lastLoggedZxid: 1n }, 1);
  assert.deepEqual(
    show(d.ackEpoch(3n, { epoch: 9, lastLoggedZxid: makeZxid(9, 9) }, 2)),
    ["startSync 3 " + makeZxid(9, 9)],
  );
});

function syncing() {
  const d = decided();
  d.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 1n }, 1);
  d.ackEpoch(2n, { epoch: 3, lastLoggedZxid: 1n }, 1);
  d.ackEpoch(3n, { epoch: 3, lastLoggedZxid: 1n }, 1);
  return d;
}

Deno.test("discovery: only an ACK of NEWLEADER's zxid counts, and only from voters", () => {
  const d = syncing();
  assert.deepEqual(show(d.ack(2n, makeZxid(3, 0))), []); // another epoch
  assert.deepEqual(show(d.ack(4n, makeZxid(4, 0))), []); // observer
  assert.equal(d.phase, "newLeader");
  assert.deepEqual(show(d.ack(2n, makeZxid(4, 0))), [
    "established 4",
    "send 4 UPTODATE",
    "send 2 UPTODATE",
  ]);
  assert.deepEqual(d.newLeaderAcks, [1n, 2n]);
  assert.ok(d.isUpToDate(2n) && !d.isUpToDate(3n));
});

Deno.test("discovery: zookeeper_4646_newleader_ack_after_proposal_acks still counts (3.8.0 learners)", () => {
  const d = syncing();
  // A 3.8.0 follower ACKs its synced proposals before NEWLEADER.
  assert.deepEqual(show(d.ack(3n, makeZxid(3, 5))), []);
  assert.deepEqual(show(d.ack(3n, makeZxid(4, 1))), []);
  assert.deepEqual(show(d.ack(3n, makeZxid(4, 0))), ["established 4", "send 3 UPTODATE"]);
  // Its UPTODATE ACK (same zxid) is not a second NEWLEADER ACK.
  assert.deepEqual(show(d.ack(3n, makeZxid(4, 0))), []);
});

Deno.test("discovery: a learner whose NEWLEADER ACK comes after the quorum formed gets UPTODATE then", () => {
  const d = syncing();
  d.ack(2n, makeZxid(4, 0));
  assert.deepEqual(show(d.ack(3n, makeZxid(4, 0))), ["send 3 UPTODATE"]);
  // A late joiner goes through the whole handshake at once.
  d.learnerInfo(5n, F(1n), 3);
  assert.deepEqual(show(d.ackEpoch(5n, { epoch: 1, lastLoggedZxid: 0n }, 3)), ["startSync 5 0"]);
  assert.deepEqual(show(d.ack(5n, makeZxid(4, 0))), ["send 5 UPTODATE"]);
});

Deno.test("discovery: each wait gives up after initLimit ticks, counted from its own start", () => {
  let d = leader();
  d.start(0);
  assert.deepEqual(show(d.tick(9)), []);
  assert.deepEqual(show(d.tick(10)), ["giveUp Timeout while waiting for epoch from quorum"]);
  assert.equal(d.phase, "gaveUp");
  assert.deepEqual(show(d.learnerInfo(2n, F(1n), 11)), []);

  d = leader();
  d.start(0);
  d.learnerInfo(2n, F(1n), 8); // decided at tick 8
  assert.deepEqual(show(d.tick(17)), []);
  assert.deepEqual(show(d.tick(18)), [
    "giveUp Timeout while waiting for epoch to be acked by quorum",
  ]);

  d = leader();
  d.start(0);
  d.learnerInfo(2n, F(1n), 1);
  d.learnerInfo(3n, F(1n), 1);
  d.ackEpoch(2n, { epoch: 3, lastLoggedZxid: 1n }, 5); // acked at tick 5
  d.ackEpoch(3n, { epoch: 3, lastLoggedZxid: 1n }, 5);
  d.ack(3n, makeZxid(3, 0)); // wrong epoch: not counted
  assert.deepEqual(show(d.tick(14)), []);
  assert.deepEqual(show(d.tick(15)), [
    "giveUp Waiting for a quorum of followers, only synced with sids: [ [1] ]",
  ]);
});

Deno.test("discovery: nothing times out once established", () => {
  const d = syncing();
  d.ack(2n, makeZxid(4, 0));
  assert.deepEqual(show(d.tick(1000)), []);
});

Deno.test("discovery: a single voter is established on start; observers then sync as late joiners", () => {
  const d = new LeaderDiscovery({
    myid: 1n,
    qv: new MajorityQuorum([srv(1), srv(4, "observer")]),
    acceptedEpoch: 0n,
    currentEpoch: 0n,
    lastZxid: 0n,
    initLimit: 5,
  });
  assert.deepEqual(show(d.start(0)), [
    "writeAcceptedEpoch 1",
    "writeCurrentEpoch 1",
    "established 1",
  ]);
  assert.deepEqual(show(d.learnerInfo(4n, O(0n), 1)), ["send 4 LEADERINFO 1"]);
  assert.deepEqual(show(d.ackEpoch(4n, { epoch: 0, lastLoggedZxid: 0n }, 1)), [
    "startSync 4 observer 0",
  ]);
  assert.deepEqual(show(d.ack(4n, makeZxid(1, 0))), ["send 4 UPTODATE"]);
});

Deno.test("discovery: a learner that left gets nothing more; an ACKEPOCH before LEADERINFO is refused", () => {
  const d = leader();
  d.start(0);
  d.learnerInfo(3n, F(1n), 0);
  d.learnerInfo(4n, O(1n), 0);
  assert.deepEqual(show(d.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 1n }, 0)), []);
  d.learnerGone(4n);
  // Reset: a fresh leader where a learner acks out of turn.
  const e = leader();
  e.start(0);
  e.learnerInfo(4n, O(1n), 0);
  assert.deepEqual(show(e.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 1n }, 0)), ["refuse 4"]);
  // After learnerGone, the quorum's startSync skips it.
  const f = decided();
  f.ackEpoch(4n, { epoch: 3, lastLoggedZxid: 1n }, 1);
  f.learnerGone(4n);
  assert.deepEqual(show(f.ackEpoch(2n, { epoch: 3, lastLoggedZxid: 2n }, 1)), [
    "writeCurrentEpoch 4",
    "startSync 2 2",
  ]);
});
