// Zab's learner-side safety rules, checked on random but legal leader streams
// (DIFF, TRUNC or fuzzy SNAP; proposals, COMMITs in order, PINGs anywhere,
// COMMITs after NEWLEADER for proposals before it) with the disk finishing its
// steps at random points: the NEWLEADER ACK is the first packet after
// NEWLEADER and follows snapshot → txns durable → currentEpoch; a proposal is
// ACKed only once durable, in zxid order; every committed txn is applied once,
// in order, and only once it is logged or a later snapshot holds it.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import type { LearnerAction } from "../../../src/zab/learner.ts";
import * as P from "../../../src/zab/packets.ts";
import { commit, describe, Harness, options, proposal, T } from "./learner_harness.ts";

const EPOCH = 2n;
const NL = EPOCH << 32n;
const base = (1n << 32n) + 10n;

type Mode = "DIFF" | "TRUNC" | "SNAP";

interface Plan {
  mode: Mode;
  /** For SNAP: how many of the first proposals the (fuzzy) snapshot already holds. */
  fuzz: number;
  ops: number[];
}

/** A legal Java-like leader stream for a plan, and the zxids it proposes and commits. */
function leaderStream(plan: Plan) {
  const stream: QuorumPacket[] = [P.leaderInfoPacket(EPOCH)];
  const first = base + 1n;
  if (plan.mode === "DIFF") stream.push(P.diffPacket(base));
  if (plan.mode === "TRUNC") stream.push(P.truncPacket(base));
  if (plan.mode === "SNAP") stream.push(P.snapPacket(base + BigInt(plan.fuzz)));
  let proposed = 0;
  let committed = 0;
  let stage = 0; // 0 before NEWLEADER, 1 before UPTODATE, 2 broadcast
  const zxid = (i: number) => first + BigInt(i);
  const propose = () => stream.push(proposal(zxid(proposed++)));
  const advance = () => {
    stream.push(stage === 0 ? P.newLeaderPacket(EPOCH, "") : P.upToDatePacket());
    stage++;
  };
  for (const op of plan.ops) {
    const r = op % 5;
    if (r <= 1) propose();
    else if (r === 2 && committed < proposed) stream.push(commit(zxid(committed++)));
    else if (r === 4 && stage < 2) advance();
    else stream.push(P.pingPacket(first + BigInt(proposed)));
  }
  while (stage < 2) advance();
  while (committed < proposed) stream.push(commit(zxid(committed++)));
  const all = Array.from({ length: proposed }, (_, i) => first + BigInt(i));
  return { stream, all };
}

/** One event of a run: an action of the core, or a disk completion the test made. */
type Event = { action: LearnerAction } | { done: LearnerAction };

function run(plan: Plan, diskSteps: boolean[]) {
  const start = plan.mode === "TRUNC"
    ? { acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: base + 3n }
    : plan.mode === "DIFF"
    ? { acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: base }
    : {};
  const h = new Harness(options(start));
  h.autoDisk = false;
  const events: Event[] = [];
  const disk: LearnerAction[] = [];
  const record = (actions: LearnerAction[]) => {
    for (const a of actions) {
      events.push({ action: a });
      if (
        a.kind !== "send" && a.kind !== "apply" && a.kind !== "startServing" && a.kind !== "warn"
      ) {
        if (a.kind !== "leave") disk.push(a);
      }
    }
  };
  const completeOne = () => {
    const a = disk.shift()!;
    events.push({ done: a });
    record(h.complete(a));
  };
  record(h.core.start());
  const { stream, all } = leaderStream(plan);
  let step = 0;
  for (const p of stream) {
    while (disk.length > 0 && diskSteps[step++ % diskSteps.length]) completeOne();
    record(h.core.receive(p));
  }
  while (disk.length > 0) completeOne();
  return { events, all, stream };
}

