// 3.8's checkUpgradeSession: a local session is upgraded (createSession forwarded with its
// timeout, cxid 0) right before a create, create2 or multi that makes an ephemeral node; with
// localSessionsUpgradingEnabled=false that request gets EphemeralOnLocalSession instead.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { CreateMode, ErrorCode, OpCode } from "../../../../src/jute/constants.ts";
import { LearnerSessionTracker } from "../../../../src/server/sessions/learner_tracker.ts";
import {
  LeaderSessionTracker,
  prepSessionCheck,
} from "../../../../src/server/sessions/leader_tracker.ts";

const { PERSISTENT, EPHEMERAL, EPHEMERAL_SEQUENTIAL, PERSISTENT_SEQUENTIAL } = CreateMode;

// [why, op, create flags, session is local?, upgrading enabled?, expected]
const ROWS: ReadonlyArray<
  readonly [string, number, number[], boolean, boolean, "upgrade" | "refuse" | "none"]
> = [
  ["ephemeral create", OpCode.create, [EPHEMERAL], true, true, "upgrade"],
  ["ephemeral sequential create2", OpCode.create2, [EPHEMERAL_SEQUENTIAL], true, true, "upgrade"],
  ["persistent create", OpCode.create, [PERSISTENT], true, true, "none"],
  ["createTTL is never checked", OpCode.createTTL, [EPHEMERAL], true, true, "none"],
  ["createContainer is never checked", OpCode.createContainer, [EPHEMERAL], true, true, "none"],
  ["setData", OpCode.setData, [], true, true, "none"],
  ["multi with an ephemeral create", OpCode.multi, [PERSISTENT, EPHEMERAL], true, true, "upgrade"],
  ["multi without one", OpCode.multi, [PERSISTENT, PERSISTENT_SEQUENTIAL], true, true, "none"],
  ["multi: an unknown flag first ends the scan", OpCode.multi, [9, EPHEMERAL], true, true, "none"],
  ["multi: an unknown flag after", OpCode.multi, [EPHEMERAL, 9], true, true, "upgrade"],
  ["create with an unknown flag", OpCode.create, [-1], true, true, "none"],
  ["a global session", OpCode.create, [EPHEMERAL], false, true, "none"],
  ["upgrading disabled", OpCode.create, [EPHEMERAL], true, false, "refuse"],
  ["upgrading disabled, persistent", OpCode.create, [PERSISTENT], true, false, "none"],
];

for (const [why, type, createFlags, isLocal, upgrading, want] of ROWS) {
  Deno.test(`check_upgrade_session: ${why} -> ${want}`, () => {
    const t = new LearnerSessionTracker({
      tickMs: 2000,
      serverId: 2,
      now: 0,
      localSessionsEnabled: true,
      localSessionsUpgradingEnabled: upgrading,
      sessions: [[0x0100000000000001n, 4000]],
    });
    const id = isLocal ? t.createSession(4000, 0) : 0x0100000000000001n;
    const actions = t.checkUpgrade({ sessionId: id, type, createFlags }, 10);
    if (want === "none") assertEquals(actions, []);
    if (want === "refuse") {
      assertEquals(actions, [{ kind: "refuse", id, err: ErrorCode.EphemeralOnLocalSession }]);
    }
    if (want === "upgrade") {
      assertEquals(actions, [{ kind: "upgrade", id, timeoutMs: 4000 }]);
      assertEquals(t.isUpgradingSession(id), true);
      assertEquals(t.isLocalSession(id), false);
      // Once upgraded, the next ephemeral create of the session needs nothing more.
      assertEquals(t.checkUpgrade({ sessionId: id, type, createFlags }, 11), []);
    } else {
      assertEquals(t.isLocalSession(id), isLocal);
    }
  });
}

Deno.test("check_upgrade_session_without_local_sessions_never_upgrades", () => {
  const t = new LeaderSessionTracker({ tickMs: 2000, serverId: 1, now: 0 });
  const id = t.createSession(4000, 0);
  const q = { sessionId: id, type: OpCode.create, createFlags: [EPHEMERAL] };
  assertEquals(t.checkUpgrade(q, 1), []);
  assertEquals(t.upgradeSession(id, 1), -1);
});

Deno.test("leader_upgrade_tracks_the_session_globally_at_once", () => {
  const t = new LeaderSessionTracker({
    tickMs: 2000,
    serverId: 1,
    now: 0,
    localSessionsEnabled: true,
  });
  const id = t.createSession(6000, 0);
  const q = { sessionId: id, type: OpCode.create2, createFlags: [EPHEMERAL] };
  assertEquals(t.checkUpgrade(q, 1), [{ kind: "upgrade", id, timeoutMs: 6000 }]);
  assertEquals(t.isGlobalSession(id), true);
  assertEquals(t.checkGlobalSession(id, "local"), ErrorCode.Ok);
  assertEquals(t.commitSession(id, 6000), true);
  assertEquals(t.isUpgradingSession(id), false);
});

// [op, ephemeral create?, the check 3.8's PrepRequestProcessor makes]
const PREP_CHECKS: ReadonlyArray<readonly [number, boolean, string]> = [
  [OpCode.create, true, "global"],
  [OpCode.create2, true, "global"],
  [OpCode.create, false, "session"],
  [OpCode.createTTL, false, "session"],
  [OpCode.createContainer, false, "session"],
  [OpCode.delete, false, "session"],
  [OpCode.setData, false, "session"],
  [OpCode.setACL, false, "session"],
  [OpCode.check, false, "session"],
  [OpCode.reconfig, false, "session"],
  [OpCode.getData, false, "session"],
  [OpCode.sync, false, "session"],
  [OpCode.createSession, false, "none"],
  [OpCode.closeSession, false, "none"], // expiry closes sessions it does not own
  [OpCode.deleteContainer, false, "none"],
];

Deno.test("prep_checks_the_session_3_8s_way_for_each_op", () => {
  for (const [op, eph, want] of PREP_CHECKS) {
    assertEquals(`${op} ${eph} ${prepSessionCheck(op, eph)}`, `${op} ${eph} ${want}`);
  }
});
