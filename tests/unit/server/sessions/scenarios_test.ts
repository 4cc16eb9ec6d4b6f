// The session-tracker scenarios (scenarios.ts) against zkt's trackers: owners and
// SessionMoved, touches of unknown or closing sessions, REVALIDATE, the learner's touch table,
// local sessions and their upgrade, each step's answer as Apache ZooKeeper 3.8 gives it.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { runScript } from "./script.ts";
import { LEADER_SCENARIOS, LEARNER_SCENARIOS } from "./scenarios.ts";

for (const s of [...LEADER_SCENARIOS, ...LEARNER_SCENARIOS]) {
  Deno.test(s.name, () => {
    const got = runScript(s.steps.map(([step]) => step));
    assertEquals(
      s.steps.map(([step], i) => `${step} -> ${got[i]}`),
      s.steps.map(([step, want]) => `${step} -> ${want}`),
    );
  });
}
