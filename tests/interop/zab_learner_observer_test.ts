// A zkt observer under an Apache ZooKeeper 3.8 leader (zab-3.8.md §14
// scenario 18, zkt observing): OBSERVERINFO, a sync, then INFORM for every
// commit (no ACKs: observers never count toward a quorum), logged and applied
// so its data dir equals the leader's; restarted after missed writes it syncs
// again and catches up.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, mntrOf, startJavaMember, writeVia } from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble } from "./election_ensemble.ts";

Deno.test({
  name:
    "zab learner: a zkt observer of a Java leader applies every INFORM, its data dir equals the leader's, and it catches up after a restart",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([2, 3, 4]);
    const [m2, m3, m4] = plan.members;
    const lines = plan.serverLines.map((l) => l.startsWith("server.4=") ? `${l}:observer` : l);
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    let ok = false;
    try {
      const leader = await startJavaMember(m3, lines);
      procs.push(leader);
      procs.push(await startJavaMember(m2, lines));
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
      await writeVia(m3.client, "/before", 30);
      let zkt = await startZktLearner({
        sid: 4,
        clientPort: m4.client,
        serverLines: lines,
        cfg: ["peerType=observer"],
      });
      procs.push(zkt);
      const role = await zkt.waitEvent("zkt to observe", (e) => e.event === "role");
      assertEquals([role.state, role.leader], ["observing", 3]);
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      await writeVia(m3.client, "/during", 100);
      await assertSameTree(leader, m3.client, zkt);

      await zkt.stop("SIGKILL");
      await writeVia(m3.client, "/missed", 50);
      zkt = await startZktLearner({
        sid: 4,
        clientPort: m4.client,
        serverLines: lines,
        cfg: ["peerType=observer"],
        dir: zkt.dir,
      });
      procs.push(zkt);
      await zkt.waitEvent("zkt to serve again", (e) => e.event === "serving");
      await writeVia(m3.client, "/after", 20);
      await assertSameTree(leader, m3.client, zkt);
      for (const port of [m2.client, m3.client]) {
        assertEquals((await mntrOf(port)).get("zk_digest_mismatches_count"), "0");
      }
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
