// Persist before the NEWLEADER ACK (zab-3.8.md §14 scenario 7; ZOOKEEPER-3911,
// 4646, 4643, 4785): a zkt follower that missed writes rejoins a Java leader
// by DIFF and is killed (SIGKILL) the moment its NEWLEADER ACK is queued. The
// leader may count that ACK, so everything the DIFF carried must already be
// in zkt's log and currentEpoch on disk; restarted, zkt reports it in
// ACKEPOCH and ends with the leader's tree.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import {
  assertSameTree,
  restoreDir,
  startJavaMember,
  writeVia,
} from "../support/zab_learner_check.ts";
import { follows, waitForMode, zabInteropTest } from "../support/zab_interop.ts";
import { planEnsemble, zxidOfPeer } from "./election_ensemble.ts";

zabInteropTest(
  "zab learner: a zkt follower killed as its NEWLEADER ACK is queued has the DIFF's txns and currentEpoch on disk",
  3000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const leader = procs.add(await startJavaMember(m3, plan.serverLines));
    procs.add(await startJavaMember(m2, plan.serverLines));
    await waitForMode("sid 3 to lead", m3.client, "leader");
    await follows(m2);
    let zkt = procs.add(
      await startZktLearner({ sid: 1, clientPort: m1.client, serverLines: plan.serverLines }),
    );
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    await writeVia(m3.client, "/first", 10);
    await zkt.stop("SIGKILL");
    await writeVia(m3.client, "/missed", 100);
    const target = await waitFor("the leader's zxid", () => zxidOfPeer(m3.client));

    zkt = procs.add(await zkt.restart({ ZAB_TEST_KILL_AT_NEWLEADER_ACK: "1" }));
    await zkt.waitEvent("the NEWLEADER ACK", (e) => e.event === "acked");
    const status = await zkt.child.status;
    assertEquals(status.signal, "SIGKILL");
    assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");
    // What the ACK promised is on disk.
    assertEquals((await restoreDir(`${zkt.dir}/data`)).lastProcessedZxid, target);
    const epoch = (await Deno.readTextFile(`${zkt.dir}/data/version-2/currentEpoch`)).trim();
    assertEquals(epoch, `${target >> 32n}`);

    // Restarted without the kill hook.
    zkt = procs.add(await zkt.restart());
    const started = await zkt.waitEvent("zkt to start", (e) => e.event === "started");
    assertEquals(started.lastLogged, `0x${target.toString(16)}`);
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    await writeVia(m3.client, "/after", 10);
    await assertSameTree(leader, m3.client, zkt);
  },
);
