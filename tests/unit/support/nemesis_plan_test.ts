// The nemesis's plan is a pure function of its seed: a printed seed replays the
// same schedule of faults (tests/support/nemesis.ts).
import assert from "node:assert/strict";
import { mulberry32, planRounds } from "../../support/nemesis.ts";

Deno.test("nemesis: the same seed plans the same rounds, another seed others", () => {
  assert.deepEqual(planRounds(42, 50), planRounds(42, 50));
  assert.notDeepEqual(planRounds(42, 50), planRounds(43, 50));
});

Deno.test("nemesis: a long plan uses every fault kind, holds 1-4 s, and both cut modes", () => {
  const plan = planRounds(7, 500);
  const kinds = new Set(plan.map((r) => r.kind));
  assert.deepEqual(
    [...kinds].sort(),
    ["bridge", "delay", "heal", "isolate-leader", "kill", "split"],
  );
  assert.ok(plan.every((r) => r.holdMs >= 1000 && r.holdMs < 4000));
  assert.deepEqual(new Set(plan.map((r) => r.mode)), new Set(["drop", "reset"]));
});

Deno.test("nemesis: mulberry32 stays in [0, 1)", () => {
  const rng = mulberry32(1);
  for (let i = 0; i < 10_000; i++) {
    const x = rng();
    assert.ok(x >= 0 && x < 1);
  }
});
