// Session ids per server and their passwords, as Apache ZooKeeper 3.8 makes them. The golden
// values were printed by 3.8's SessionTrackerImpl.initializeNextSessionId and
// ZooKeeperServer.generatePasswd (SessionOracle.java `ids` / `passwd`, elapsed clock 2285765 ms);
// oracle_test.ts re-derives them live when java is installed.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { initialSessionId, sessionPassword } from "../../../../src/server/session_id.ts";
import { serverIdOfSession, SessionIdGenerator } from "../../../../src/server/sessions/ids.ts";
import { LearnerSessionTracker } from "../../../../src/server/sessions/learner_tracker.ts";
import { LeaderSessionTracker } from "../../../../src/server/sessions/leader_tracker.ts";

const T = 2285765;
const GOLDEN_IDS: ReadonlyArray<readonly [number, bigint]> = [
  [0, 149799895040n],
  [1, 72057743837822976n],
  [2, 144115337875750912n],
  [127, 9151314592616742912n],
  [128, -9223371887054880768n],
  [254, -144115038275960832n],
  [255, -72057444238032896n],
];
const GOLDEN_PASSWORDS: ReadonlyArray<readonly [bigint, string]> = [
  [1n, "054cc74a37327db215e702e20c73f005"],
  [0x0100000000000000n, "f22acd4a97e69d6d20a49bb638eadb38"],
  // java.util.Random keeps 48 seed bits: the high byte never reaches the password.
  [-0x00ffffffffffffffn, "054cc74a37327db215e702e20c73f005"],
  [-1n, "20f62cb5648dc2d771471c8a2486a9ee"],
  [0x7fffffffffffffffn, "20f62cb5648dc2d771471c8a2486a9ee"],
  [0x01000f4a37b50000n, "81f652f47a0c4c7ac7b70f5a5352e40a"],
];
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("session_ids_equal_3_8_initializeNextSessionId_for_every_high_byte", () => {
  for (const [sid, want] of GOLDEN_IDS) {
    assertEquals(initialSessionId(sid, T), want, `sid ${sid}`);
    assertEquals(new SessionIdGenerator(sid, T).allocate(), want);
  }
});

Deno.test("session_passwords_equal_3_8_generatePasswd", () => {
  for (const [id, want] of GOLDEN_PASSWORDS) assertEquals(hex(sessionPassword(id)), want);
});

Deno.test("a_learner_and_a_leader_hand_out_3_8s_ids_in_order", () => {
  // Learner without local sessions: ids only (the leader tracks them once proposed).
  const learner = new LearnerSessionTracker({ tickMs: 2000, serverId: 2, now: 0, idClockMs: T });
  assertEquals(learner.createSession(4000, 0), 144115337875750912n);
  assertEquals(learner.createSession(4000, 0), 144115337875750913n);
  assertEquals(learner.isTrackingSession(144115337875750912n), false);
  const local = new LearnerSessionTracker({
    tickMs: 2000,
    serverId: 2,
    now: 0,
    idClockMs: T,
    localSessionsEnabled: true,
  });
  assertEquals(local.createSession(4000, 0), 144115337875750912n);
  const leader = new LeaderSessionTracker({ tickMs: 2000, serverId: 255, now: 0, idClockMs: T });
  const id = leader.createSession(4000, 0);
  assertEquals(id, -72057444238032896n);
  assertEquals(leader.isGlobalSession(id), true);
  assertEquals(hex(sessionPassword(id)), hex(sessionPassword(BigInt.asUintN(64, id))));
});

Deno.test("servers_started_in_the_same_ms_never_share_a_session_id", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.nat({ max: 2 ** 47 }),
      fc.integer({ min: 1, max: 1000 }),
      (a, b, t, n) => {
        fc.pre(a !== b);
        const ga = new SessionIdGenerator(a, t);
        const gb = new SessionIdGenerator(b, t);
        const seen = new Set<bigint>();
        for (let i = 0; i < n; i++) {
          const x = ga.allocate();
          const y = gb.allocate();
          // The high byte is the myid, as 3.8's getServerIdFromSessionId reads it (signed).
          assertEquals(serverIdOfSession(x), BigInt.asIntN(8, BigInt(a)));
          seen.add(x).add(y);
        }
        return seen.size === 2 * n;
      },
    ),
    { numRuns: 50 },
  );
});
