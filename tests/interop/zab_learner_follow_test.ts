// A zkt peer follows an Apache ZooKeeper 3.8 leader at the Zab level
// (zab-3.8.md §14 scenarios 3 and 7's DIFF half): with the other Java
// follower not running, every commit needs zkt's ACK, so kazoo's writes
// succeed only if zkt logs, fsyncs and acknowledges in order and answers the
// leader's PINGs; afterwards zkt's data dir holds exactly the leader's tree.
// Restarted after missing < 500 txns, it is brought back by a DIFF, also
// under write load (scenario 21).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, mntrOf, writeVia } from "../support/zab_learner_check.ts";
import {
  assertNoDigestMismatches,
  follows,
  waitForMode,
  writeLoadUnderway,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { planEnsemble, startZkMember } from "./election_ensemble.ts";

zabInteropTest(
  "zab learner: a zkt follower's ACKs make a Java leader's quorum (200 writes), its data dir equals the leader's, and after restarts (idle and under write load) it catches up by DIFF",
  3000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    // Sid 3 has the greatest sid: with equal (empty) histories it leads.
    // Sid 2 is not started, so zkt (sid 1) is the leader's only quorum partner.
    const leader = procs.add(await startZkMember(m3, plan.serverLines));
    let zkt = procs.add(
      await startZktLearner({ sid: 1, clientPort: m1.client, serverLines: plan.serverLines }),
    );
    await waitForMode("sid 3 to lead", m3.client, "leader");
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");

    await writeVia(m3.client, "/a", 200);
    const mntr = await mntrOf(m3.client);
    assertEquals(mntr.get("zk_synced_followers"), "1");
    assertEquals(mntr.get("zk_digest_mismatches_count"), "0");
    await assertSameTree(leader, m3.client, zkt);

    // Sid 2 joins, so the leader keeps its quorum while zkt is down.
    procs.add(await startZkMember(m2, plan.serverLines));
    await follows(m2);
    await zkt.stop("SIGKILL");
    await writeVia(m3.client, "/b", 100);
    const diffsBefore = Number((await mntrOf(m3.client)).get("zk_diff_count") ?? "NaN");
    zkt = procs.add(await zkt.restart());
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
    const load = await writeLoadUnderway(procs, m3.client, { prefix: "/load", count: 400 }, 50n);
    await zkt.stop("SIGKILL");
    zkt = procs.add(await zkt.restart());
    await zkt.waitEvent("zkt to serve under load", (e) => e.event === "serving");
    assertEquals(zkt.events.find((e) => e.event === "sync")?.mode, "DIFF");
    const r = await load.output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    await assertSameTree(leader, m3.client, zkt);
    await assertNoDigestMismatches([m2.client, m3.client]);
  },
);
