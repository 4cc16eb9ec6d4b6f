// A zkt observer under an Apache ZooKeeper 3.8 leader (zab-3.8.md §14
// scenario 18, zkt observing): OBSERVERINFO, a sync, then INFORM for every
// commit (no ACKs: observers never count toward a quorum), logged and applied
// so its data dir equals the leader's; restarted after missed writes it syncs
// again and catches up.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { assertSameTree, startJavaMember, writeVia } from "../support/zab_learner_check.ts";
import {
  assertNoDigestMismatches,
  follows,
  waitForMode,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { planEnsemble } from "./election_ensemble.ts";

zabInteropTest(
  "zab learner: a zkt observer of a Java leader applies every INFORM, its data dir equals the leader's, and it catches up after a restart",
  3000,
  async (procs) => {
    const plan = planEnsemble([2, 3, 4]);
    const [m2, m3, m4] = plan.members;
    const lines = plan.serverLines.map((l) => l.startsWith("server.4=") ? `${l}:observer` : l);
    const leader = procs.add(await startJavaMember(m3, lines));
    procs.add(await startJavaMember(m2, lines));
    await waitForMode("sid 3 to lead", m3.client, "leader");
    await follows(m2);
    await writeVia(m3.client, "/before", 30);
    let zkt = procs.add(
      await startZktLearner({
        sid: 4,
        clientPort: m4.client,
        serverLines: lines,
        cfg: ["peerType=observer"],
      }),
    );
    const role = await zkt.waitEvent("zkt to observe", (e) => e.event === "role");
    assertEquals([role.state, role.leader], ["observing", 3]);
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    await writeVia(m3.client, "/during", 100);
    await assertSameTree(leader, m3.client, zkt);

    await zkt.stop("SIGKILL");
    await writeVia(m3.client, "/missed", 50);
    zkt = procs.add(await zkt.restart());
    await zkt.waitEvent("zkt to serve again", (e) => e.event === "serving");
    await writeVia(m3.client, "/after", 20);
    await assertSameTree(leader, m3.client, zkt);
    await assertNoDigestMismatches([m2.client, m3.client]);
  },
);
