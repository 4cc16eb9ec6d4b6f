// Three `zkt serve` processes as an ensemble (no Apache ZooKeeper): they elect
// the greatest sid, report it on srvr, and after kill -9 of the leader the two
// left elect the greater of them. Election only: Zab is a later issue.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { modeOfPeer, planEnsemble } from "./election_ensemble.ts";
import { adminCommand, startZktMember, type ZktMember } from "./serve_ensemble.ts";

Deno.test({
  name: "serve ensemble: 3 zkt processes elect sid 3; after kill -9 of it, 2 leads and 1 follows",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: ZktMember[] = [];
    try {
      for (const m of members) zkts.push(await startZktMember(m, serverLines));
      let modes = "";
      await waitFor(
        "srvr: follower, follower, leader",
        async () => {
          modes = (await Promise.all(members.map((m) => modeOfPeer(m.client)))).join();
          return modes === "follower,follower,leader";
        },
        30_000,
        50,
      ).catch((e) => {
        throw new Error(`${e.message}; last: ${modes}`);
      });
      const e = await adminCommand(zkts[2].adminPort, "election");
      assert.equal(e.leader_id, 3);
      assert.equal(e.zabstate, "discovery");
      const lead = await adminCommand(zkts[2].adminPort, "leader");
      assert.equal(lead.is_leader, true);
      assert.equal(lead.leader_id, 3);
      assert.equal(lead.leader_ip, serverLines[2].split("=")[1].split(":").slice(0, 2).join(":"));

      await zkts[2].stop("SIGKILL");
      await waitFor(
        "srvr: 1 follower, 2 leader",
        async () => {
          modes = (await Promise.all(members.slice(0, 2).map((m) => modeOfPeer(m.client)))).join();
          return modes === "follower,leader";
        },
        30_000,
        50,
      ).catch((e) => {
        throw new Error(`${e.message}; last: ${modes}`);
      });
      assert.match(zkts[0].log(), /connection to leader 3 closed; looking again/);
      assert.match(zkts[1].log(), /LEADING - LEADER ELECTION TOOK - \d+ MS/);
    } catch (e) {
      let msg = (e as Error).stack ?? String(e);
      for (const z of zkts) msg += `\n--- zkt ${z.sid} ---\n${z.log().slice(-2000)}`;
      throw new Error(msg);
    } finally {
      for (const z of zkts) await z.stop("SIGKILL").catch(() => {});
    }
  },
});
