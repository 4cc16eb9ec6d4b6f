// A zkt leader killed with one Java follower, restarted on its data dir,
// leads the surviving Java follower into the next epoch (zab-3.8.md §5 steps
// 4–10, §14 scenarios 10/11/19): its acceptedEpoch/currentEpoch files and the
// follower's agree on epoch 2, and the Java follower killed with it rejoins
// by DIFF from history zkt read back from its txn log (3.8 fills committedLog
// at log replay), across the epoch boundary, to the same tree.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { waitFor } from "../support/wait.ts";
import {
  assertNoDigestMismatches,
  follows,
  readVia,
  startZktLeaderOfJava,
  waitLeadsFollowers,
  written,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { startJavaMember } from "../support/zab_learner_check.ts";
import { planEnsemble, zxidOfPeer } from "./election_ensemble.ts";

async function epochFile(dir: string, name: string): Promise<string> {
  return (await Deno.readTextFile(`${dir}/data/version-2/${name}`)).trim();
}

zabInteropTest(
  "zab leader: a zkt leader restarted on its data dir leads the next epoch, and a Java follower rejoins by DIFF from history read back from zkt's txn log",
  4000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2] = plan.members;
    let { zkt, j1, j2 } = await startZktLeaderOfJava(plan, procs);
    await waitLeadsFollowers(zkt, [m1, m2], 1);
    const id = await zkt.write("/a", 100);
    const c = await zkt.waitEvent("the writes", (e) => e.event === "committed" && e.id === id);
    const last = BigInt(c.zxid as string);
    for (const m of [m1, m2]) {
      await waitFor(
        `sid ${m.sid} at ${c.zxid}`,
        async () => (await zxidOfPeer(m.client)) === last,
      );
    }

    // zkt and sid 2 die; sid 1 alone cannot elect. zkt comes back and leads epoch 2.
    await zkt.stop("SIGKILL");
    await j2.stop("SIGKILL");
    zkt = procs.add(await zkt.restart());
    await zkt.waitEvent("epoch 2", (e) => e.event === "established" && e.epoch === 2, 0, 90_000);
    const s1 = await zkt.waitEvent("sid 1's sync", (e) => e.event === "sync" && e.sid === 1);
    assertEquals(s1.mode, "diff");
    assertEquals(s1.zxid, c.zxid, "sid 1 holds everything zkt logged: an empty DIFF");
    await follows(m1);
    const id2 = await zkt.write("/f", 50);
    await zkt.waitEvent("epoch 2's writes", (e) => e.event === "committed" && e.id === id2);

    // Sid 2 missed the new epoch: DIFF from zkt's logged epoch-1 history plus epoch 2.
    j2 = procs.add(await startJavaMember(m2, plan.serverLines, {}, j2.dir));
    const s2 = await zkt.waitEvent("sid 2's sync", (e) => e.event === "sync" && e.sid === 2);
    assertEquals(s2.mode, "diff");
    await follows(m2);
    await waitFor(
      "the DIFF in sid 2's log",
      () => j2.log().includes("Getting a diff from the leader"),
    );
    for (const m of [m1, m2]) {
      assertEquals(await readVia(m.client, ["/a", "/f"]), {
        "/a": written(100),
        "/f": written(50),
      });
      await assertNoDigestMismatches([m.client]);
    }
    for (const d of [zkt.dir, j1.dir, j2.dir]) {
      assertEquals(await epochFile(d, "acceptedEpoch"), "2", `${d} acceptedEpoch`);
      assertEquals(await epochFile(d, "currentEpoch"), "2", `${d} currentEpoch`);
    }
  },
);
