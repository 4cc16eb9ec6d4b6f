// Issue 18, disk faults in an ensemble: a zkt member whose txn-log device
// fails under a write load must stop, exiting 1 as a 3.8 peer's
// SyncRequestProcessor does (ExitCode.UNEXPECTED_ERROR), so a supervisor
// restarts it; the others carry on (writes still acknowledged; a faulted
// leader is replaced by an election); restarted on a sound disk it rejoins as
// a follower and converges: every acknowledged write read through every
// server, trees and data dirs equal, every data dir passes txnlog/snap verify. The faults (tests/support/log_disk_fault.ts):
//   full:  a 256 KiB tmpfs over its dataLogDir (ENOSPC), its files copied
//          back to the real dir for the restart
//   fsync: fdatasync/fsync of its txn logs fail with EIO (LD_PRELOAD of
//          fault_fs.c), armed once the load has 200 acks
//   write: write() of its txn logs fails with EIO, armed likewise
// Rows: a faulted follower and a faulted leader, all-zkt and beside Java peers.
import assert from "node:assert/strict";
import {
  assertTreesConverged,
  Ensemble,
  type EnsembleMember,
  failureWithLogs,
  type MemberSpec,
  replayDataDir,
  treeDiff,
} from "../support/ensemble.ts";
import { zkt } from "../support/crash_loop.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { KazooDriver } from "../support/kazoo_driver.ts";
import {
  buildFaultLib,
  canMountTmpfs,
  killWrapped,
  logDiskPaths,
  onFullLogDisk,
  withFailingIo,
} from "../support/log_disk_fault.ts";
import { waitFor } from "../support/wait.ts";

interface Row {
  fault: "full" | "fsync" | "write";
  kinds: MemberSpec[];
  /** The faulted member (with leaderLast the last voter leads first). */
  sid: number;
  leader: boolean;
}

const ROWS: Row[] = [
  { fault: "full", kinds: ["zkt", "zkt", "zkt"], sid: 1, leader: false },
  { fault: "full", kinds: ["zkt", "zkt", "zkt"], sid: 3, leader: true },
  { fault: "full", kinds: ["zk", "zk", "zkt"], sid: 3, leader: true },
  { fault: "fsync", kinds: ["zk", "zkt", "zkt"], sid: 2, leader: false },
  { fault: "fsync", kinds: ["zkt", "zkt", "zkt"], sid: 3, leader: true },
  { fault: "write", kinds: ["zkt", "zkt", "zkt"], sid: 1, leader: false },
  { fault: "write", kinds: ["zk", "zkt", "zkt"], sid: 3, leader: true },
];

/** What each fault's last log line names. */
const FAULT_ERROR = {
  full: /No space left on device/,
  fsync: /Input\/output error/,
  write: /Input\/output error/,
};

/** What the row's fault does to the member. */
function faultText(f: Row["fault"]): string {
  return f === "full"
    ? "whose txn-log disk fills"
    : `whose txn-log ${f === "fsync" ? "fdatasync" : "write"} fails (EIO)`;
}

const libDir = await Deno.makeTempDir({ prefix: "zkt-fault-lib-" });
const faultLib = SKIP_INTEROP ? null : await buildFaultLib(libDir);
globalThis.addEventListener("unload", () => Deno.removeSync(libDir, { recursive: true }));

const SLOW_MS = 120_000;
/** ZKT_KEEP_DIRS=1 keeps the members' dirs (their paths are in the logs). */
const KEEP = Deno.env.get("ZKT_KEEP_DIRS") === "1";
/** Each create logs ~100 bytes and the writer zeroes 64 KiB-1 MiB ahead: 256 KiB fills within ~1,500. */
const TMPFS = "256k";
const LOAD_COUNT = 2500;
const LOAD_SECONDS = 150;

/** The exit status of a member whose process ended by itself (polled with a deadline). */
async function exitedBy(m: EnsembleMember): Promise<Deno.CommandStatus> {
  const c = m.child!;
  return await waitFor(
    `member ${m.sid} to exit by itself`,
    () => Promise.race([c.status, Promise.resolve(false as const)]),
    SLOW_MS,
    100,
  );
}

