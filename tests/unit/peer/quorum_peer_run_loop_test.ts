// QuorumPeer as the run loop's shell: when a role ends it performs the leave
// sequence in the loop's order through its host, an observer waits its jitter,
// and the next election proposes the zxid the disk has after the drain
// (ZOOKEEPER-4712), not the one it booted with.
import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/load.ts";
import { decodeNotification, encodeNotification } from "../../../src/election/notification.ts";
import { encodeInitialMessage } from "../../../src/election/handshake.ts";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { QuorumPeer, type QuorumPeerDeps } from "../../../src/peer/quorum_peer.ts";
import { freePorts } from "../../support/ports.ts";
import { waitFor } from "../../support/wait.ts";

/**
 * sid 1 (zkt, a participant or an observer) beside fake voters on the
 * election port (sid 2; sids 2 and 3 beside an observer) that vote for 2,
 * ahead in zxid, and answer every ask with LOOKING, so sid 1's stand-in check
 * ends its role. `laterProposals`: the zxids sid 1 proposed for itself in
 * rounds after the first.
 */
async function roleEndsBesideFakeLeader(
  observer: boolean,
  deps: Partial<QuorumPeerDeps>,
  check: (q: QuorumPeer, laterProposals: bigint[]) => Promise<void>,
): Promise<void> {
  const n = observer ? 3 : 2;
  const ports = freePorts(n * 2);
  const election = ports.slice(n);
  const dir = await Deno.makeTempDir({ prefix: "zkt-peer-run-loop-" });
  await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, "1\n");
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    [
      "tickTime=50",
      "initLimit=5",
      "syncLimit=3",
      `dataDir=${dir}/data`,
      "clientPort=2181",
      "cnxTimeout=500",
      ...(observer ? ["peerType=observer"] : []),
      `server.1=127.0.0.1:${ports[0]}:${election[0]}${observer ? ":observer" : ""}`,
      ...Array.from(
        { length: n - 1 },
        (_, i) => `server.${i + 2}=127.0.0.1:${ports[i + 1]}:${election[i + 1]}`,
      ),
    ].join("\n") + "\n",
  );
  const ls = election.slice(1).map((port) => Deno.listen({ hostname: "127.0.0.1", port }));
  let q: QuorumPeer | undefined;
  const later: bigint[] = [];
  const runFake = async (sid: number) => {
    const raw = await Deno.connect({ hostname: "127.0.0.1", port: election[0] });
    const c = new FramedConn(raw, { maxFrame: 512 * 1024 });
    c.sendRaw(
      encodeInitialMessage(BigInt(sid), [{ host: "127.0.0.1", port: election[sid - 1] }]),
    );
    const vote = (epoch: bigint) =>
      encodeNotification({
        state: 0,
        leader: 2n,
        zxid: 0x200000000n,
        electionEpoch: epoch,
        peerEpoch: 2n,
        config: "",
      });
    c.send(vote(1n));
    for (;;) {
      const f = await c.readFrame().catch(() => null);
      if (f === null) return;
      const n = decodeNotification(f);
      if (n.state !== 0) continue;
      const inRole = q !== undefined && q.state !== "looking";
      if (sid === 2 && n.electionEpoch > 1n && !inRole && n.leader === 1n) later.push(n.zxid);
      // In a role: LOOKING in a later round (not leading); looking: our vote.
      c.send(vote(inRole ? 2n : n.electionEpoch));
    }
  };
  let fakes: Promise<void>[] = [];
  try {
    q = new QuorumPeer(await loadConfig(`${dir}/zoo.cfg`), {
      lastZxid: () => Promise.resolve(0x100000005n),
      ...deps,
    });
    await q.start();
    fakes = Array.from({ length: n - 1 }, (_, i) => runFake(i + 2));
    await check(q, later);
  } finally {
    await q?.stop();
    for (const l of ls) l.close();
    await Promise.all(fakes.map((f) => f.catch(() => {})));
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "quorum peer: a follower leaving its role drains the log, then fast-forwards, drops changes, closes clients, and elects with the zxid logged by then",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const calls: string[] = [];
    let logged = 0x100000005n;
    const rec = (name: string) => () => {
      calls.push(name);
    };
    await roleEndsBesideFakeLeader(false, {
      lastZxid: () => Promise.resolve(logged),
      host: {
        stopZab: rec("stopZab"),
        // The writer still held two txns: they reach the disk only now.
        drainLog: async () => {
          await Promise.resolve();
          logged = 0x100000007n;
          calls.push("drainLog");
        },
        fastForward: rec("fastForward"),
        discardSnap: rec("discardSnap"),
        dropOutstanding: rec("dropOutstanding"),
        closeClients: rec("closeClients"),
      },
    }, async (q, later) => {
      await waitFor("sid 1 to follow 2", () => q.state === "following", 10_000, 10);
      await waitFor("sid 1 to leave and look again", () => calls.length >= 5, 10_000, 10);
      assert.deepEqual(calls.slice(0, 5), [
        "stopZab",
        "drainLog",
        "fastForward",
        "dropOutstanding",
        "closeClients",
      ]);
      await waitFor("a vote in the next round", () => later.length > 0, 10_000, 10);
      assert.equal(later[0], 0x100000007n, "the vote carries the zxid logged after the drain");
    });
  },
});

