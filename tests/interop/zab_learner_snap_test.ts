// A zkt follower synced by SNAP from an Apache ZooKeeper 3.8 leader started
// with -Dzookeeper.forceSnapshotSync=true (zab-3.8.md §14 scenarios 6 and 22):
// the leader writes its snapshot while commits go on (fuzzy) and then forwards
// txns the image may already hold, so zkt must load the raw SNAP stream, check
// BenWasHere and re-apply overlapping txns idempotently. A zkt killed as the
// SNAP starts (ZOOKEEPER-3642: a half image must not count) and restarted
// under write load resyncs cleanly, and its data dir equals the leader's.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import {
  assertSameTree,
  mntrOf,
  startJavaMember,
  writeLoad,
  writeVia,
} from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble, startZkMember, zxidOfPeer } from "./election_ensemble.ts";

Deno.test({
  name:
    "zab learner: fuzzy SNAP from a Java leader (forceSnapshotSync) under write load, and a zkt killed at the SNAP resyncs; data dir equals the leader's",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    const load: Deno.ChildProcess[] = [];
    let ok = false;
    try {
      const leader = await startJavaMember(m3, plan.serverLines, {
        "zookeeper.forceSnapshotSync": "true",
      });
      procs.push(leader);
      procs.push(await startZkMember(m2, plan.serverLines));
      await waitFor(
        "sid 3 to lead",
        async () => (await modeOfPeer(m3.client)) === "leader",
        90_000,
      );
      await waitFor(
        "sid 2 to follow",
        async () => (await modeOfPeer(m2.client)) === "follower",
        90_000,
      );
      // A tree big enough that its SNAP takes a while to stream.
      await writeVia(m3.client, "/big", 3000, 1000);
      const snaps0 = Number((await mntrOf(m3.client)).get("zk_snap_count"));

      let zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "SNAP");
      await assertSameTree(leader, m3.client, zkt);

      // Under write load: kill zkt the moment its next SNAP starts, restart it.
      const start = await waitFor("the leader's zxid", () => zxidOfPeer(m3.client));
      load.push(writeLoad(m3.client, "/load", 1500, 200));
      await waitFor(
        "the load to be under way",
        async () => ((await zxidOfPeer(m3.client)) ?? 0n) > start + 100n,
        60_000,
      );
      await zkt.stop("SIGKILL");
      zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      });
      procs.push(zkt);
      await zkt.waitEvent("a SNAP to start", (e) => e.event === "sync");
      await zkt.stop("SIGKILL");
      zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      });
      procs.push(zkt);
      await zkt.waitEvent("zkt to serve after the killed SNAP", (e) => e.event === "serving");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "SNAP");
      const r = await load[0].output();
      assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      await assertSameTree(leader, m3.client, zkt);

      const mntr = await mntrOf(m3.client);
      assertEquals(mntr.get("zk_synced_followers"), "2");
      // The first join, the killed one and the last: every one a SNAP.
      assertEquals(Number(mntr.get("zk_snap_count")) >= snaps0 + 3, true, "snap_count");
      for (const port of [m2.client, m3.client]) {
        assertEquals((await mntrOf(port)).get("zk_digest_mismatches_count"), "0");
      }
      ok = true;
    } finally {
      for (const c of load) {
        try {
          c.kill("SIGKILL");
        } catch { /* exited */ }
        await c.status;
      }
      for (const p of procs.reverse()) await p.stop();
      if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
        for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-3000)}`);
      }
      for (const p of procs) await Deno.remove(p.dir, { recursive: true }).catch(() => {});
    }
  },
});