function check(plan: Plan, diskSteps: boolean[]): void {
  const { events, all } = run(plan, diskSteps);
  const actions = events.flatMap((e) => "action" in e ? [e.action] : []);
  const trace = () =>
    events.map((e) => ("done" in e ? "  done " : "") + describe("done" in e ? e.done : e.action))
      .join("\n");
  assert.deepEqual(actions.filter((a) => a.kind === "leave"), [], trace());

  const sent = actions.flatMap((a) => a.kind === "send" ? [a.packet] : []);
  // FOLLOWERINFO, ACKEPOCH, then the NEWLEADER ACK first and the UPTODATE ACK second.
  assert.deepEqual(sent.slice(0, 4).map((p) => [p.type, p.zxid]), [
    [T.FOLLOWERINFO, plan.mode === "SNAP" ? 0n : 1n << 32n],
    [T.ACKEPOCH, plan.mode === "SNAP" ? 0n : plan.mode === "DIFF" ? base : base + 3n],
    [T.ACK, NL],
    [T.ACK, NL],
  ], trace());

  // NEWLEADER ACK after: snapshot written (SNAP/TRUNC), NEWLEADER's txns durable, currentEpoch written.
  const at = (pred: (e: Event) => boolean) => events.findIndex(pred);
  const nlAck = at((e) =>
    "action" in e && e.action.kind === "send" && e.action.packet.type === T.ACK
  );
  const epochDone = at((e) => "done" in e && e.done.kind === "writeCurrentEpoch");
  const epochAsked = at((e) => "action" in e && e.action.kind === "writeCurrentEpoch");
  assert.ok(epochDone >= 0 && epochDone < nlAck, trace());
  if (plan.mode !== "DIFF") {
    const snapDone = at((e) => "done" in e && e.done.kind === "takeSnapshot");
    assert.ok(snapDone >= 0 && snapDone < epochAsked, trace());
  }
  const beforeEpoch = events.slice(0, epochAsked);
  const appendedBefore = beforeEpoch.flatMap((e) =>
    "action" in e && e.action.kind === "append" ? e.action.txns.map((t) => t.zxid) : []
  );
  const durableBefore = beforeEpoch.flatMap((e) =>
    "done" in e && e.done.kind === "append" ? e.done.txns.map((t) => t.zxid) : []
  );
  assert.deepEqual(
    durableBefore,
    appendedBefore,
    "currentEpoch only after NEWLEADER's txns are durable",
  );

  // Proposal ACKs: after the UPTODATE ACK, strictly increasing, each after its fsync.
  const durable = new Set<bigint>();
  let lastAck = -1n;
  let acks = 0;
  for (const e of events) {
    if ("done" in e && e.done.kind === "append") e.done.txns.forEach((t) => durable.add(t.zxid));
    if ("action" in e && e.action.kind === "send" && e.action.packet.type === T.ACK) {
      const zx = e.action.packet.zxid;
      if (acks++ < 2) continue;
      assert.ok(durable.has(zx), `ACK 0x${zx.toString(16)} before its fsync\n${trace()}`);
      assert.ok(zx > lastAck, trace());
      lastAck = zx;
    }
  }
  // Every txn is logged once or held by the NEWLEADER snapshot; every logged one is ACKed.
  const appended = actions.flatMap((a) => a.kind === "append" ? a.txns.map((t) => t.zxid) : []);
  const snapshot = actions.find((a) => a.kind === "takeSnapshot");
  const snapZxid = snapshot?.kind === "takeSnapshot" ? snapshot.zxid : -1n;
  assert.equal(new Set(appended).size, appended.length);
  for (const zx of all) {
    assert.ok(appended.includes(zx) || zx <= snapZxid, `0x${zx.toString(16)} lost`);
  }
  assert.equal(acks - 2, appended.length, "every logged proposal ACKed once");

  // Applies: each committed txn once, in zxid order, after its append or before the snapshot that holds it.
  const applied: bigint[] = [];
  const issued = new Set<bigint>();
  let snapshotTaken = false;
  for (const e of events) {
    if (!("action" in e)) continue;
    const a = e.action;
    if (a.kind === "append") a.txns.forEach((t) => issued.add(t.zxid));
    if (a.kind === "takeSnapshot") snapshotTaken = true;
    if (a.kind === "apply") {
      const zx = a.txn.zxid;
      const heldBySnapshot = plan.mode !== "DIFF" && !snapshotTaken && zx <= lastOf(snapshot);
      assert.ok(
        issued.has(zx) || heldBySnapshot,
        `apply 0x${zx.toString(16)} unlogged\n${trace()}`,
      );
      applied.push(zx);
    }
  }
  assert.deepEqual(applied, all, "all committed, applied in order");
}

const lastOf = (a: LearnerAction | undefined) => a?.kind === "takeSnapshot" ? a.zxid : -1n;

const plans = fc.record({
  mode: fc.constantFrom<Mode>("DIFF", "TRUNC", "SNAP"),
  fuzz: fc.integer({ min: 0, max: 3 }),
  ops: fc.array(fc.nat(99), { maxLength: 40 }),
});

Deno.test("random legal leader streams and disk timings: NEWLEADER ACK first and after snapshot → txns durable → currentEpoch; ACK only after fsync, in order; every commit applied once, in order, never ahead of the log", () => {
  fc.assert(
    fc.property(plans, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), check),
    { numRuns: 400 },
  );
});
