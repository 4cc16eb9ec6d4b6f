// Zab's timer rules (3.8's Leader.lead loop, LearnerHandler.synced and
// SyncLimitCheck, the learner's SO_TIMEOUT switch at NEWLEADER), on ticks and
// a caller-given `now`.
import assert from "node:assert/strict";
import { MajorityQuorum } from "../../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../../src/config/types.ts";
import { LeaderLiveness, LearnerTimer, type LivenessAction } from "../../../src/zab/liveness.ts";
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
const TICK = 2000;

function leader() {
  return new LeaderLiveness({ myid: 1n, qv: QV, initLimit: 10, syncLimit: 5, tickTime: TICK });
}

function show(actions: LivenessAction[]): string[] {
  return actions.map((a) =>
    a.kind === "send"
      ? `${a.to} ${a.packet.type === PacketType.PING ? "PING" : a.packet.type} ${a.packet.zxid}`
      : a.kind === "drop"
      ? `drop ${a.sid} ${a.reason}`
      : `stepDown ${a.reason}`
  );
}

Deno.test("liveness: a new learner is synced for initLimit+syncLimit ticks from connect", () => {
  const l = leader();
  l.connected(2n, 3);
  assert.deepEqual(l.synced(18), [2n]);
  assert.deepEqual(l.synced(19), []);
});

Deno.test("liveness: packets move the deadline to tick+syncLimit only once the learner is up to date", () => {
  const l = leader();
  l.connected(2n, 0);
  l.heard(2n, 14); // still syncing: the connect deadline (15) holds
  assert.deepEqual(l.synced(16), []);
  l.upToDate(2n, 16);
  assert.deepEqual(l.synced(21), [2n]);
  l.heard(2n, 20);
  assert.deepEqual(l.synced(25), [2n]);
  assert.deepEqual(l.synced(26), []);
});

Deno.test("liveness: the leader steps down when it and the synced voters are no quorum", () => {
  const l = leader();
  l.connected(2n, 0);
  l.connected(3n, 0);
  l.connected(4n, 0);
  l.upToDate(2n, 1);
  l.upToDate(3n, 1);
  l.upToDate(4n, 1);
  l.heard(3n, 4);
  l.heard(4n, 10);
  assert.deepEqual(show(l.tick(6)), []); // 1 + 2 + 3
  assert.deepEqual(show(l.tick(9)), []); // 1 + 3
  // Only the observer is left in time: observers never make a quorum.
  assert.deepEqual(show(l.tick(10)), [
    "stepDown Not sufficient followers synced, only synced with sids: [ [1] ]",
  ]);
});

Deno.test("liveness: a gone learner no longer counts", () => {
  const l = leader();
  l.connected(2n, 0);
  assert.deepEqual(show(l.tick(1)), []);
  l.gone(2n);
  assert.equal(show(l.tick(1)).length, 1);
});

Deno.test("liveness: PINGs (zxid = last proposed) go every half tick, and only once sync packets have started", () => {
  const l = leader();
  l.connected(2n, 0);
  l.connected(3n, 0);
  const last = makeZxid(7, 4);
  assert.deepEqual(show(l.halfTick(0, last, new Map())), []);
  l.syncing(3n);
  assert.deepEqual(show(l.halfTick(1000, last, new Map())), [`3 PING ${last}`]);
});

Deno.test("liveness: a learner with a proposal unacknowledged for syncLimit ticks is dropped", () => {
  const l = leader();
  for (const sid of [2n, 3n]) {
    l.connected(sid, 0);
    l.syncing(sid);
  }
  const limit = 5 * TICK;
  const ages = new Map([[2n, 1000], [3n, 1000 + 1]]);
  assert.deepEqual(show(l.halfTick(1000 + limit, 9n, ages)), [
    "drop 2 Closing connection to peer due to transaction timeout",
    "3 PING 9",
  ]);
});

Deno.test("liveness: a learner leaves after initLimit silent ticks before NEWLEADER, syncLimit after", () => {
  const t = new LearnerTimer({ initLimit: 10, syncLimit: 5 }, 0);
  assert.deepEqual(t.tick(10), []);
  assert.equal(t.tick(11).length, 1);
  t.heard(8);
  assert.deepEqual(t.tick(18), []);
  t.newLeader(20);
  assert.equal(t.limit, 5);
  assert.deepEqual(t.tick(25), []);
  const out = t.tick(26);
  assert.equal(out.length, 1);
  assert.match(out[0].reason, /limit 5/);
  t.heard(26);
  assert.deepEqual(t.tick(31), []);
});
