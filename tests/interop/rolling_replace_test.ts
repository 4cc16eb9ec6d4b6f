// Issue 18: a live Apache ZooKeeper 3.8 ensemble replaced by `zkt serve` peers
// one at a time and back again, as docs/OPERATIONS.md tells an operator to do:
// stop a peer, start the other implementation on the same zoo.cfg, myid and
// data dir, wait until srvr says it has synced (Mode for its seat, Zxid caught
// up with the leader's), next peer; followers first, then observers, the leader
// (found by srvr) last. All the while kazoo writes (every acknowledged create
// recorded) and reads, and two sessions given every server hold ephemerals and
// watches: a kazoo session with a DataWatch (kazoo re-arms it) and a cli_mt
// session with one one-shot watch (the C client re-registers it with
// SetWatches on every reconnect). What an operator would check afterwards:
//   - no acknowledged write lost: each is readable through every server after
//     sync(), and is in every data dir
//   - both sessions kept their ids (never expired), their ephemerals exist with
//     them as owner, their watches fire for a change made after the moves
//   - a client killed just before each direction's leader step has its
//     session expired by the next leader (the other kind) and its ephemeral
//     removed
//   - no read returned a value other than the one written
//   - every Java peer reports zk_digest_mismatches_count 0
//   - at the end every data dir replays (`zkt data replay`) to the same tree
// snapCount is small, so each kind restores from snapshots the other wrote.
// Rows: 3 voters, txn logs in a dataLogDir apart, stopped with SIGTERM both
// ways (as an operator stops a peer);
// 5 voters and an observer stopped with kill -9 both ways (a crash mid-roll must
// be as safe: each kind restarts from a data dir the other left mid-write).
import assert from "node:assert/strict";
import {
  Ensemble,
  type EnsembleMember,
  failureWithLogs,
  type MemberSpec,
  type PeerKind,
  replayDataDir,
  treeDiff,
} from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { KazooDriver } from "../support/kazoo_driver.ts";
import { waitFor } from "../support/wait.ts";
import { CliMtSession } from "./rolling_clients.ts";

/** One rolling scenario: the starting members (all Java) and how each direction stops peers. */
interface Row {
  kinds: MemberSpec[];
  forward: Deno.Signal;
  back: Deno.Signal;
  /** Txn logs in a dataLogDir of their own. */
  dataLogDir?: boolean;
}

const ROWS: Row[] = [
  { kinds: ["zk", "zk", "zk"], forward: "SIGTERM", back: "SIGTERM", dataLogDir: true },
  {
    kinds: ["zk", "zk", "zk", "zk", "zk", "zk:observer"],
    forward: "SIGKILL",
    back: "SIGKILL",
  },
];

/** Deadline for a state that needs a JVM start, an election or a sync (loaded 2-core machine). */
const SLOW_MS = 120_000;
/** The steady load: creates and reads a second each, bounded by count and time. */
const WRITE_RATE = 40;
const READ_RATE = 40;
const LOAD_SECONDS = 600;
/** The orphans' session timeout, s (minSessionTimeout is 2 x tickTime). */
const ORPHAN_SESSION_S = 4;
/** kazoo's session timeout, s (maxSessionTimeout is 20 x tickTime = 20 s). */
const SESSION_S = 20;
/**
 * Small, so that both kinds write snapshots and roll logs all through the roll
 * and each restarts from snapshots and logs the other wrote.
 */
const SNAP_COUNT = 100;
/** Writes acknowledged after a step before the next one starts (the ensemble takes writes again). */
const PROGRESS = 5;

/** The kazoo holder's ephemerals: two made on Java peers, one on zkt peers (halfway). */
const HOLDER_EPHEMERALS = ["/rolling/eph-a", "/rolling/eph-b", "/rolling/eph-mid"];
const WATCHED = "/rolling/watched";
const C_WATCHED = "/rolling/c-watched";
const C_EPHEMERAL = "/rolling/c-eph";

/**
 * The next member to replace, as an operator picks it: a follower, else an
 * observer, else the leader (found by srvr now: an earlier step may have moved it).
 */
