// The run loop's rules (3.8's QuorumPeer.run): what a peer does, in order,
// when an election ends and when a role ends, and the ZooKeeper bugs whose
// fixes live in that order.
import assert from "node:assert/strict";
import {
  type DiskFacts,
  type EndReason,
  type Role,
  type RunAction,
  RunLoop,
} from "../../../src/peer/run_loop.ts";

const BOOT: DiskFacts = { lastLoggedZxid: 0x100000005n, currentEpoch: 1n };
const AFTER: DiskFacts = { lastLoggedZxid: 0x200000003n, currentEpoch: 2n };

/** A loop that booted and was elected to `role` (leader sid 3). */
function inRole(role: Role, opts?: { observerElectionDelayMs?: number }): RunLoop {
  const loop = new RunLoop(opts);
  loop.start(BOOT);
  loop.elected(role, 3n);
  return loop;
}

const kinds = (as: RunAction[]) => as.map((a) => a.kind);

Deno.test("run loop: boot looks for a leader with the last logged zxid and the current epoch", () => {
  const loop = new RunLoop();
  assert.equal(loop.state, "idle");
  assert.deepEqual(loop.start(BOOT), [
    { kind: "startElection", lastLoggedZxid: 0x100000005n, currentEpoch: 1n },
  ]);
  assert.equal(loop.state, "looking");
  assert.deepEqual(loop.start(BOOT), [], "a second start does nothing");
});

Deno.test("run loop: an election result starts that role, numbered", () => {
  for (const role of ["leading", "following", "observing"] as const) {
    const loop = new RunLoop();
    loop.start(BOOT);
    assert.deepEqual(loop.elected(role, 3n), [{ kind: "startRole", role, leader: 3n, roleId: 1 }]);
    assert.equal(loop.state, role);
    assert.deepEqual(loop.elected("leading", 1n), [], `a second result while ${role} is stale`);
  }
});

// Every role, every reason: the leave sequence in order, then LOOKING with what
// the disk says after the drain (not what it said at boot).
const LEAVE = ["stopZab", "drainLog", "fastForward", "dropOutstanding", "closeClients"];
const leaveTable: {
  role: Role;
  reason: EndReason;
  random: number;
  snapIncomplete?: boolean;
  want: (string | { wait: number })[];
}[] = [
  { role: "leading", reason: "lost_quorum", random: 0.5, want: [...LEAVE, "look"] },
  { role: "leading", reason: "timeout", random: 0.5, want: [...LEAVE, "look"] },
  { role: "leading", reason: "counter_rollover", random: 0.5, want: [...LEAVE, "look"] },
  { role: "leading", reason: "bad_packet", random: 0.5, want: [...LEAVE, "look"] },
  { role: "following", reason: "leader_gone", random: 0.5, want: [...LEAVE, "look"] },
  { role: "following", reason: "timeout", random: 0.5, want: [...LEAVE, "look"] },
  { role: "following", reason: "bad_packet", random: 0.5, want: [...LEAVE, "look"] },
  { role: "observing", reason: "leader_gone", random: 0, want: [...LEAVE, { wait: 0 }, "look"] },
  { role: "observing", reason: "timeout", random: 0.5, want: [...LEAVE, { wait: 100 }, "look"] },
  {
    role: "observing",
    reason: "bad_packet",
    random: 0.9999999,
    want: [...LEAVE, { wait: 199 }, "look"],
  },
  // ZOOKEEPER-3642: a learner cut off inside a SNAP discards its memory.
  {
    role: "following",
    reason: "leader_gone",
    random: 0.5,
    snapIncomplete: true,
    want: ["stopZab", "drainLog", "discardSnap", "dropOutstanding", "closeClients", "look"],
  },
  {
    role: "observing",
    reason: "timeout",
    random: 0.25,
    snapIncomplete: true,
    want: [
      "stopZab",
      "drainLog",
      "discardSnap",
      "dropOutstanding",
      "closeClients",
      { wait: 50 },
      "look",
    ],
  },
  // A leader never receives a SNAP: the flag means nothing to it.
  {
    role: "leading",
    reason: "timeout",
    random: 0.5,
    snapIncomplete: true,
    want: [...LEAVE, "look"],
  },
  // Stopping leaves the role without jitter and starts no election.
  { role: "leading", reason: "stop", random: 0.5, want: LEAVE },
  { role: "following", reason: "stop", random: 0.5, want: LEAVE },
  { role: "observing", reason: "stop", random: 0.5, want: LEAVE },
];

for (const t of leaveTable) {
  Deno.test(
    `run loop: ${t.role} ended by ${t.reason}${t.snapIncomplete ? " inside a SNAP" : ""}: ${
      t.want.map((w) => typeof w === "string" ? w : `wait ${w.wait}`).join(", ")
    }`,
    () => {
      const loop = inRole(t.role);
      const out = loop.roleEnded(loop.roleId, t.reason, {
        random: t.random,
        snapIncomplete: t.snapIncomplete,
      });
      assert.deepEqual(
        out.map((a) => a.kind === "wait" ? { wait: a.ms } : a.kind),
        t.want,
      );
      assert.deepEqual(out[0], { kind: "stopZab", role: t.role });
      if (t.reason === "stop") {
        assert.equal(loop.state, "stopped");
        assert.deepEqual(loop.looking(AFTER), [], "a stopped peer does not look");
        return;
      }
      assert.equal(loop.state, "leaving");
      assert.deepEqual(loop.elected("leading", 1n), [], "no result counts before the election");
      assert.deepEqual(loop.looking(AFTER), [
        { kind: "startElection", lastLoggedZxid: 0x200000003n, currentEpoch: 2n },
      ]);
      assert.equal(loop.state, "looking");
    },
  );
}