Deno.test({
  name:
    "quorum peer: an observer waits zookeeper.observer.election.DelayMs * random before it looks again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    try {
      await roleEndsBesideFakeLeader(true, { random: () => 0.5 }, async (q) => {
        await waitFor("sid 1 to observe 2", () => q.state === "observing", 10_000, 10);
        await waitFor(
          "the observer's jitter",
          () => lines.some((l) => l.includes("Waiting for 100 ms before reconnecting")),
          10_000,
          10,
        );
        await waitFor("sid 1 to look again", () => q.state === "looking", 10_000, 10);
      });
    } finally {
      setLogSink(() => {});
    }
  },
});

Deno.test({
  name: "zookeeper_1732: an established leader reports the new epoch in its vote, once per role",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const ports = freePorts(6);
    const lines = [1, 2, 3].map((i) => `server.${i}=127.0.0.1:${ports[i - 1]}:${ports[i + 2]}`);
    const dirs: string[] = [];
    const peers: QuorumPeer[] = [];
    try {
      for (const sid of [3, 1, 2]) {
        const dir = await Deno.makeTempDir({ prefix: "zkt-peer-run-loop-" });
        dirs.push(dir);
        await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
        await Deno.writeTextFile(`${dir}/data/myid`, `${sid}\n`);
        await Deno.writeTextFile(
          `${dir}/zoo.cfg`,
          ["tickTime=50", "initLimit=5", "syncLimit=3", `dataDir=${dir}/data`, "clientPort=2181"]
            .concat(lines).join("\n") + "\n",
        );
        peers[sid - 1] = new QuorumPeer(await loadConfig(`${dir}/zoo.cfg`), {
          lastZxid: () => Promise.resolve(0n),
        });
        await peers[sid - 1].start();
      }
      await waitFor("a leader", () => peers.every((q) => q.state !== "looking"), 20_000, 20);
      const leader = peers[2];
      assert.equal(leader.state, "leading");
      assert.equal(leader.currentVote.peerEpoch, 0n);
      leader.updateElectionVote(1n);
      assert.equal(leader.currentVote.peerEpoch, 1n);
      leader.updateElectionVote(9n); // a second report in the same role changes nothing
      assert.equal(leader.currentVote.peerEpoch, 1n);
    } finally {
      for (const q of peers) await q?.stop();
      for (const d of dirs) await Deno.remove(d, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "quorum peer: a learner role run by Zab (host.startRole) ends only through roleEnded with its own role id; the election-port stand-ins stay off",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const calls: string[] = [];
    const roles: [string, bigint, number][] = [];
    await roleEndsBesideFakeLeader(false, {
      host: {
        startRole: (role, leader, roleId) => {
          roles.push([role, leader, roleId]);
          return true;
        },
        stopZab: () => void calls.push("stopZab"),
        closeClients: () => void calls.push("closeClients"),
      },
    }, async (q) => {
      await waitFor("sid 1 to follow 2", () => q.state === "following", 10_000, 10);
      assert.deepEqual(roles.map(([r, l]) => [r, l]), [["following", 2n]]);
      const id = roles[0][2];
      // The fake leader answers every ask LOOKING: the stand-in would end the
      // role after syncLimit ticks; Zab's word is the only one now.
      // (A window for the stand-in to act in, not a wait for a state.)
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(q.state, "following");
      assert.deepEqual(calls, []);
      q.roleEnded(id + 1, "leader_gone");
      assert.deepEqual(calls, [], "another role's end is ignored");
      q.roleEnded(id, "leader_gone");
      await waitFor("the leave steps", () => calls.length >= 2, 10_000, 10);
      assert.deepEqual(calls.slice(0, 2), ["stopZab", "closeClients"]);
    });
  },
});
