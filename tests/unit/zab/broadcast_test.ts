// The leader's broadcast core: zxids, PROPOSAL to followers only, commit in zxid
// order on a quorum of voter ACKs (the leader's own after its fsync), COMMIT to
// followers and INFORM to observers, SYNC after the COMMIT that preceded it,
// the counter rollover, and the per-learner age of the oldest unacked proposal.
import assert from "node:assert/strict";
import { MajorityQuorum } from "../../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../../src/config/types.ts";
import { Broadcast, type BroadcastAction } from "../../../src/zab/broadcast.ts";
import { counterOf, epochOf, makeZxid, PacketType } from "../../../src/zab/packet_types.ts";
import type { ZabTxn } from "../../../src/zab/sync_plan.ts";

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
const z = (e: number, c: number) => makeZxid(e, c);
const txn = (zxid: bigint): ZabTxn => ({
  zxid,
  entry: new Uint8Array([1, Number(counterOf(zxid))]),
});

const names: Record<number, string> = {
  [PacketType.PROPOSAL]: "PROPOSAL",
  [PacketType.COMMIT]: "COMMIT",
  [PacketType.INFORM]: "INFORM",
  [PacketType.SYNC]: "SYNC",
};
const zs = (x: bigint) => `${epochOf(x)}:${counterOf(x)}`;
function show(actions: BroadcastAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "send":
        return `${a.to} ${names[a.packet.type]}` +
          (a.packet.type === PacketType.SYNC ? "" : ` ${zs(a.packet.zxid)}`);
      case "log":
      case "apply":
        return `${a.kind} ${zs(a.txn.zxid)}`;
      case "stepDown":
        return `stepDown ${a.reason}`;
    }
  });
}

/** Leader 1 in epoch 7 with followers 2, 3 and observer 4 in the forwarding set. */
function term(over: Partial<ConstructorParameters<typeof Broadcast>[0]> = {}) {
  const b = new Broadcast({ myid: 1n, qv: QV, epoch: 7n, lastCommitted: z(6, 3), ...over });
  for (const [sid, observer] of [[2n, false], [3n, false], [4n, true]] as const) {
    b.addLearner(sid, observer);
    b.upToDate(sid, 0);
  }
  return b;
}

Deno.test("broadcast: proposals take zxids from makeZxid(epoch, 1) and go to followers only, then to the leader's log", () => {
  const b = term();
  assert.equal(b.nextZxid, z(7, 1));
  assert.deepEqual(show(b.propose(txn(z(7, 1)), 0)), [
    "2 PROPOSAL 7:1",
    "3 PROPOSAL 7:1",
    "log 7:1",
  ]);
  assert.equal(b.lastProposed, z(7, 1));
  assert.throws(() => b.propose(txn(z(7, 3)), 0), /not the next zxid/);
});

Deno.test("broadcast: a proposal commits on a quorum of voter ACKs, the leader's own ACK counting after its fsync", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 0);
  assert.deepEqual(show(b.ack(4n, z(7, 1))), []); // observers never count
  assert.deepEqual(show(b.ack(2n, z(7, 1))), []); // 1 of 3 voters
  assert.deepEqual(show(b.ack(1n, z(7, 1))), [
    // COMMIT to every follower, acked or not; INFORM (the PROPOSAL's bytes) to observers.
    "2 COMMIT 7:1",
    "3 COMMIT 7:1",
    "4 INFORM 7:1",
    "apply 7:1",
  ]);
  assert.equal(b.lastCommitted, z(7, 1));
  assert.deepEqual(b.outstanding(), []);
});

Deno.test("broadcast: INFORM carries the same bytes as the PROPOSAL", () => {
  const b = term();
  const t = txn(z(7, 1));
  const proposal = b.propose(t, 0)[0];
  b.ack(1n, t.zxid);
  const inform = b.ack(2n, t.zxid).find((a) => a.kind === "send" && a.to === 4n)!;
  assert.ok(proposal.kind === "send" && inform.kind === "send");
  assert.deepEqual(inform.packet.data, proposal.packet.data);
});

