// Three `zkt serve` processes as an ensemble (no Apache ZooKeeper): they elect
// the greatest sid, report it on the AdminServer and, once Zab has synced them,
// on srvr (Mode: leader / follower), and after kill -9 of the leader the two
// left elect the greater of them: the follower's role ends on Zab's rule (its
// leader's socket closed), not on an election link.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { modeOfPeer, planEnsemble } from "./election_ensemble.ts";
import { adminCommand, roleOf, startZktMember, type ZktMember } from "./serve_ensemble.ts";

Deno.test({
  name:
    "serve ensemble: 3 zkt processes agree on one leader (AdminServer; srvr once serving); after kill -9 of it the greater sid left leads",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: ZktMember[] = [];
    try {
      // Started one after another: whoever forms the first quorum wins it (the
      // greatest sid when all three are up in time, else the greater of the first two).
      for (const m of members) zkts.push(await startZktMember(m, serverLines));
      let modes = "";
      await waitFor(
        "one leader, two followers on the AdminServer",
        async () => {
          modes = (await Promise.all(zkts.map(roleOf))).join();
          return modes.split(",").sort().join() === "follower,follower,leader";
        },
        30_000,
        50,
      ).catch((e) => {
        throw new Error(`${e.message}; last: ${modes}`);
      });
      const li = modes.split(",").indexOf("leader");
      for (const [i, m] of members.entries()) {
        const want = i === li ? "leader" : "follower";
        await waitFor(
          `srvr of ${m.sid}: Mode: ${want}`,
          async () => (await modeOfPeer(m.client)) === want,
          30_000,
        );
      }
      for (const z of zkts) {
        const e = await adminCommand(z.adminPort, "election");
        assert.equal(e.leader_id, li + 1, `zkt ${z.sid}`);
        assert.equal(e.zabstate, "discovery");
      }
      // `leader` is server-bound in 3.8: answered once the peer serves.
      assert.equal((await adminCommand(zkts[li].adminPort, "leader")).is_leader, true);
      const zab = await adminCommand(zkts[li].adminPort, "zabstate");
      assert.equal(zab.is_leader, true);
      assert.equal(zab.myid, li + 1);

      // kill -9 the leader: the two left have equal votes, so the greater sid leads.
      await zkts[li].stop("SIGKILL");
      const rest = [0, 1, 2].filter((i) => i !== li);
      await waitFor(
        "AdminServer: the lower sid follows, the greater leads",
        async () => {
          modes = (await Promise.all(rest.map((i) => roleOf(zkts[i])))).join();
          return modes === "follower,leader";
        },
        30_000,
        50,
      ).catch((e) => {
        throw new Error(`${e.message}; last: ${modes}`);
      });
      assert.match(
        zkts[rest[0]].log(),
        new RegExp(`leader ${li + 1} at [^:]+:\\d+: the leader closed the connection`),
      );
      assert.match(zkts[rest[1]].log(), /LEADING - LEADER ELECTION TOOK - \d+ MS/);
    } catch (e) {
      let msg = (e as Error).stack ?? String(e);
      for (const z of zkts) {
        msg += `\n--- zkt ${z.sid} ---\n${
          z.log().split("\n").filter((l) => !l.includes("Processing")).slice(-30).join("\n")
        }`;
      }
      throw new Error(msg);
    } finally {
      for (const z of zkts) await z.stop("SIGKILL").catch(() => {});
    }
  },
});