for (const row of ROWS) {
  Deno.test({
    name: `faults [${row.kinds.join(",")}]: the ${
      row.leader ? "leader" : "follower"
    } (member ${row.sid}) ${faultText(row.fault)} exits 1; the others carry on${
      row.leader ? " under a new leader" : ""
    }; restarted on a sound disk it rejoins and every acknowledged write is read everywhere`,
    ignore: SKIP_INTEROP ||
      (row.fault === "full" ? !(await canMountTmpfs) : faultLib === null),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      let faulty = true;
      let arm = "";
      const e = await Ensemble.start(row.kinds, {
        leaderLast: true,
        memberCfg: (m) => m.sid === row.sid ? [`dataLogDir=${logDiskPaths(m.dir).logs}`] : [],
        launch: (m, argv) => {
          if (m.sid !== row.sid || !faulty) return argv;
          const p = logDiskPaths(m.dir);
          if (row.fault === "full") return onFullLogDisk(p, TMPFS, argv);
          arm = `${m.dir}/arm-fault`;
          return withFailingIo(faultLib!, row.fault, arm, `${p.logs}/version-2/log.`, argv);
        },
      });
      const k = KazooDriver.start();
      const f = e.member(row.sid);
      try {
        assert.equal((await e.leader())?.sid === row.sid, row.leader, "the faulted member's role");
        await k.startLoad("load", e.hosts(), "/load", LOAD_COUNT, LOAD_SECONDS);
        if (arm) {
          await k.waitAcked("load", 200, "200 acks before the fault", SLOW_MS);
          await Deno.writeTextFile(arm, "");
        }

        const st = await exitedBy(f);
        assert.equal(st.code, 1, "exit code of the member whose log device failed");
        await e.kill(f); // marks it down
        const last = (await e.log(f)).trimEnd().split("\n").at(-1)!;
        assert.match(
          last,
          / - ERROR .*Severe unrecoverable error, exiting: txn log write failed: /,
        );
        assert.match(last, FAULT_ERROR[row.fault]);
        const atExit = (await k.loadStatus("load")).acked;

        // The others carry on: a leader among them, writes acknowledged again.
        faulty = false;
        const next = await e.waitServing(SLOW_MS);
        assert.notEqual(next.sid, row.sid);
        await k.waitAcked("load", atExit + 51, "writes acknowledged after the fault", SLOW_MS, 50);
        assert.ok((await k.loadStatus("load")).acked > atExit, "writes acknowledged after it");

        // Restarted with space (the same files on the real disk): rejoins, converges.
        e.restart(f);
        await e.waitServing(SLOW_MS);
        assert.equal(await e.mode(f), "follower", "the faulted member rejoins as follower");
        const load = await k.loadWait("load");
        assert.ok(load.done, "the load finished within its bound");
        await k.close("load");

        const names: string[] = [];
        for (const m of e.members) {
          const n = `s${m.sid}`;
          await k.connect(n, e.direct(m), { timeout: 10 });
          names.push(n);
          assert.deepEqual(
            await k.missingAfterSync(n, "/load", load.acked),
            [],
            `acknowledged writes missing via member ${m.sid}`,
          );
        }
        await assertTreesConverged(e, k, names);
        for (const n of names) await k.close(n);
        for (const m of e.members) await e.kill(m);
        const replays = [];
        for (const m of e.members) {
          const logs = m.sid === row.sid ? logDiskPaths(m.dir).logs : undefined;
          replays.push(await replayDataDir(`${m.dir}/data`, logs));
        }
        for (let i = 1; i < replays.length; i++) {
          assert.deepEqual(treeDiff(replays[0], replays[i]), [], `data dir 1 vs ${i + 1}`);
        }
        // Every data dir (the faulted member's log dir as the fault left it) verifies.
        for (const m of e.members) {
          const logs = m.sid === row.sid ? logDiskPaths(m.dir).logs : `${m.dir}/data`;
          const t = await zkt(["txnlog", "verify", logs]);
          assert.equal(t.code, 0, `txnlog verify of member ${m.sid}: ${t.out}`);
          const sn = await zkt(["snap", "verify", `${m.dir}/data`]);
          assert.equal(sn.code, 0, `snap verify of member ${m.sid}: ${sn.out}`);
        }
        console.log(
          `${row.fault}: member ${row.sid} exited 1 after ${atExit} acked writes; ` +
            `${load.acked.length} acked in all, ${load.failed} failed, 0 lost`,
        );
      } catch (err) {
        throw await failureWithLogs(err, e, k);
      } finally {
        if (f.child) await killWrapped(logDiskPaths(f.dir));
        await k.kill();
        await e.stop({ keep: KEEP });
      }
    },
  });
}