Deno.test("broadcast: commits go strictly in zxid order; a later proposal with a quorum waits for earlier ones", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 0);
  b.propose(txn(z(7, 2)), 0);
  b.propose(txn(z(7, 3)), 0);
  assert.deepEqual(show(b.ack(1n, z(7, 2))), []);
  assert.deepEqual(show(b.ack(2n, z(7, 2))), []);
  assert.deepEqual(show(b.ack(1n, z(7, 3))), []);
  assert.deepEqual(show(b.ack(3n, z(7, 3))), []);
  assert.equal(b.lastCommitted, z(6, 3));
  assert.deepEqual(show(b.ack(1n, z(7, 1))).filter((s) => s.startsWith("apply")), []);
  assert.deepEqual(show(b.ack(3n, z(7, 1))).filter((s) => s.startsWith("apply")), [
    "apply 7:1",
    "apply 7:2",
    "apply 7:3",
  ]);
});

Deno.test("broadcast: ACKs with counter 0, for committed or unknown zxids, or repeated, are ignored", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 0);
  assert.deepEqual(show(b.ack(2n, z(7, 0))), []); // NEWLEADER/UPTODATE ack
  assert.deepEqual(show(b.ack(2n, z(6, 2))), []); // already committed
  assert.deepEqual(show(b.ack(2n, z(7, 9))), []); // never proposed
  assert.deepEqual(show(b.ack(2n, z(7, 1))), []);
  assert.deepEqual(show(b.ack(2n, z(7, 1))), []); // a repeat is still one voter
  b.ack(1n, z(7, 1));
  assert.deepEqual(show(b.ack(3n, z(7, 1))), []); // late ACK after commit
});

Deno.test("broadcast: a SYNC is answered at once when nothing is outstanding", () => {
  const b = term();
  assert.deepEqual(show(b.sync(2n)), ["2 SYNC"]);
});

Deno.test("broadcast: a SYNC waits for the COMMIT of the last proposal outstanding when it arrived, FIFO per learner", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 0);
  assert.deepEqual(show(b.sync(2n)), []); // waits for 7:1
  b.propose(txn(z(7, 2)), 0);
  assert.deepEqual(show(b.sync(2n)), []); // waits for 7:2
  assert.deepEqual(show(b.sync(4n)), []); // an observer's, for 7:2
  b.ack(1n, z(7, 1));
  assert.deepEqual(show(b.ack(2n, z(7, 1))), [
    "2 COMMIT 7:1",
    "3 COMMIT 7:1",
    "4 INFORM 7:1",
    "apply 7:1",
    "2 SYNC",
  ]);
  b.ack(1n, z(7, 2));
  assert.deepEqual(show(b.ack(3n, z(7, 2))), [
    "2 COMMIT 7:2",
    "3 COMMIT 7:2",
    "4 INFORM 7:2",
    "apply 7:2",
    "2 SYNC",
    "4 SYNC",
  ]);
});

Deno.test("broadcast: a learner that left gets no traffic and its waiting SYNCs are dropped", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 0);
  b.sync(3n);
  b.removeLearner(3n);
  b.ack(1n, z(7, 1));
  assert.deepEqual(show(b.ack(2n, z(7, 1))), [
    "2 COMMIT 7:1",
    "4 INFORM 7:1",
    "apply 7:1",
  ]);
  assert.deepEqual(b.members(), [2n, 4n]);
});

Deno.test("broadcast: zookeeper_1277_counter_rollover steps down instead of proposing counter 0xffffffff", () => {
  const b = term({ initialCounter: 0xfffffffdn });
  assert.equal(show(b.propose(txn(z(7, 0xfffffffe)), 0)).at(-1), "log 7:4294967294");
  const out = b.propose(txn(z(7, 0xffffffff)), 0);
  assert.deepEqual(show(out), [
    "stepDown zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start",
  ]);
  assert.equal(b.lastProposed, z(7, 0xfffffffe));
});

