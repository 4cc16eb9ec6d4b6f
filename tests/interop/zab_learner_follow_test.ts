// A zkt peer follows an Apache ZooKeeper 3.8 leader at the Zab level
// (zab-3.8.md §14 scenarios 3 and 7's DIFF half): with the other Java
// follower not running, every commit needs zkt's ACK, so kazoo's writes
// succeed only if zkt logs, fsyncs and acknowledges in order and answers the
// leader's PINGs; afterwards zkt's data dir holds exactly the leader's tree.
// Restarted after missing < 500 txns, it is brought back by a DIFF, also
// under write load (scenario 21).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, mntrOf, writeLoad, writeVia } from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble, startZkMember, zxidOfPeer } from "./election_ensemble.ts";

Deno.test({
  name:
    "zab learner: a zkt follower's ACKs make a Java leader's quorum (200 writes), its data dir equals the leader's, and after restarts (idle and under write load) it catches up by DIFF",
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
      // Sid 3 has the greatest sid: with equal (empty) histories it leads.
      // Sid 2 is not started, so zkt (sid 1) is the leader's only quorum partner.
      const leader = await startZkMember(m3, plan.serverLines);
      procs.push(leader);
      let zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      await waitFor(
        "sid 3 to lead",
        async () => (await modeOfPeer(m3.client)) === "leader",
        90_000,
      );
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");

      await writeVia(m3.client, "/a", 200);
      const mntr = await mntrOf(m3.client);
      assertEquals(mntr.get("zk_synced_followers"), "1");
      assertEquals(mntr.get("zk_digest_mismatches_count"), "0");
      await assertSameTree(leader, m3.client, zkt);

      // Sid 2 joins, so the leader keeps its quorum while zkt is down.
      const java2 = await startZkMember(m2, plan.serverLines);
      procs.push(java2);
      await waitFor(
        "sid 2 to follow",
        async () => (await modeOfPeer(m2.client)) === "follower",
        90_000,
      );
      await zkt.stop("SIGKILL");
      await writeVia(m3.client, "/b", 100);
      const diffsBefore = Number((await mntrOf(m3.client)).get("zk_diff_count") ?? "NaN");
      zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      });
      procs.push(zkt);
      await zkt.waitEvent("zkt to serve again", (e) => e.event === "serving");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");
      const after = await mntrOf(m3.client);
      assertEquals(Number(after.get("zk_diff_count")), diffsBefore + 1, "the leader's diff count");
      assertEquals(after.get("zk_synced_followers"), "2");
      await writeVia(m3.client, "/c", 20);
      await assertSameTree(leader, m3.client, zkt);

      // Restarted again under write load (scenario 21): proposals outstanding
      // at the sync arrive around NEWLEADER, their COMMITs after it. At most
      // 440 txns are missed, inside the leader's 500-txn committed log: DIFF.
      const start = await waitFor("the leader's zxid", () => zxidOfPeer(m3.client));
      load.push(writeLoad(m3.client, "/load", 400));
      await waitFor(
        "the load to be under way",
        async () => ((await zxidOfPeer(m3.client)) ?? 0n) > start + 50n,
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
      await zkt.waitEvent("zkt to serve under load", (e) => e.event === "serving");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");
      const r = await load[0].output();
      assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      await assertSameTree(leader, m3.client, zkt);
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
