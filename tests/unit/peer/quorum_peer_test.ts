// QuorumPeer in one process: what it shows operators (QuorumView, election
// time) and the stand-ins that make it look again until Zab exists: a leader
// without a quorum of election links, a learner whose leader is gone or
// answers that it is not leading.
import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/load.ts";
import { decodeNotification, encodeNotification } from "../../../src/election/notification.ts";
import { encodeInitialMessage } from "../../../src/election/handshake.ts";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { QuorumPeer, type QuorumPeerDeps } from "../../../src/peer/quorum_peer.ts";
import { freePorts } from "../../support/ports.ts";
import { waitFor } from "../../support/wait.ts";

interface Plan {
  lines: string[];
  election: number[];
}

function plan(n: number): Plan {
  const ports = freePorts(n * 2);
  const election = ports.slice(n);
  const lines = Array.from(
    { length: n },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[i]}:${election[i]}`,
  );
  return { lines, election };
}

async function peer(
  sid: number,
  p: Plan,
  lastZxid = 0n,
  deps: Partial<QuorumPeerDeps> = {},
): Promise<QuorumPeer> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-peer-test-" });
  await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, `${sid}\n`);
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    [
      "tickTime=50",
      "initLimit=5",
      "syncLimit=3",
      `dataDir=${dir}/data`,
      "clientPort=2181",
      "cnxTimeout=500",
      ...p.lines,
    ].join("\n") + "\n",
  );
  const q = new QuorumPeer(await loadConfig(`${dir}/zoo.cfg`), {
    lastZxid: () => Promise.resolve(lastZxid),
    ...deps,
  });
  await q.start();
  return q;
}

Deno.test({
  name:
    "quorum peer: QuorumView shows the vote, the leader, up links with traffic and the election time",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const p = plan(3);
    const peers: QuorumPeer[] = [];
    try {
      // The greatest sid starts first: 1 and 2 alone would elect 2 before 3 is up.
      for (const sid of [3, 1, 2]) peers[sid - 1] = await peer(sid, p);
      await waitFor("a leader", () => peers.every((q) => q.state !== "looking"), 20_000, 20);
      const v = peers[0].quorumView();
      assert.equal(v.myid, 1n);
      assert.equal(v.currentVote.leader, 3n);
      assert.equal(v.currentVote.state, "following");
      assert.equal(v.leaderId, 3n);
      assert.equal(v.isLeader, false);
      assert.equal(v.zabState, "discovery");
      assert.equal(v.voting, true);
      assert.equal(v.leaderAddress, p.lines[2].split("=")[1].split(":").slice(0, 2).join(":"));
      assert.deepEqual(v.votingView.map((s) => s.sid), [1n, 2n, 3n]);
      assert.deepEqual(v.electionLinks.map((l) => l.sid), [2n, 3n]);
      await waitFor("links up", () => peers[0].quorumView().electionLinks.every((l) => l.up));
      for (const l of peers[0].quorumView().electionLinks) {
        assert.equal(l.address, `127.0.0.1:${p.election[Number(l.sid) - 1]}`);
        // The larger sid keeps the connection it opens: 2 and 3 initiated.
        assert.equal(l.initiator, "peer");
        assert.notEqual(l.lastSent, null);
        assert.notEqual(l.lastReceived, null);
      }
      assert.equal(peers[2].quorumView().isLeader, true);
      assert.ok(v.lastElectionTimeMs !== undefined && v.lastElectionTimeMs >= 0);
      assert.equal(peers[0].electionTime.n, 1);
    } finally {
      for (const q of peers) await q?.stop();
    }
  },
});

Deno.test({
  name: "quorum peer (no Zab yet): a leader that loses its quorum of election links looks again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const p = plan(3);
    const peers: QuorumPeer[] = [];
    try {
      // The greatest sid starts first: 1 and 2 alone would elect 2 before 3 is up.
      for (const sid of [3, 1, 2]) peers[sid - 1] = await peer(sid, p);
      await waitFor("a leader", () => peers.every((q) => q.state !== "looking"), 20_000, 20);
      assert.equal(peers[2].state, "leading");
      await peers[0].stop();
      // One follower gone: 2 of 3 is still a quorum.
      await new Promise((r) => setTimeout(r, 400)); // > syncLimit ticks: a state that must hold
      assert.equal(peers[2].state, "leading");
      await peers[1].stop();
      await waitFor("the leader to look again", () => peers[2].state === "looking", 10_000, 20);
    } finally {
      for (const q of peers) await q?.stop();
    }
  },
});

// The wall clock only stamps what operators see: set back an hour just after
// the peer decided to follow, it must not hide the leader's answers from the check.
const WALL_CLOCKS: { name: string; wall?: (following: () => boolean) => () => number }[] = [
  { name: "" },
  {
    name: ", even with the wall clock set back after the election",
    // Right after the decision (the first reading while following) it is set back.
    wall: (following) => {
      let reads = 0;
      return () => Date.now() - (following() && ++reads > 1 ? 3_600_000 : 0);
    },
  },
];

for (const wc of WALL_CLOCKS) {
  Deno.test({
    name: `quorum peer (no Zab yet): a follower whose leader answers LOOKING looks again${wc.name}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      setLogSink(() => {});
      const p = plan(2);
      // sid 2 is a fake peer on the election port: it votes for itself, then,
      // once sid 1 follows it, answers every ask with LOOKING (it never leads).
      const l = Deno.listen({ hostname: "127.0.0.1", port: p.election[1] });
      let q: QuorumPeer | undefined;
      let asks = 0;
      const runFake = async () => {
        const raw = await Deno.connect({ hostname: "127.0.0.1", port: p.election[0] });
        const c = new FramedConn(raw, { maxFrame: 512 * 1024 });
        c.sendRaw(encodeInitialMessage(2n, [{ host: "127.0.0.1", port: p.election[1] }]));
        const vote = (state: number, epoch: bigint) =>
          encodeNotification({
            state,
            leader: 2n,
            zxid: 0n,
            electionEpoch: epoch,
            peerEpoch: 0n,
            config: "",
          });
        c.send(vote(0, 1n));
        for (;;) {
          const f = await c.readFrame().catch(() => null);
          if (f === null) return;
          const n = decodeNotification(f);
          if (n.state === 0 && q?.state === "following") {
            asks++;
            c.send(vote(0, 2n)); // LOOKING in a later round: not leading
          } else if (n.state === 0) c.send(vote(0, n.electionEpoch));
        }
      };
      let fake: Promise<void> | undefined;
      try {
        q = await peer(
          1,
          p,
          0n,
          wc.wall ? { wallClock: wc.wall(() => q?.state === "following") } : {},
        );
        fake = runFake();
        await waitFor("sid 1 to follow 2", () => q!.state === "following", 10_000, 10);
        assert.equal(q.currentVote.leader, 2n);
        await waitFor("sid 1 to look again", () => q!.state === "looking", 10_000, 10);
        assert.ok(asks >= 1, "sid 1 asked its leader for its state");
      } finally {
        await q?.stop();
        l.close();
        await fake?.catch(() => {});
      }
    },
  });
}
