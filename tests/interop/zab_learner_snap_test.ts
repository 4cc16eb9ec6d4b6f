// A zkt follower synced by SNAP from an Apache ZooKeeper 3.8 leader started
// with -Dzookeeper.forceSnapshotSync=true (zab-3.8.md §14 scenarios 6 and 22):
// the leader writes its snapshot while commits go on (fuzzy) and then forwards
// txns the image may already hold, so zkt must load the raw SNAP stream, check
// BenWasHere and re-apply overlapping txns idempotently. A zkt killed as the
// SNAP starts (ZOOKEEPER-3642: a half image must not count) and restarted
// under write load resyncs cleanly, and its data dir equals the leader's.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, mntrOf, startJavaMember, writeVia } from "../support/zab_learner_check.ts";
import {
  assertNoDigestMismatches,
  follows,
  waitForMode,
  writeLoadUnderway,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { planEnsemble, startZkMember } from "./election_ensemble.ts";

zabInteropTest(
  "zab learner: fuzzy SNAP from a Java leader (forceSnapshotSync) under write load, and a zkt killed at the SNAP resyncs; data dir equals the leader's",
  3000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const leader = procs.add(
      await startJavaMember(m3, plan.serverLines, { "zookeeper.forceSnapshotSync": "true" }),
    );
    procs.add(await startZkMember(m2, plan.serverLines));
    await waitForMode("sid 3 to lead", m3.client, "leader");
    await follows(m2);
    // A tree big enough that its SNAP takes a while to stream.
    await writeVia(m3.client, "/big", 3000, 1000);
    const snaps0 = Number((await mntrOf(m3.client)).get("zk_snap_count"));

    let zkt = procs.add(
      await startZktLearner({ sid: 1, clientPort: m1.client, serverLines: plan.serverLines }),
    );
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "SNAP");
    await assertSameTree(leader, m3.client, zkt);

    // Under write load: kill zkt the moment its next SNAP starts, restart it.
    const load = await writeLoadUnderway(
      procs,
      m3.client,
      { prefix: "/load", count: 1500, dataBytes: 200 },
      100n,
    );
    await zkt.stop("SIGKILL");
    zkt = procs.add(await zkt.restart());
    await zkt.waitEvent("a SNAP to start", (e) => e.event === "sync");
    await zkt.stop("SIGKILL");
    zkt = procs.add(await zkt.restart());
    await zkt.waitEvent("zkt to serve after the killed SNAP", (e) => e.event === "serving");
    assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "SNAP");
    const r = await load.output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    await assertSameTree(leader, m3.client, zkt);

    const mntr = await mntrOf(m3.client);
    assertEquals(mntr.get("zk_synced_followers"), "2");
    // The first join, the killed one and the last: every one a SNAP.
    assertEquals(Number(mntr.get("zk_snap_count")) >= snaps0 + 3, true, "snap_count");
    await assertNoDigestMismatches([m2.client, m3.client]);
  },
);
