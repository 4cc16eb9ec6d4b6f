// Three `zkt serve` processes as an ensemble (no Apache ZooKeeper): they elect
// one leader, report it on the AdminServer, lead and follow over Zab and
// serve clients (srvr Mode: leader / follower; a write through a follower is
// read through every peer); after kill -9 of the leader the two left elect
// the greater of them, which serves the data written before.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { planEnsemble } from "./election_ensemble.ts";
import { ZkClient } from "../support/zk_client.ts";
import {
  adminCommand,
  roleOf,
  servesAs,
  startZktMember,
  type ZktMember,
} from "./serve_ensemble.ts";

/** Polls until `path` exists through the peer on `port`. */
async function seen(port: number, path: string): Promise<void> {
  await waitFor(
    `${path} via ${port}`,
    async () => {
      const c = await ZkClient.connect(port).catch(() => null);
      if (!c) return false;
      try {
        return (await c.exists(path)).err === 0;
      } finally {
        await c.close().catch(() => {});
      }
    },
    60_000,
    200,
  );
}

Deno.test({
  name:
    "serve ensemble: 3 zkt processes agree on one leader (AdminServer), lead and follow over Zab (srvr Mode; a write through a follower read through every peer); after kill -9 of it the greater sid left leads and serves that write",
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
        await servesAs(m.client, i === li ? "leader" : "follower");
      }
      for (const z of zkts) {
        const e = await adminCommand(z.adminPort, "election");
        assert.equal(e.leader_id, li + 1, `zkt ${z.sid}`);
      }
      const lead = await adminCommand(zkts[li].adminPort, "leader");
      assert.equal(lead.is_leader, true);
      assert.equal(lead.leader_id, li + 1);
      const zab = await adminCommand(zkts[li].adminPort, "zabstate");
      assert.equal(zab.is_leader, true);
      assert.equal(zab.myid, li + 1);
      assert.equal(zab.zabstate, "broadcast");
      // A write through a follower is proposed by the leader and committed everywhere.
      const fi = (li + 1) % 3;
      const c = await ZkClient.connect(members[fi].client);
      assert.equal((await c.create("/via-follower", "x")).err, 0);
      await c.close();
      for (const m of members) await seen(m.client, "/via-follower");

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
      assert.match(zkts[rest[1]].log(), /LEADING - LEADER ELECTION TOOK - \d+ MS/);
      await servesAs(members[rest[1]].client, "leader");
      await servesAs(members[rest[0]].client, "follower");
      for (const i of rest) await seen(members[i].client, "/via-follower");
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
