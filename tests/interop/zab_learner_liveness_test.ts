// A Java 3.8 leader whose only quorum partner is a zkt follower keeps leading
// on zkt's PING replies (zab-3.8.md §14 scenario 3, §10): for well over
// 4 × syncLimit × tickTime of pings the leader keeps zkt synced, zkt never
// leaves, and writes still commit on its ACKs. Short ticks (200 ms) keep it quick;
// a 2 s sync window (not 500 ms) keeps a busy machine's stalls from cutting the link.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { startApacheZk } from "../support/apache_zk.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, mntrOf, writeVia } from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble } from "./election_ensemble.ts";

const TICKS = ["tickTime=200", "initLimit=30", "syncLimit=10"];

Deno.test({
  name:
    "zab learner: a Java leader keeps its quorum on a zkt follower's PING replies for over 4 x syncLimit ticks, and commits on its ACKs after",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, , m3] = plan.members;
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    let ok = false;
    try {
      // Sid 2 is never started: the leader's quorum is itself and zkt.
      const leader = await startApacheZk({
        clientPort: m3.client,
        myid: 3,
        cfg: [...plan.serverLines, "cnxTimeout=2000", ...TICKS],
        jvmProps: { "zookeeper.cnxTimeout": "2000" },
        waitReady: false,
      });
      procs.push(leader);
      const zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        cfg: TICKS,
      });
      procs.push(zkt);
      await waitFor(
        "sid 3 to lead",
        async () => (await modeOfPeer(m3.client)) === "leader",
        90_000,
      );
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      await writeVia(m3.client, "/before", 20);
      // The leader pings every tickTime/2: 80 replies span 8 s, 4 x syncLimit*tickTime.
      const from = zkt.events.length;
      await zkt.waitEvent(
        "80 PING replies",
        (e) => e.event === "pings" && Number(e.n) >= 80,
        from,
      );
      assertEquals(zkt.events.filter((e) => e.event === "left"), []);
      assertEquals(zkt.events.filter((e) => e.event === "serving").length, 1);
      assertEquals(await modeOfPeer(m3.client), "leader");
      assertEquals((await mntrOf(m3.client)).get("zk_synced_followers"), "1");
      await writeVia(m3.client, "/after", 20);
      await assertSameTree(leader, m3.client, zkt);
      ok = true;
    } finally {
      for (const p of procs.reverse()) await p.stop();
      if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
        for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-3000)}`);
      }
      for (const p of new Set(procs.map((p) => p.dir))) {
        await Deno.remove(p, { recursive: true }).catch(() => {});
      }
    }
  },
});