Deno.test("zookeeper_4712: the log writer drains before memory is brought to the log", () => {
  for (const role of ["leading", "following", "observing"] as const) {
    for (const snapIncomplete of [false, true]) {
      const loop = inRole(role);
      const ks = kinds(loop.roleEnded(loop.roleId, "timeout", { random: 0, snapIncomplete }));
      const drain = ks.indexOf("drainLog");
      const mem = Math.max(ks.indexOf("fastForward"), ks.indexOf("discardSnap"));
      assert.ok(drain >= 0 && mem > drain, `${role}: ${ks.join(",")}`);
      assert.ok(ks.indexOf("stopZab") < drain, "no Zab traffic comes in while draining");
      assert.ok(ks.indexOf("look") > mem, "the election's zxid is read after memory is at the log");
    }
  }
});

Deno.test("zookeeper_3642: a half-received SNAP is discarded, never fast-forwarded", () => {
  for (const role of ["following", "observing"] as const) {
    const loop = inRole(role);
    const ks = kinds(
      loop.roleEnded(loop.roleId, "leader_gone", { random: 0, snapIncomplete: true }),
    );
    assert.ok(ks.includes("discardSnap"));
    assert.ok(!ks.includes("fastForward"));
  }
});

Deno.test("run loop: the observer's election delay follows zookeeper.observer.election.DelayMs", () => {
  const table: { delayMs: number; random: number; want: number | null }[] = [
    { delayMs: 200, random: 0, want: 0 },
    { delayMs: 200, random: 0.999999, want: 199 },
    { delayMs: 1000, random: 0.5, want: 500 },
    { delayMs: 0, random: 0.5, want: null }, // 3.8 skips the wait when the delay is 0
    { delayMs: 200, random: 1, want: 199 }, // a caller's 1.0 stays below the bound
    { delayMs: 200, random: -1, want: 0 },
  ];
  for (const t of table) {
    const loop = inRole("observing", { observerElectionDelayMs: t.delayMs });
    const wait = loop.roleEnded(loop.roleId, "timeout", { random: t.random })
      .find((a) => a.kind === "wait");
    assert.deepEqual(
      wait,
      t.want === null ? undefined : { kind: "wait", ms: t.want },
      JSON.stringify(t),
    );
  }
  for (const role of ["leading", "following"] as const) {
    const loop = inRole(role);
    assert.ok(!kinds(loop.roleEnded(loop.roleId, "timeout", { random: 0.5 })).includes("wait"));
  }
});

Deno.test("zookeeper_1732: the vote reports the new epoch once the role is established", () => {
  const loop = inRole("following");
  const id = loop.roleId;
  assert.deepEqual(loop.established(id, 2n), [{ kind: "updateElectionVote", peerEpoch: 2n }]);
  assert.deepEqual(loop.established(id, 2n), [], "once per role");
  loop.roleEnded(id, "leader_gone", { random: 0 });
  assert.deepEqual(loop.established(id, 2n), [], "not after the role ended");
  loop.looking(AFTER);
  assert.deepEqual(loop.established(id, 2n), [], "not while looking");
  loop.elected("leading", 1n);
  assert.deepEqual(loop.established(id, 3n), [], "not for the old role's id");
  assert.deepEqual(loop.established(loop.roleId, 3n), [{
    kind: "updateElectionVote",
    peerEpoch: 3n,
  }]);
});

Deno.test("run loop: a report about an earlier role does not end the current one", () => {
  const loop = inRole("following");
  const old = loop.roleId;
  loop.roleEnded(old, "leader_gone", { random: 0 });
  assert.deepEqual(loop.roleEnded(old, "timeout", { random: 0 }), [], "twice while leaving");
  loop.looking(AFTER);
  assert.deepEqual(loop.roleEnded(old, "timeout", { random: 0 }), [], "while looking");
  loop.elected("following", 2n);
  assert.equal(loop.roleId, old + 1);
  assert.deepEqual(loop.roleEnded(old, "leader_gone", { random: 0 }), [], "in the next role");
  assert.equal(loop.state, "following");
  assert.equal(loop.roleEnded(loop.roleId, "leader_gone", { random: 0 }).at(-1)?.kind, "look");
});

Deno.test("run loop: stop ends every state without another election", () => {
  const idle = new RunLoop();
  assert.deepEqual(idle.stop(), []);
  assert.deepEqual(idle.start(BOOT), [], "a stopped loop does not boot");

  const looking = new RunLoop();
  looking.start(BOOT);
  assert.deepEqual(looking.stop(), []);
  assert.deepEqual(looking.elected("leading", 1n), [], "a late election result starts no role");

  const leaving = inRole("observing");
  leaving.roleEnded(leaving.roleId, "timeout", { random: 0.5 });
  assert.deepEqual(leaving.stop(), []);
  assert.deepEqual(leaving.looking(AFTER), [], "the leave's look finds the peer stopped");

  const leading = inRole("leading");
  assert.deepEqual(kinds(leading.stop()), LEAVE);
  assert.equal(leading.state, "stopped");
});
