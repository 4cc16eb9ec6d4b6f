// zkt peers elect beside Apache ZooKeeper 3.8 peers over the real election
// protocol. Zab is a later issue, so these cases keep a ZooKeeper leader with a
// ZooKeeper follower (its quorum stays whole) and check that the zkt peer
// agrees on the leader and epoch; plus an all-zkt ensemble.
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { type ProbeAnswer, probeElection } from "../../src/election/probe.ts";
import { setLogSink } from "../../src/log/logger.ts";
import { QuorumPeer } from "../../src/peer/quorum_peer.ts";
import type { ApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { type Member, modeOfPeer, planEnsemble, startZkMember } from "./election_ensemble.ts";

async function startZktPeer(
  m: Member,
  serverLines: string[],
  lastZxid = 0n,
): Promise<QuorumPeer> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-election-peer-" });
  await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
  if (lastZxid > 0n) {
    const epoch = String(lastZxid >> 32n);
    await Deno.writeTextFile(`${dir}/data/version-2/currentEpoch`, epoch);
    await Deno.writeTextFile(`${dir}/data/version-2/acceptedEpoch`, epoch);
  }
  await Deno.writeTextFile(`${dir}/data/myid`, `${m.sid}\n`);
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    [
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      `dataDir=${dir}/data`,
      `clientPort=${m.client}`,
      "cnxTimeout=2000",
      ...serverLines,
    ].join("\n") + "\n",
  );
  const cfg = await loadConfig(`${dir}/zoo.cfg`);
  const peer = new QuorumPeer(cfg, { lastZxid: () => Promise.resolve(lastZxid) });
  await peer.start();
  return peer;
}

async function probe(port: number): Promise<ProbeAnswer> {
  let got: ProbeAnswer | undefined;
  await probeElection({ host: "127.0.0.1", port }, (a) => (got = a), { timeoutMs: 5000 });
  return got!;
}

Deno.test({
  name:
    "mixed ensemble: 1 zkt + 2 ZooKeeper peers agree on the leader and round, and again after kill -9 of the leader",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zks: ApacheZk[] = [];
    let zkt: QuorumPeer | undefined;
    try {
      // sid 3 answers on its election port before sid 2 starts: otherwise zkt and
      // sid 2 can form a quorum for sid 2 while sid 3's JVM is still booting.
      zkt = await startZktPeer(members[0], serverLines);
      zks.push(await startZkMember(members[2], serverLines));
      await waitFor(
        "ZooKeeper sid 3's election port to answer",
        async () => {
          try {
            return (await probe(members[2].election)).state !== undefined;
          } catch {
            return false;
          }
        },
        60_000,
        200,
      );
      zks.unshift(await startZkMember(members[1], serverLines));
      await waitFor(
        "ZooKeeper peers to serve",
        async () => {
          const ms = await Promise.all(members.slice(1).map((m) => modeOfPeer(m.client)));
          return ms.includes("leader") && ms.includes("follower");
        },
        90_000,
        200,
      );
      assert.equal(await modeOfPeer(members[2].client), "leader"); // greatest sid, equal zxids
      await waitFor("zkt to follow", () => zkt!.state === "following", 60_000, 100);
      assert.equal(zkt.currentVote.leader, 3n);
      const zkLeader = await probe(members[2].election);
      const zktAnswer = await probe(members[0].election);
      assert.equal(zktAnswer.state, "following");
      assert.equal(zktAnswer.leader, zkLeader.leader);
      assert.equal(zktAnswer.electionEpoch, zkLeader.electionEpoch);
      assert.equal(zktAnswer.config, zkLeader.config, "zkt sends ZooKeeper's config text");

      // kill -9 the ZooKeeper leader: zkt and the other ZooKeeper peer elect sid 2.
      await zks[1].stop("SIGKILL");
      await waitFor(
        "zkt to follow sid 2",
        () => zkt!.state === "following" && zkt!.currentVote.leader === 2n,
        60_000,
        100,
      );
      const again = await waitFor(
        "ZooKeeper peer 2 to lead",
        async () => {
          const a = await probe(members[1].election);
          return a.state === "leading" ? a : undefined;
        },
        60_000,
        100,
      );
      assert.equal(again.leader, 2n);
      assert.equal(zkt.currentVote.electionEpoch, again.electionEpoch);
    } finally {
      await zkt?.stop();
      for (const z of zks) await z.stop();
    }
  },
});