async function nextToReplace(e: Ensemble, to: PeerKind): Promise<EnsembleMember | undefined> {
  const leader = await e.waitServing(SLOW_MS);
  const left = e.members.filter((m) => m.kind !== to);
  return left.find((m) => !m.observer && m !== leader) ?? left.find((m) => m.observer) ??
    left.find((m) => m === leader);
}

/** What one step took. */
interface Step {
  sid: number;
  to: PeerKind;
  wasLeader: boolean;
  /** The leader once the member has synced. */
  leader: number;
  ms: number;
}

/** Replaces every member by `to`, one at a time, each synced and writes flowing again before the next. */
async function roll(
  e: Ensemble,
  k: KazooDriver,
  to: PeerKind,
  signal: Deno.Signal,
  beforeLeader: () => Promise<void>,
): Promise<Step[]> {
  const steps: Step[] = [];
  let hooked = false;
  for (;;) {
    const m = await nextToReplace(e, to);
    if (!m) break;
    const wasLeader = (await e.mode(m)) === "leader";
    // Before the leader's step (the last one, unless an election moved the lead).
    const last = e.members.filter((x) => x.kind !== to).length === 1;
    if ((wasLeader || last) && !hooked) {
      hooked = true;
      await beforeLeader();
    }
    const t0 = Date.now();
    await e.replace(m, to, signal);
    const leader = await e.waitSynced(m, SLOW_MS);
    const before = (await k.loadStatus("writer")).acked;
    const after = await k.waitAcked(
      "writer",
      before + PROGRESS,
      `writes acknowledged again after member ${m.sid} became ${to}`,
      SLOW_MS,
      50,
    );
    assert.ok(!after.done, "the write load ended early (its bound is too small)");
    steps.push({ sid: m.sid, to, wasLeader, leader: leader.sid, ms: Date.now() - t0 });
    for (const [sid, n] of await e.digestMismatches()) {
      assert.equal(n, 0, `member ${sid}: zk_digest_mismatches_count after member ${m.sid}'s step`);
    }
  }
  assert.ok(e.members.every((x) => x.kind === to), `every member runs ${to}`);
  return steps;
}

/** Every acknowledged create is readable through every server after sync(). */
async function ackedEverywhere(e: Ensemble, k: KazooDriver, acked: string[]): Promise<void> {
  for (const m of e.members) {
    const name = `check-${m.sid}`;
    await k.connect(name, e.direct(m), { timeout: SESSION_S });
    try {
      await k.sync(name, "/rolling/load");
      const have = new Set(
        (await k.call<string[]>("children", { name, path: "/rolling/load" }))
          .map((c) => `/rolling/load/${c}`),
      );
      const lost = acked.filter((p) => !have.has(p));
      assert.deepEqual(lost, [], `acknowledged writes missing via member ${m.sid}`);
      for (const p of HOLDER_EPHEMERALS) {
        const eph = await k.get(name, p);
        assert.equal(
          eph.ephemeralOwner,
          (await k.call<{ session: string }>("session", { name: "holder" })).session,
        );
      }
    } finally {
      await k.close(name);
    }
  }
}

/** The kazoo DataWatch on WATCHED sees `data` (it fires on every change). */
async function dataWatchSees(k: KazooDriver, data: string): Promise<void> {
  await waitFor(
    `the holder's DataWatch to see "${data}"`,
    async () =>
      (await k.events("holder")).some((x) =>
        x.type === "DATAWATCH" && (x as { data?: string }).data === data
      ),
    SLOW_MS,
    50,
  );
}

/** A change after the moves fires both sessions' watches; the cli_mt watch is set again. */
async function watchesFire(k: KazooDriver, c: CliMtSession, round: number): Promise<void> {
  await k.set("writer", WATCHED, `after roll ${round}`);
  await dataWatchSees(k, `after roll ${round}`);
  await k.set("writer", C_WATCHED, `after roll ${round}`);
  await waitFor(
    `cli_mt's watch on ${C_WATCHED} to fire (${round})`,
    () => c.events(C_WATCHED).filter((x) => x === "CHANGED_EVENT").length === round,
    SLOW_MS,
    50,
  );
  await c.run(`get ${C_WATCHED}`, (l) => l.startsWith(`${C_WATCHED}: rc = 0`));
}