Deno.test("broadcast: syncLearner plans from the term's state and joins the learner in the same step", () => {
  const b = term({ window: [txn(z(6, 1)), txn(z(6, 2)), txn(z(6, 3))] });
  b.propose(txn(z(7, 1)), 0);
  const follower = b.syncLearner(5n, { observer: false, peerZxid: z(6, 2), quorumVerifier: "" });
  assert.deepEqual(
    follower.packets.map((p) => `${p.type} ${zs(p.zxid)}`),
    [
      `${PacketType.DIFF} 6:3`,
      `${PacketType.PROPOSAL} 6:3`,
      `${PacketType.COMMIT} 6:3`,
      `${PacketType.NEWLEADER} 7:0`,
      `${PacketType.PROPOSAL} 7:1`,
    ],
  );
  const observer = b.syncLearner(6n, { observer: true, peerZxid: z(6, 3), quorumVerifier: "" });
  assert.equal(observer.packets.at(-1)!.type, PacketType.NEWLEADER);
  // The outstanding 7:1 commits: COMMIT to the new follower (it got the PROPOSAL), INFORM to the observer.
  b.ack(1n, z(7, 1));
  const out = show(b.ack(2n, z(7, 1)));
  assert.ok(out.includes("5 COMMIT 7:1") && out.includes("6 INFORM 7:1"), out.join(","));
  // Later proposals reach the new follower, not the observer.
  assert.deepEqual(show(b.propose(txn(z(7, 2)), 0)).filter((s) => s.includes("PROPOSAL")), [
    "2 PROPOSAL 7:2",
    "3 PROPOSAL 7:2",
    "5 PROPOSAL 7:2",
  ]);
});

Deno.test("broadcast: the committed window grows with each commit and keeps windowSize txns", () => {
  const b = term({ window: [txn(z(6, 2)), txn(z(6, 3))], windowSize: 3 });
  for (let c = 1; c <= 2; c++) {
    b.propose(txn(z(7, c)), 0);
    b.ack(1n, z(7, c));
    b.ack(2n, z(7, c));
  }
  assert.deepEqual(b.window().map((t) => zs(t.zxid)), ["6:3", "7:1", "7:2"]);
});

Deno.test("broadcast: each follower's oldest unacknowledged proposal is tracked until it ACKs, even after commit", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 100);
  b.propose(txn(z(7, 2)), 200);
  assert.deepEqual(b.oldestUnacked(), new Map([[2n, 100], [3n, 100]]));
  b.ack(1n, z(7, 1));
  b.ack(2n, z(7, 1)); // commits 7:1 without 3's ACK
  assert.deepEqual(b.oldestUnacked(), new Map([[2n, 200], [3n, 100]]));
  b.ack(3n, z(7, 2)); // ACKs are cumulative: 3 has logged 7:1 too
  assert.deepEqual(b.oldestUnacked(), new Map([[2n, 200]]));
});

Deno.test("broadcast: a syncing learner's proposals are timed only from its UPTODATE (3.8.0 ACKs them after it)", () => {
  const b = term();
  b.propose(txn(z(7, 1)), 100);
  b.addLearner(5n, false); // got 7:1 in its sync plan
  b.propose(txn(z(7, 2)), 200);
  assert.equal(b.oldestUnacked().get(5n), undefined); // a long SNAP must not get it dropped
  b.upToDate(5n, 5000);
  assert.equal(b.oldestUnacked().get(5n), 5000);
  b.upToDate(5n, 9000); // once only
  assert.equal(b.oldestUnacked().get(5n), 5000);
  b.ack(5n, z(7, 2));
  assert.equal(b.oldestUnacked().get(5n), undefined);
});