Deno.test({
  name: "mixed ensemble: 2 zkt + 1 ZooKeeper peer with the greatest sid: all vote for ZooKeeper",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: QuorumPeer[] = [];
    let zk: ApacheZk | undefined;
    try {
      // ZooKeeper first (else the two zkt peers form a quorum without it).
      zk = await startZkMember(members[2], serverLines);
      await waitFor(
        "ZooKeeper's election port to answer LOOKING",
        async () => {
          return (await probe(members[2].election)).state === "looking";
        },
        60_000,
        200,
      );
      // Then zkt sid 1, until it has heard sid 3 (with sid 3 it is a quorum, so
      // it follows sid 3). Started back to back, the zkt pair can settle on
      // sid 2 within finalizeWait before sid 3's vote arrives (ZooKeeper does
      // the same): a 3.8 peer answers a connection from a lower sid by
      // connecting back, which a loaded JVM takes longer than 200 ms to do.
      zkts.push(await startZktPeer(members[0], serverLines));
      await waitFor(
        "zkt sid 1 to follow ZooKeeper sid 3",
        () => zkts[0].state === "following" && zkts[0].currentVote.leader === 3n,
        60_000,
        100,
      );
      zkts.push(await startZktPeer(members[1], serverLines));
      // ZooKeeper leads until its Zab followers fail to show (replication is a later issue).
      await waitFor(
        "the election to settle on sid 3",
        async () => {
          if (
            !zkts.every((p) => p.state === "following" && p.currentVote.leader === 3n)
          ) return false;
          const a = await probe(members[2].election);
          return a.state === "leading" && a.leader === 3n;
        },
        90_000,
        100,
      );
    } finally {
      for (const p of zkts) await p.stop();
      await zk?.stop();
    }
  },
});

Deno.test({
  name:
    "mixed ensemble: a zkt peer with a later zxid wins over ZooKeeper peers (ZooKeeper's rules)",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zks: ApacheZk[] = [];
    let zkt: QuorumPeer | undefined;
    try {
      zks.push(await startZkMember(members[1], serverLines));
      zks.push(await startZkMember(members[2], serverLines));
      // Let the ZooKeeper pair elect first; the zkt peer with (epoch 1, zxid 0x100000005)
      // then joins their established leader, as FLE's out-of-election rule says.
      await waitFor(
        "ZooKeeper pair to serve",
        async () => {
          return (await modeOfPeer(members[2].client)) === "leader";
        },
        90_000,
        200,
      );
      zkt = await startZktPeer(members[0], serverLines, 0x100000005n);
      await waitFor(
        "zkt to join the established leader 3",
        () => {
          return zkt!.state === "following" && zkt!.currentVote.leader === 3n;
        },
        60_000,
        100,
      );
      // Kill the leader: now sid 1's later zxid wins against sid 2.
      await zks[1].stop("SIGKILL");
      await waitFor(
        "sid 1 (zkt) to win and ZooKeeper sid 2 to follow it",
        async () => {
          if (zkt!.state !== "leading") return false;
          const a = await probe(members[1].election);
          return a.state === "following" && a.leader === 1n;
        },
        90_000,
        100,
      );
    } finally {
      await zkt?.stop();
      for (const z of zks) await z.stop();
    }
  },
});

Deno.test({
  name: "zkt ensemble: 3 zkt peers elect the greatest sid and all agree",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const peers: QuorumPeer[] = [];
    try {
      // Greatest sid first, so no pair of lower sids can settle before sid 3 votes.
      for (const m of [...members].reverse()) peers.unshift(await startZktPeer(m, serverLines));
      await waitFor("one leader", () => peers.every((p) => p.state !== "looking"), 30_000, 50);
      assert.deepEqual(peers.map((p) => p.state), ["following", "following", "leading"]);
      assert.ok(peers.every((p) => p.currentVote.leader === 3n));
      const a = await probe(members[0].election);
      assert.equal(a.leader, 3n);
    } finally {
      for (const p of peers) await p.stop();
    }
  },
});
