// The role trackers behind the server's one face (server_sessions.ts), as 3.8's
// ZooKeeperServer subclasses use theirs: standalone ignores localSessionsEnabled
// (SessionTrackerImpl); a leader's and a learner's new sessions are local when it
// is on; a local session fails checkGlobalSession until upgraded; a leader lets
// pass a session it does not know that another server made (it may be that
// server's local session); a learner drops requests of sessions it does not know
// and asks the leader about reconnects of sessions that are not its own local ones.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ErrorCode, OpCode } from "../../../../src/jute/constants.ts";
import { serverIdOfSession } from "../../../../src/server/sessions/ids.ts";
import { LOCAL_OWNER } from "../../../../src/server/sessions/leader_tracker.ts";
import { LearnerSessionTracker } from "../../../../src/server/sessions/learner_tracker.ts";
import {
  LeaderSessions,
  LearnerSessions,
  type ServerSessions,
  StandaloneSessions,
} from "../../../../src/server/sessions/server_sessions.ts";
import type { SessionTrackerOptions } from "../../../../src/server/sessions/upgradeable.ts";

const OTHER = (1n << 56n) | 7n; // a session made by server 1
const opts = (local: boolean): SessionTrackerOptions => ({
  tickMs: 100,
  serverId: 3,
  now: 0,
  idClockMs: 1_000_000,
  localSessionsEnabled: local,
  localSessionsUpgradingEnabled: true,
});
const kinds: Record<string, (local: boolean) => ServerSessions> = {
  standalone: (l) => new StandaloneSessions(opts(l)),
  leader: (l) => new LeaderSessions(opts(l)),
  learner: (l) => new LearnerSessions(new LearnerSessionTracker(opts(l))),
};

/** [role, localSessionsEnabled, new session local?, another server's unknown session: write check]. */
const TABLE: [string, boolean, boolean, number][] = [
  ["standalone", false, false, ErrorCode.UnknownSession],
  ["standalone", true, false, ErrorCode.UnknownSession],
  ["leader", false, false, ErrorCode.SessionExpired],
  ["leader", true, true, ErrorCode.Ok],
  ["learner", false, false, ErrorCode.Ok], // the leader's prep checks it
  ["learner", true, true, ErrorCode.Ok],
];

for (const [role, local, isLocal, otherCheck] of TABLE) {
  Deno.test(`${role} with localSessionsEnabled=${local}: new sessions ${isLocal ? "are" : "are not"} local; another server's unknown session is ${otherCheck} on a write`, () => {
    const s = kinds[role](local);
    const { id, local: got } = s.create(4000, 0);
    assertEquals(got, isLocal);
    assertEquals(serverIdOfSession(id), 3n);
    assertEquals(s.localCount, isLocal ? 1 : 0);
    assertEquals(s.check(OTHER, LOCAL_OWNER, false), otherCheck);
  });
}

Deno.test("leader: a local session passes checkSession but not checkGlobalSession until its upgrade; REVALIDATE refuses it", () => {
  const s = new LeaderSessions(opts(true));
  const { id } = s.create(4000, 0);
  assertEquals(s.check(id, LOCAL_OWNER, false), ErrorCode.Ok);
  assertEquals(s.check(id, LOCAL_OWNER, true), ErrorCode.SessionExpired);
  assertEquals(s.tracker.revalidate(id, 4000, 1n, 0), false);
  const up = s.checkUpgrade({ sessionId: id, type: OpCode.create, createFlags: [1] }, 0);
  assertEquals(up, [{ kind: "upgrade", id, timeoutMs: 4000 }]);
  assertEquals(s.isLocal(id), false);
  assertEquals(s.prepCreate(id, 4000, LOCAL_OWNER, 0), ErrorCode.Ok);
  assertEquals(s.check(id, LOCAL_OWNER, true), ErrorCode.Ok);
  s.committed(OpCode.createSession, id, 4000);
  assertEquals(s.tracker.revalidate(id, 4000, 1n, 0), true);
});

Deno.test("learner with local sessions: a request of an unknown session is dropped; a reconnect of its own local session is judged here, any other by REVALIDATE", () => {
  const s = new LearnerSessions(new LearnerSessionTracker(opts(true)));
  const { id } = s.create(4000, 0);
  assertEquals(s.touch(id, 4000, 0), true);
  assertEquals(s.touch(OTHER, 4000, 0), false);
  assertEquals(s.reopen(id, 4000, 0), true);
  assertEquals(s.reopen(OTHER, 4000, 0), "revalidate");
});

Deno.test("a closing session's createSession is SessionExpired in the leader's prep", () => {
  const s = new LeaderSessions(opts(false));
  assertEquals(s.prepCreate(OTHER, 4000, 1n, 0), ErrorCode.Ok);
  s.setClosing(OTHER);
  assertEquals(s.prepCreate(OTHER, 4000, 1n, 0), ErrorCode.SessionExpired);
});
