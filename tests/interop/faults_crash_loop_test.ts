// Issue 18, crash loops (short version; scripts/nightly-crashes runs >= 50
// rounds): kill -9 of any member (leader included) at a random moment of a
// kazoo write load, restarted at once, every round waiting until all serve
// again. No acknowledged write may be lost, the servers' trees and data dirs
// must agree, and every data dir (zkt's and Java's) must pass
// `zkt txnlog verify` and `zkt snap verify`. The seed is printed;
// ZKT_CRASH_SEED=<n> replays a run.
import assert from "node:assert/strict";
import { crashLoopPassed, runCrashLoop, summary } from "../support/crash_loop.ts";
import type { MemberSpec } from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";

const ROUNDS = 6;
const SEED = Number(Deno.env.get("ZKT_CRASH_SEED") ?? Math.floor(Math.random() * 2 ** 31));

const ROWS: MemberSpec[][] = [
  ["zkt", "zkt", "zkt"],
  // A Java follower beside zkt peers that can lead (sid 3 leads first).
  ["zk", "zkt", "zkt"],
];

for (const kinds of ROWS) {
  Deno.test({
    name: `faults [${
      kinds.join(",")
    }]: ${ROUNDS} rounds of kill -9 of a random member at a random moment of a write load lose no acknowledged write; trees agree; every data dir passes txnlog and snap verify`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      console.log(`crash loop seed ${SEED} (ZKT_CRASH_SEED=${SEED} replays it)`);
      const r = await runCrashLoop({ kinds, rounds: ROUNDS, seed: SEED });
      const s = summary(r);
      console.log(s);
      assert.equal(r.rounds.length, ROUNDS);
      assert.ok(r.acked > 0, "writes were acknowledged");
      assert.ok(crashLoopPassed(r), s);
    },
  });
}
