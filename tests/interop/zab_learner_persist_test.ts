// Persist before the NEWLEADER ACK (zab-3.8.md §14 scenario 7; ZOOKEEPER-3911,
// 4646, 4643, 4785): a zkt follower that missed writes rejoins a Java leader
// by DIFF and is killed (SIGKILL) the moment its NEWLEADER ACK is queued. The
// leader may count that ACK, so everything the DIFF carried must already be
// in zkt's log and currentEpoch on disk; restarted, zkt reports it in
// ACKEPOCH and ends with the leader's tree.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import {
  assertSameTree,
  restoreDir,
  startJavaMember,
  writeVia,
} from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble, zxidOfPeer } from "./election_ensemble.ts";

Deno.test({
  name:
    "zab learner: a zkt follower killed as its NEWLEADER ACK is queued has the DIFF's txns and currentEpoch on disk",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    let ok = false;
    try {
      const leader = await startJavaMember(m3, plan.serverLines);
      procs.push(leader);
      procs.push(await startJavaMember(m2, plan.serverLines));
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
      let zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      await writeVia(m3.client, "/first", 10);
      await zkt.stop("SIGKILL");
      await writeVia(m3.client, "/missed", 100);
      const target = await waitFor("the leader's zxid", () => zxidOfPeer(m3.client));

      zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
        env: { ZAB_TEST_KILL_AT_NEWLEADER_ACK: "1" },
      });
      procs.push(zkt);
      await zkt.waitEvent("the NEWLEADER ACK", (e) => e.event === "acked");
      const status = await zkt.child.status;
      assertEquals(status.signal, "SIGKILL");
      assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");
      // What the ACK promised is on disk.
      assertEquals((await restoreDir(`${zkt.dir}/data`)).lastProcessedZxid, target);
      const epoch = (await Deno.readTextFile(`${zkt.dir}/data/version-2/currentEpoch`)).trim();
      assertEquals(epoch, `${target >> 32n}`);

      zkt = await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      });
      procs.push(zkt);
      const started = await zkt.waitEvent("zkt to start", (e) => e.event === "started");
      assertEquals(started.lastLogged, `0x${target.toString(16)}`);
      await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
      await writeVia(m3.client, "/after", 10);
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
