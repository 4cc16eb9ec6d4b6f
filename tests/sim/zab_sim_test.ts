// Zab under a seeded hostile world (zab_sim.ts): zkt's leader cores and
// LearnerCore on a virtual network and disk with crashes, checked after every
// event (C1–C6 there), and every run must settle on one history after the
// heal. CI runs the fixed seeds 1..N; ZKT_SIM_SEEDS=random:500 runs fresh ones;
// each failure prints the command that replays it (ZKT_SIM_SEED=<seed>) and
// the last events of its trace.
import assert from "node:assert/strict";
import { replayCommand, seedPlan } from "./harness.ts";
import { type Plant, runZabSim, type ZabSimStats } from "./zab_sim.ts";

const CI_SEEDS = 1000;

function failureText(seed: number, plant?: Plant): string {
  const r = runZabSim({ seed, plant, trace: true });
  return `seed ${seed} (n=${r.n}, observers ${r.observers}): ${r.error}\n  replay: ${
    replayCommand(seed)
  }\n  last events:\n    ` +
    r.trace.slice(-40).join("\n    ");
}

Deno.test("zab sim: every check holds after every event, and all peers converge after heal", () => {
  const plan = seedPlan(CI_SEEDS);
  const failed: number[] = [];
  const total: Partial<ZabSimStats> = {};
  const shapes = new Set<string>();
  const elections = new Set<string>();
  for (const seed of plan.seeds) {
    const r = runZabSim({ seed });
    if (r.error) failed.push(seed);
    shapes.add(`${r.n - r.observers}+${r.observers}`);
    elections.add(r.election);
    for (const [k, v] of Object.entries(r.stats) as [keyof ZabSimStats, number][]) {
      total[k] = (total[k] ?? 0) + v;
    }
  }
  assert.deepEqual(
    failed,
    [],
    `${failed.length} of ${plan.seeds.length} runs failed (${plan.source}); first:\n` +
      failed.slice(0, 3).map((s) => failureText(s)).join("\n"),
  );
  if (plan.seeds.length < CI_SEEDS) return; // a replay: the run itself is the test
  // The fixed seeds reach what the model is for: 3 and 5 voters with and
  // without an observer, elected by zkt's FLE core and by the stand-in, every
  // sync mode, crashes, torn tails, lost unfsynced snapshots, breaks,
  // partitions, step-downs, discovery giving up and refusing a learner,
  // transaction-timeout drops, a TRUNC below a snapshot, and commits.
  assert.deepEqual([...shapes].sort(), ["3+0", "3+1", "5+0", "5+1"]);
  assert.deepEqual([...elections].sort(), ["fle", "standin"]);
  for (
    const k of [
      "diff",
      "trunc",
      "snap",
      "crashes",
      "tornTails",
      "lostSnapshots",
      "breaks",
      "partitions",
      "stepDowns",
      "gaveUp",
      "refused",
      "drops",
      "truncBelowSnapshot",
      "committed",
    ] as const
  ) {
    assert.ok((total[k] ?? 0) > 0, `${k} never happened: ${JSON.stringify(total)}`);
  }
});

Deno.test("zab sim: the same seed replays to the same outcome", () => {
  for (const seed of [1, 2, 3]) assert.deepEqual(runZabSim({ seed }), runZabSim({ seed }));
});

// Planted bugs, each of which its check must catch on some of the first seeds
// (measured over seeds 1..1000: see the report in the commit that added them).
const PLANTED: { plant: Plant; check: string }[] = [
  { plant: "ackBeforeFsync", check: "C5:" },
  { plant: "commitOnMinority", check: "C4:" },
  { plant: "epochBeforeTxns", check: "C6:" },
  { plant: "diffAcrossGap", check: "C2:" },
  { plant: "leaderAckBeforeFsync", check: "C4:" },
  { plant: "electLowest", check: "C3:" },
];

for (const p of PLANTED) {
  Deno.test(`zab sim: the checker catches a planted bug: ${p.plant}`, () => {
    const errors = Array.from({ length: 30 }, (_, i) => runZabSim({ seed: i + 1, plant: p.plant }))
      .map((r) => r.error ?? "");
    assert.ok(errors.some((e) => e.startsWith(p.check)), errors.join("\n"));
  });
}

Deno.test("zab sim: a TRUNC to a zxid the learner holds only in a newer snapshot ends the link, and it resyncs from its real disk (seed 14)", () => {
  // A SNAP from a leader that never established left the target of the next
  // leader's TRUNC inside a snapshot above it; Java keeps that snapshot and
  // silently diverges (zab-3.8.md trap 11).
  const r = runZabSim({ seed: 14 });
  assert.equal(r.error, null);
  assert.equal(r.stats.truncBelowSnapshot, 1);
});

Deno.test("zab sim: a peer whose acceptedEpoch is above the established leader's stays out until that leader goes, as in 3.8 (seed 31632)", () => {
  // Peer 1 led twice and gave up, accepting epoch 4; leader 2 fixed epoch 3
  // before 1 connected, so 1 refuses LEADERINFO(3) forever. The run converges
  // only because the settle phase restarts the leader once, as an operator would.
  const r = runZabSim({ seed: 31632 });
  assert.equal(r.error, null);
  assert.equal(r.stats.stuckAcceptedEpoch, 1);
});