// The failed batch must not be acknowledged: with the other follower down the
// faulted follower's ACK is needed for every commit, so a write acknowledged
// on an ACK for a txn it never wrote would live on the leader's disk alone.
// The leader is then killed too, and the two followers (restarted on sound
// disks) must hold every acknowledged write between them. (A failed fsync
// cannot be checked this way: the page cache keeps the unsynced batch.)
const CRITICAL: MemberSpec[][] = [
  ["zkt", "zkt", "zkt"],
  // A zkt follower of a Java leader, the other follower Java.
  ["zkt", "zk", "zk"],
];

for (const kinds of CRITICAL) {
  Deno.test({
    name: `faults [${
      kinds.join(",")
    }]: a follower whose txn-log write fails (EIO) acknowledges nothing it did not log: with the other follower down it exits 1, the leader is killed, and the two followers restarted hold every acknowledged write`,
    ignore: SKIP_INTEROP || faultLib === null,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      // Every zkt member can be faulted (armed by its own file); the faulted
      // one is a zkt follower, picked once the first leader is known (fresh
      // dirs: the greatest sid of the first quorum, not always sid 3).
      let faulty = true;
      const e = await Ensemble.start(kinds, {
        memberCfg: (m) => m.kind === "zkt" ? [`dataLogDir=${logDiskPaths(m.dir).logs}`] : [],
        launch: (m, argv) => {
          if (m.kind !== "zkt" || !faulty) return argv;
          const match = `${logDiskPaths(m.dir).logs}/version-2/log.`;
          return withFailingIo(faultLib!, "write", `${m.dir}/arm-fault`, match, argv);
        },
      });
      const k = KazooDriver.start();
      try {
        const l = (await e.leader())!;
        const f = e.members.find((m) => m !== l && m.kind === "zkt")!;
        const g = e.members.find((m) => m !== l && m !== f)!;
        assert.ok(l && f && g, "a leader and a zkt follower");
        assert.equal(l.kind, kinds.at(-1), "the leader's kind");
        await e.kill(g);
        await k.startLoad("load", e.hosts(), "/load", LOAD_COUNT, LOAD_SECONDS);
        await k.waitAcked("load", 200, "200 acks before the fault", SLOW_MS);
        await Deno.writeTextFile(`${f.dir}/arm-fault`, "");
        assert.equal((await exitedBy(f)).code, 1, "exit code of the faulted follower");
        await e.kill(f);
        const atExit = (await k.loadStatus("load")).acked;
        await e.kill(l);

        faulty = false;
        e.restart(f);
        e.restart(g);
        const next = await e.waitServing(SLOW_MS);
        assert.notEqual(next.sid, l.sid);
        const load = await k.loadWait("load");
        assert.ok(load.done, "the load finished within its bound");
        assert.ok(load.acked.length > atExit, "writes acknowledged by the two followers");
        await k.close("load");
        for (const m of [f, g]) {
          await k.connect(`s${m.sid}`, e.direct(m), { timeout: 10 });
          assert.deepEqual(
            await k.missingAfterSync(`s${m.sid}`, "/load", load.acked),
            [],
            `acknowledged writes missing via member ${m.sid} (the old leader down)`,
          );
        }

        e.restart(l);
        await e.waitServing(SLOW_MS);
        await k.connect(`s${l.sid}`, e.direct(l), { timeout: 10 });
        assert.deepEqual(
          await k.missingAfterSync(`s${l.sid}`, "/load", load.acked),
          [],
          `acknowledged writes missing via the old leader ${l.sid}`,
        );
        for (const m of e.members) await k.close(`s${m.sid}`);
        for (const m of e.members) await e.kill(m);
        const replays = [];
        for (const m of e.members) {
          replays.push(
            await replayDataDir(
              `${m.dir}/data`,
              m.kind === "zkt" ? logDiskPaths(m.dir).logs : undefined,
            ),
          );
        }
        for (let i = 1; i < replays.length; i++) {
          assert.deepEqual(treeDiff(replays[0], replays[i]), [], `data dir 1 vs ${i + 1}`);
        }
        console.log(
          `write EIO: follower ${f.sid} exited 1 after ${atExit} acked writes; ` +
            `${load.acked.length} acked in all, ${load.failed} failed, 0 lost`,
        );
      } catch (err) {
        throw await failureWithLogs(err, e, k);
      } finally {
        await k.kill();
        await e.stop({ keep: KEEP });
      }
    },
  });
}
