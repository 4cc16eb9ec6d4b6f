// Issue 18, disk faults in an ensemble: a zkt member whose txn-log device
// fills up under a write load (a tmpfs over its dataLogDir,
// tests/support/log_disk_fault.ts) must stop, exiting 1 as a 3.8 peer's
// SyncRequestProcessor does (ExitCode.UNEXPECTED_ERROR), so a supervisor
// restarts it; the others carry on (writes still acknowledged; a faulted
// leader is replaced by an election); restarted with space it rejoins as a
// follower and converges: every acknowledged write read through every server,
// trees and data dirs equal. Rows: a faulted follower and a faulted leader,
// all-zkt, and a faulted zkt leader of Java followers.
import assert from "node:assert/strict";
import {
  comparable,
  Ensemble,
  type EnsembleMember,
  type MemberSpec,
  replayDataDir,
  treeDiff,
} from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { KazooDriver } from "../support/kazoo_driver.ts";
import {
  canMountTmpfs,
  killWrapped,
  logDiskPaths,
  onFullLogDisk,
} from "../support/log_disk_fault.ts";
import { waitFor } from "../support/wait.ts";

interface Row {
  kinds: MemberSpec[];
  /** The faulted member (with leaderLast the last voter leads first). */
  sid: number;
  leader: boolean;
}

const ROWS: Row[] = [
  { kinds: ["zkt", "zkt", "zkt"], sid: 1, leader: false },
  { kinds: ["zkt", "zkt", "zkt"], sid: 3, leader: true },
  { kinds: ["zk", "zk", "zkt"], sid: 3, leader: true },
];

const SLOW_MS = 120_000;
/** Each create logs ~100 bytes and the writer zeroes 64 KiB-1 MiB ahead: 256 KiB fills within ~1,500. */
const TMPFS = "256k";
const LOAD_COUNT = 6000;
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
    } (member ${row.sid}) whose txn-log disk fills exits 1; the others carry on${
      row.leader ? " under a new leader" : ""
    }; restarted with space it rejoins and every acknowledged write is read everywhere`,
    ignore: SKIP_INTEROP || !(await canMountTmpfs),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      let faulty = true;
      const e = await Ensemble.start(row.kinds, {
        leaderLast: true,
        cfgOf: (m) => m.sid === row.sid ? [`dataLogDir=${logDiskPaths(m.dir).logs}`] : [],
        launch: (m, argv) =>
          m.sid === row.sid && faulty ? onFullLogDisk(logDiskPaths(m.dir), TMPFS, argv) : argv,
      });
      const k = KazooDriver.start();
      const f = e.member(row.sid);
      try {
        assert.equal((await e.leader())?.sid === row.sid, row.leader, "the faulted member's role");
        await k.connect("load", e.hosts(), { timeout: 10 });
        await k.create("load", "/load");
        await k.loadStart("load", "/load", LOAD_COUNT, LOAD_SECONDS);

        const st = await exitedBy(f);
        assert.equal(st.code, 1, "exit code of the member whose log disk filled");
        await e.kill(f); // marks it down
        const log = await e.log(f);
        assert.match(log, /Severe unrecoverable error, exiting: .*No space left on device/);
        const atExit = (await k.loadStatus("load")).acked;

        // The others carry on: a leader among them, writes acknowledged again.
        faulty = false;
        const next = await e.waitServing(SLOW_MS);
        assert.notEqual(next.sid, row.sid);
        await waitFor(
          "writes acknowledged after the fault",
          async () => {
            const s = await k.loadStatus("load");
            return s.acked > atExit + 50 || s.done;
          },
          SLOW_MS,
          50,
        );
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
          await k.sync(n, "/load");
          const have = new Set(
            (await k.call<string[]>("children", { name: n, path: "/load" })).map((c) =>
              `/load/${c}`
            ),
          );
          assert.deepEqual(
            load.acked.filter((p) => !have.has(p)),
            [],
            `acknowledged writes missing via member ${m.sid}`,
          );
        }
        const trees = [];
        for (const n of names) {
          const t = await k.tree(n);
          trees.push(new Map(Object.entries(t).map(([p, v]) => [p, comparable(p, v)])));
        }
        for (let i = 1; i < trees.length; i++) {
          assert.deepEqual(treeDiff(trees[0], trees[i]), [], `${names[0]} vs ${names[i]}`);
        }
        for (const [sid, n] of await e.digestMismatches()) {
          assert.equal(n, 0, `member ${sid}: zk_digest_mismatches_count`);
        }
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
        console.log(
          `member ${row.sid} exited 1 after ${atExit} acked writes; ` +
            `${load.acked.length} acked in all, ${load.failed} failed, 0 lost`,
        );
      } catch (err) {
        throw new Error(
          `${(err as Error).stack}\n${await e.logs(40)}\n--- kazoo ---\n${k.log().slice(-3000)}`,
        );
      } finally {
        if (f.child) await killWrapped(logDiskPaths(f.dir));
        await k.kill();
        await e.stop();
      }
    },
  });
}
