// An ensemble peer that has won or lost an election but serves no client (no
// Zab yet) must not tell health checks it is a leader or a follower: srvr,
// stat and mntr answer as ZooKeeper 3.8 does while its ZooKeeperServer is not
// running (checked against a 3.8 peer that cannot form a quorum: "This
// ZooKeeper instance is not currently serving requests" for srvr, stat, mntr,
// conf; "imok" for ruok; "null" for isro; the AdminServer's server_stats,
// stats and ruok answer that error). The election's result stays visible in
// zkt's own admin commands (election, zabstate).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type AdminSources, NOT_SERVING, runCommand } from "../../../src/server/admin/commands.ts";
import type { QuorumView } from "../../../src/server/admin/quorum_view.ts";
import { ZK_NOT_SERVING } from "../../../src/server/four_letter.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { startInProc } from "../../support/zkt_inproc.ts";

/** A leader's quorum side, as QuorumPeer.quorumView reports it before Zab. */
function leaderView(): QuorumView {
  const vote = {
    leader: 1n,
    zxid: 0n,
    electionEpoch: 1n,
    peerEpoch: 0n,
    state: "leading" as const,
  };
  return {
    myid: 1n,
    currentVote: vote,
    leaderId: 1n,
    leaderAddress: "127.0.0.1:2888",
    isLeader: true,
    zabState: "discovery",
    voting: true,
    quorumAddress: "127.0.0.1:2888",
    electionAddress: "127.0.0.1:3888",
    clientAddress: "127.0.0.1:2181",
    votingView: [],
    electionLinks: [],
    learnerLinks: [],
    lastElectionTimeMs: 12,
  };
}

Deno.test("an elected peer that serves no client answers srvr, stat and mntr as 3.8 does when not serving", async () => {
  const s = await startInProc([], { mode: () => "leader", clientRequests: () => false });
  try {
    for (const w of ["srvr", "stat", "mntr", "conf", "cons", "wchs", "dirs"]) {
      assertEquals(await fourLetter(s.port, w), ZK_NOT_SERVING + "\n", w);
    }
    assertEquals(await fourLetter(s.port, "ruok"), "imok");
    assertEquals(await fourLetter(s.port, "isro"), "null");
  } finally {
    await s.stop();
  }
});

Deno.test("the AdminServer of a peer that serves no client refuses srvr, stat, monitor and ruok; election still shows the role", async () => {
  const s = await startInProc([], { mode: () => "follower", clientRequests: () => false });
  try {
    const src: AdminSources = {
      view: () => s.server.fourLetterView(),
      quorum: () => ({
        ...leaderView(),
        isLeader: false,
        currentVote: { ...leaderView().currentVote, leader: 2n, state: "following" },
        leaderId: 2n,
      }),
    };
    for (const name of ["server_stats", "stats", "monitor", "ruok", "connections"]) {
      const { response } = await runCommand(name, src);
      // 3.8's whole reply: {"command": name, "error": "... not currently serving requests"}.
      assertEquals([...response.toMap()], [["command", name], ["error", NOT_SERVING]], name);
    }
    const e = (await runCommand("election", src)).response;
    assertEquals(e.error, null);
    assertEquals(e.data.get("server_state"), "follower");
    assertEquals(e.data.get("leader_id"), 2n);
    const z = (await runCommand("zabstate", src)).response;
    assertEquals([z.data.get("is_leader"), z.data.get("zabstate")], [false, "discovery"]);
  } finally {
    await s.stop();
  }
});
