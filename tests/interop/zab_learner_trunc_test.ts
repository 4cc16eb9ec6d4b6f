// TRUNC, zkt receiving (zab-3.8.md §14 scenario 8, with a Java leader): zkt
// logs a PROPOSAL its leader never commits (its ACK is lost on the way, the
// other follower never gets the PROPOSAL, and the leader dies before its own
// log has it: a Java leader sends before it logs). The two Java peers elect a
// leader of a new epoch without that txn; zkt rejoins with it as its last
// logged zxid, gets TRUNC to the last committed zxid, truncates its log to
// exactly that zxid and holds the new leader's tree, the lost txn nowhere.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { waitFor } from "../support/wait.ts";
import { startZktLearner } from "../support/zab_learner_peer.ts";
import { startMutingProxy } from "../support/zab_learner_proxy.ts";
import {
  assertSameTree,
  asyncWriter,
  chopLogsAfter,
  loggedCreate,
  mntrOf,
  startJavaMember,
  writeVia,
} from "../support/zab_learner_check.ts";
import {
  assertNoDigestMismatches,
  follows,
  waitForMode,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { planEnsemble } from "./election_ensemble.ts";

zabInteropTest(
  "zab learner: zkt with a logged, never committed txn gets TRUNC from a new Java leader and drops exactly that txn",
  3000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const via = (port: number) =>
      plan.serverLines.map((l) =>
        l.startsWith("server.3=") ? `server.3=127.0.0.1:${port}:${m3.election}` : l
      );
    // zkt's and sid 2's links to leader 3's quorum port go through proxies.
    const zktProxy = startMutingProxy(m3.quorum);
    const javaProxy = startMutingProxy(m3.quorum);
    procs.atEnd(() => zktProxy.close());
    procs.atEnd(() => javaProxy.close());
    let leader = procs.add(await startJavaMember(m3, plan.serverLines));
    procs.add(await startJavaMember(m2, via(javaProxy.port)));
    await waitForMode("sid 3 to lead", m3.client, "leader");
    await follows(m2);
    // zkt last: sids 1 and 2 alone could elect 2 before 3 is up.
    let zkt = procs.add(
      await startZktLearner({ sid: 1, clientPort: m1.client, serverLines: via(zktProxy.port) }),
    );
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    // Committed history, so the next leader's committed log is not empty.
    await writeVia(m3.client, "/kept", 20);
    await waitFor(
      "both followers synced",
      async () => (await mntrOf(m3.client)).get("zk_synced_followers") === "2",
    );

    // The PROPOSAL reaches zkt only, and zkt's ACK never reaches the leader.
    const lostWriter = await asyncWriter(m3.client, "/lost");
    procs.child(lostWriter.child);
    javaProxy.muteDown = true;
    zktProxy.muteUp = true;
    await lostWriter.send();
    const lost = await waitFor(
      "zkt to log /lost",
      () => loggedCreate(`${zkt.dir}/data`, "/lost"),
      60_000,
      100,
    );
    await waitFor("the leader to log /lost", () => loggedCreate(`${leader.dir}/data`, "/lost"));
    await zkt.stop("SIGKILL");
    await leader.stop("SIGKILL");
    // A Java leader proposes before its own log has the txn: it may die without it.
    assertEquals(await chopLogsAfter(`${leader.dir}/data`, lost - 1n), 1);
    javaProxy.muteDown = false;
    zktProxy.muteUp = false;

    leader = procs.add(await startJavaMember(m3, plan.serverLines, {}, leader.dir));
    await waitForMode("sid 3 to lead a new epoch", m3.client, "leader");
    await waitForMode("sid 2 to follow it", m2.client, "follower");
    zkt = procs.add(
      await startZktLearner({
        sid: 1,
        clientPort: m1.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      }),
    );
    // It restarts with the lost txn as its last logged zxid (ACKEPOCH's).
    const started = await zkt.waitEvent("zkt to start", (e) => e.event === "started");
    assertEquals(started.lastLogged, `0x${lost.toString(16)}`);
    await zkt.waitEvent("zkt to serve", (e) => e.event === "serving");
    const sync = zkt.events.find((e) => e.event === "sync");
    assertEquals([sync?.mode, sync?.zxid], ["TRUNC", `0x${(lost - 1n).toString(16)}`]);
    assertEquals(await loggedCreate(`${zkt.dir}/data`, "/lost"), undefined);
    await writeVia(m3.client, "/after", 10);
    await assertSameTree(leader, m3.client, zkt);
    await assertNoDigestMismatches([m2.client, m3.client]);
  },
);
