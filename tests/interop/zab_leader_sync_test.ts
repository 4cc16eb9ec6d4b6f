// A zkt peer leads two Apache ZooKeeper 3.8 followers and a Java observer at
// the Zab level (zab-3.8.md §14 scenarios 1, 4, 5, 18, 20): from fresh dirs
// they sync by an empty DIFF, take PROPOSAL/COMMIT (the observer INFORM) for
// the txns zkt proposes (a session and creates, each with zkt's TxnDigest)
// and serve them to kazoo, whose own session and sync() are forwarded
// REQUESTs the zkt leader answers. A Java follower killed and restarted after
// < 500 txns catches up by DIFF from zkt's committed window; after more than
// the window, by SNAP streamed from zkt; and restarted in the middle of a
// steady write load (outstanding proposals and COMMITs around its NEWLEADER)
// without a NullPointerException (ZOOKEEPER-4394) or a JVM exit. Java's digest
// check (zk_digest_mismatches_count) stays 0 throughout.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { waitFor } from "../support/wait.ts";
import type { ApacheZk } from "../support/apache_zk.ts";
import {
  assertNoDigestMismatches,
  follows,
  readVia,
  startJavaObserver,
  startZktLeaderOfJava,
  waitForMode,
  waitLeadsFollowers,
  written,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { startJavaMember } from "../support/zab_learner_check.ts";
import { planEnsemble } from "./election_ensemble.ts";

zabInteropTest(
  "zab leader: Java followers and an observer sync from a zkt leader (empty DIFF), apply its proposals with matching digests, and rejoin by DIFF within the committed window, by SNAP beyond it, and under a steady write load",
  4000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3, 4]);
    const [m1, m2, , m4] = plan.members;
    // Sid 4 observes.
    plan.serverLines[3] += ":observer";
    // zkt has the greatest sid: with equal (empty) histories it leads.
    const started = await startZktLeaderOfJava(plan, procs);
    const { zkt, j2 } = started;
    let j1: ApacheZk = started.j1;
    const obs = procs.add(await startJavaObserver(m4, plan.serverLines));
    await waitLeadsFollowers(zkt, [m1, m2]);
    await waitForMode("sid 4 to observe", m4.client, "observer");
    for (const sid of [1, 2, 4]) {
      const s = await zkt.waitEvent(
        `sid ${sid}'s sync`,
        (e) => e.event === "sync" && e.sid === sid,
      );
      assertEquals(s.mode, "diff", `sid ${sid} synced from an empty history`);
    }

    // A session and 101 creates proposed by zkt, committed on the quorum.
    let id = await zkt.write("/a", 100);
    await zkt.waitEvent("the writes to commit", (e) => e.event === "committed" && e.id === id);
    for (const m of [m1, m2, m4]) {
      assertEquals(await readVia(m.client, ["/a"]), { "/a": written(100) }, `via sid ${m.sid}`);
      await assertNoDigestMismatches([m.client]);
    }

    // Sid 1 misses 200 txns: it comes back by DIFF from zkt's window.
    await j1.stop("SIGKILL");
    id = await zkt.write("/b", 200);
    await zkt.waitEvent("the /b writes to commit", (e) => e.event === "committed" && e.id === id);
    let from = zkt.events.length;
    j1 = procs.add(await startJavaMember(m1, plan.serverLines, {}, j1.dir));
    await follows(m1);
    const diff = await zkt.waitEvent(
      "sid 1's resync",
      (e) => e.event === "sync" && e.sid === 1,
      from,
    );
    assertEquals(diff.mode, "diff");
    await waitFor(
      "the DIFF in sid 1's log",
      () => j1.log().includes("Getting a diff from the leader"),
    );
    assertEquals(await readVia(m1.client, ["/a", "/b"]), {
      "/a": written(100),
      "/b": written(200),
    });

    // Sid 1 misses 600 txns, more than the 500 kept: SNAP.
    await j1.stop("SIGKILL");
    const burst = performance.now();
    id = await zkt.write("/c", 600);
    await zkt.waitEvent("the /c writes to commit", (e) => e.event === "committed" && e.id === id);
    // A measurement for the log, not a limit: 601 proposals in one turn, one follower acking.
    console.log(
      `601 txns proposed at once committed in ${Math.round(performance.now() - burst)} ms`,
    );
    from = zkt.events.length;
    j1 = procs.add(await startJavaMember(m1, plan.serverLines, {}, j1.dir));
    await follows(m1);
    const snap = await zkt.waitEvent(
      "sid 1's resync",
      (e) => e.event === "sync" && e.sid === 1,
      from,
    );
    assertEquals(snap.mode, "snap");
    await waitFor(
      "the SNAP in sid 1's log",
      () => j1.log().includes("Getting a snapshot from leader"),
    );
    // Writes after the SNAP reach it as live traffic.
    id = await zkt.write("/d", 10);
    await zkt.waitEvent("the /d writes to commit", (e) => e.event === "committed" && e.id === id);
    // Sid 1 restarts while zkt proposes a txn every 5 ms (~200/s).
    await j1.stop("SIGKILL");
    from = zkt.events.length;
    id = await zkt.load("/e", 1500, 1);
    j1 = procs.add(await startJavaMember(m1, plan.serverLines, {}, j1.dir));
    const rejoin = await zkt.waitEvent(
      "sid 1's resync under load",
      (e) => e.event === "sync" && e.sid === 1,
      from,
    );
    const proposed = await zkt.waitEvent(
      "the load's end",
      (e) => e.event === "proposed" && e.id === id,
      from,
    );
    console.log(
      `sid 1 rejoined by ${rejoin.mode} at ${rejoin.zxid}; load ended at ${proposed.last}`,
    );
    await zkt.waitEvent(
      "the load to commit",
      (e) => e.event === "committed" && e.id === id,
      from,
    );
    await follows(m1);
    const all = {
      "/a": written(100),
      "/b": written(200),
      "/c": written(600),
      "/d": written(10),
      "/e": written(1500),
    };
    for (const m of [m1, m2, m4]) {
      assertEquals(await readVia(m.client, Object.keys(all)), all, `via sid ${m.sid}`);
      await assertNoDigestMismatches([m.client]);
    }
    for (const j of [j1, j2, obs]) {
      assertEquals(
        /NullPointerException|GOODBYE|different epoch|Exiting JVM/.test(j.log()),
        false,
        "a Java learner failed",
      );
    }
  },
);
