// Who expires what in an ensemble: only the leader expires global sessions (in tick buckets,
// like the standalone tracker); a new leader gives every committed session its full timeout;
// learners' PING touch tables keep sessions alive; a session already expiring stays dead;
// local sessions expire on their own server, flagged local (no txn).
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ErrorCode } from "../../../../src/jute/constants.ts";
import { LeaderSessionTracker } from "../../../../src/server/sessions/leader_tracker.ts";
import { LearnerSessionTracker } from "../../../../src/server/sessions/learner_tracker.ts";

const A = 0x0200000000000001n;
const B = 0x0300000000000002n;

function expired(actions: ReturnType<LeaderSessionTracker["poll"]>) {
  return actions.map((a) => a.kind === "expire" ? `${a.id}${a.local ? " local" : ""}` : a.kind);
}

Deno.test("new_leader_tracks_committed_sessions_afresh_with_full_timeouts", () => {
  // The sessions were created long ago by another leader; each gets its whole timeout now.
  const t = new LeaderSessionTracker({
    tickMs: 1000,
    serverId: 1,
    now: 50_000,
    sessions: [[A, 4000], [B, 10_000]],
  });
  assertEquals(t.waitTime(50_000), 1000);
  assertEquals(expired(t.poll(54_999)), []);
  assertEquals(expired(t.poll(55_000)), [String(A)]); // roundUp(50_000 + 4000)
  assertEquals(expired(t.poll(60_999)), []);
  assertEquals(expired(t.poll(61_000)), [String(B)]);
  assertEquals([...t.committedSessions().keys()], [A, B]);
});

Deno.test("leader_ping_touch_table_keeps_sessions_alive", () => {
  const t = new LeaderSessionTracker({ tickMs: 1000, serverId: 1, now: 0, sessions: [[A, 4000]] });
  t.touchAll([{ sessionId: A, timeout: 4000 }, { sessionId: B, timeout: 4000 }], 3500);
  assertEquals(t.isGlobalSession(B), false, "a touch never creates a session");
  assertEquals(expired(t.poll(5000)), []);
  assertEquals(expired(t.poll(8000)), [String(A)]); // roundUp(3500 + 4000)
});

Deno.test("expired_session_is_not_revived_by_a_late_ping_or_revalidate", () => {
  const t = new LeaderSessionTracker({ tickMs: 1000, serverId: 1, now: 0, sessions: [[A, 2000]] });
  assertEquals(expired(t.poll(3000)), [String(A)]);
  t.touchAll([{ sessionId: A, timeout: 2000 }], 3001);
  assertEquals(t.revalidate(A, 2000, "h1", 3001), false);
  assertEquals(t.checkSession(A, "h1"), ErrorCode.SessionExpired);
  assertEquals(expired(t.poll(100_000)), [], "expired once: one closeSession");
  t.removeSession(A); // its closeSession committed
  assertEquals(t.isTrackingSession(A), false);
  assertEquals(t.committedSessions().size, 0);
});

Deno.test("learner_never_expires_global_sessions", () => {
  const t = new LearnerSessionTracker({ tickMs: 1000, serverId: 2, now: 0, sessions: [[A, 2000]] });
  t.touchSession(A, 2000, 10);
  assertEquals(t.waitTime(0), Infinity);
  assertEquals(t.poll(1e12), []);
  assert(t.isGlobalSession(A));
});

Deno.test("local_sessions_expire_on_their_server_and_are_flagged_local", () => {
  const learner = new LearnerSessionTracker({
    tickMs: 1000,
    serverId: 2,
    now: 0,
    localSessionsEnabled: true,
    sessions: [[A, 2000]],
  });
  const l = learner.createSession(2000, 0);
  assertEquals(learner.waitTime(0), 1000);
  assertEquals(expired(learner.poll(3000)), [`${l} local`]);
  assertEquals(learner.touchSession(l, 2000, 3001), false);
  assertEquals(learner.checkSession(l, "h1"), ErrorCode.SessionExpired);

  const leader = new LeaderSessionTracker({
    tickMs: 1000,
    serverId: 1,
    now: 0,
    localSessionsEnabled: true,
    sessions: [[A, 4000]],
  });
  const m = leader.createSession(2000, 0);
  assertEquals(leader.isGlobalSession(m), false);
  assertEquals(expired(leader.poll(5000)), [`${m} local`, String(A)]);
});

Deno.test("upgraded_local_session_expires_as_a_global_one_on_the_leader", () => {
  const t = new LeaderSessionTracker({
    tickMs: 1000,
    serverId: 1,
    now: 0,
    localSessionsEnabled: true,
  });
  const id = t.createSession(2000, 0);
  assertEquals(t.upgradeSession(id, 1500), 2000);
  assertEquals(expired(t.poll(3000)), []); // re-tracked at 1500: due at 4000
  assertEquals(expired(t.poll(4000)), [String(id)]);
});