/** A session with an ephemeral, in its own kazoo process, crashed (kill -9) mid-roll. */
class Orphan {
  private constructor(private readonly driver: KazooDriver, readonly path: string) {}

  /** Connects (every server, the shortest session timeout) and creates the ephemeral. */
  static async start(hosts: string, path: string): Promise<Orphan> {
    const driver = KazooDriver.start();
    try {
      await driver.connect("orphan", hosts, { timeout: ORPHAN_SESSION_S });
      await driver.create("orphan", path, "", { ephemeral: true });
    } catch (e) {
      await driver.kill();
      throw e;
    }
    return new Orphan(driver, path);
  }

  /** kill -9 of its process: the session is left to expire. */
  crash(): Promise<void> {
    return this.driver.kill();
  }

  /** Waits until the ephemeral is gone (the leader expired the session). */
  async gone(k: KazooDriver): Promise<void> {
    await waitFor(
      `${this.path} to go with its expired session`,
      async () => {
        await k.sync("writer", this.path);
        return !(await k.exists("writer", this.path));
      },
      SLOW_MS,
      100,
    );
  }
}

/** Waits until every member's srvr Zxid equals the leader's (nothing in flight anywhere). */
async function allCaughtUp(e: Ensemble): Promise<void> {
  await waitFor(
    "every member at the leader's Zxid",
    async () => {
      const s = await Promise.all(e.members.map((m) => e.srvr(m)));
      return s.every((x) => x !== undefined && x.zxid === s[0]!.zxid);
    },
    SLOW_MS,
    100,
  );
}

for (const row of ROWS) {
  Deno.test({
    name: `rolling replacement [${row.kinds.join(",")}]${
      row.dataLogDir ? " with dataLogDir" : ""
    } -> zkt -> zk under kazoo load (${row.forward}, back ${row.back}): sessions, ephemerals and watches survive, no acknowledged write lost, every data dir holds the same tree`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const t0 = Date.now();
      const e = await Ensemble.start(row.kinds, {
        cfg: [`snapCount=${SNAP_COUNT}`],
        dataLogDir: row.dataLogDir,
      });
      const k = KazooDriver.start();
      let c: CliMtSession | null = null;
      const orphans: Orphan[] = [];
      try {
        const hosts = e.hosts();
        await k.connect("writer", hosts, { timeout: SESSION_S });
        await k.connect("reader", hosts, { timeout: SESSION_S });
        const holder = await k.connect("holder", hosts, { timeout: SESSION_S });
        await k.create("writer", "/rolling/load", "", { makepath: true });
        for (const p of HOLDER_EPHEMERALS.slice(0, 2)) {
          await k.create("holder", p, "", { ephemeral: true });
        }
        await k.create("writer", WATCHED, "start");
        await k.create("writer", C_WATCHED, "start");
        await k.dataWatch("holder", WATCHED);
        await dataWatchSees(k, "start");

        c = await CliMtSession.start(hosts);
        const cSession = c.sessionIds()[0];
        await c.run(`create +e ${C_EPHEMERAL}`, (l) => l.startsWith(`[${C_EPHEMERAL}]: rc = 0`));
        await c.run(`get ${C_WATCHED}`, (l) => l.startsWith(`${C_WATCHED}: rc = 0`));

        await k.loadStart(
          "writer",
          "/rolling/load",
          WRITE_RATE * LOAD_SECONDS,
          LOAD_SECONDS,
          WRITE_RATE,
        );
        await k.readsStart("reader", "writer", READ_RATE * LOAD_SECONDS, LOAD_SECONDS, READ_RATE);
        await waitFor(
          "the load to start",
          async () => (await k.loadStatus("writer")).acked >= PROGRESS,
          SLOW_MS,
        );

        // A client that dies before the leader's step: the next leader (the
        // other kind) must expire its session, made under the old one.
        orphans.push(await Orphan.start(hosts, "/rolling/orphan-1"));
        const steps = await roll(e, k, "zkt", row.forward, () => orphans[0].crash());
        await watchesFire(k, c, 1);
        await orphans[0].gone(k);
        orphans.push(await Orphan.start(hosts, "/rolling/orphan-2"));
        await k.create("holder", HOLDER_EPHEMERALS[2], "", { ephemeral: true });
        steps.push(...await roll(e, k, "zk", row.back, () => orphans[1].crash()));
        await watchesFire(k, c, 2);
        await orphans[1].gone(k);

        await k.loadStop("writer");
        const load = await k.loadWait("writer");
        const reads = await k.readsStop("reader");
        assert.deepEqual(reads.bad, [], "reads that returned another value than the one written");
        assert.ok(reads.ok > 0, "reads succeeded");

        assert.deepEqual(await k.call("session", { name: "holder" }), holder, "kazoo session kept");
        const states = await k.states("holder");
        assert.ok(!states.includes("LOST"), `kazoo session never lost: ${states.join(",")}`);
        assert.deepEqual(c.sessionIds(), [cSession], "cli_mt's session kept");
        assert.ok(
          !c.lines.some((l) => /EXPIRED_SESSION_STATE/.test(l)),
          "cli_mt's session never expired",
        );
        await ackedEverywhere(e, k, load.acked);
        const cNode = await k.get("writer", C_EPHEMERAL);
        assert.equal(BigInt(cNode.ephemeralOwner), BigInt(`0x${cSession}`), "cli_mt's ephemeral");
        for (const [sid, n] of await e.digestMismatches()) {
          assert.equal(n, 0, `member ${sid}: zk_digest_mismatches_count`);
        }
        // The session that lived through every step closes as any other.
        await k.close("holder");
        for (const p of HOLDER_EPHEMERALS) {
          await k.sync("writer", p);
          assert.equal(await k.exists("writer", p), false, `${p} gone with its session`);
        }

        // Every data dir: same tree, holding every acknowledged write.
        await allCaughtUp(e);
        for (const m of e.members) await e.kill(m, "SIGTERM");
        const trees: Awaited<ReturnType<typeof replayDataDir>>[] = [];
        for (const m of e.members) {
          const logDir = row.dataLogDir ? `${m.dir}/datalog` : undefined;
          trees.push(await replayDataDir(`${m.dir}/data`, logDir));
        }
        for (const [i, t] of trees.entries()) {
          assert.deepEqual(treeDiff(trees[0], t), [], `data dir of member 1 vs ${i + 1}`);
        }
        const lostOnDisk = load.acked.filter((p) => !trees[0].has(p));
        assert.deepEqual(lostOnDisk, [], "acknowledged writes missing from the data dirs");

        console.log(
          `rolling [${row.kinds.join(",")}]: ${steps.length} steps (${
            steps.map((s) =>
              `${s.sid}${s.wasLeader ? "L" : ""}->${s.to} ${s.ms}ms leader ${s.leader}`
            ).join(", ")
          }); writes acked ${load.acked.length}, failed ${load.failed}, lost 0; reads ok ${reads.ok}, stale ${reads.stale}, failed ${reads.failed}; ${
            Date.now() - t0
          } ms`,
        );
      } catch (err) {
        throw await failureWithLogs(
          err,
          e,
          k,
          `\n--- cli_mt ---\n${c?.lines.slice(-30).join("\n")}`,
        );
      } finally {
        for (const o of orphans) await o.crash();
        await c?.kill();
        await k.kill();
        // ZKT_KEEP_ENSEMBLE=1 keeps the members' dirs (logs, data) to look at.
        const keep = !!Deno.env.get("ZKT_KEEP_ENSEMBLE");
        await e.stop({ keep });
        if (keep) console.log(`kept ${e.members[0].dir.replace(/\/m1$/, "")}`);
      }
    },
  });
}
