// `zkt serve` processes as ensemble peers beside Apache ZooKeeper 3.8 peers:
// they elect together over the real election protocol, report the outcome on
// the AdminServer, probe-election and `zkt conns`, and then lead or follow
// over Zab and serve clients (srvr "Mode: ..."; before its role's Zab serves,
// srvr says "not currently serving", as a 3.8 peer's does).
import assert from "node:assert/strict";
import type { ProbeAnswer } from "../../src/election/probe.ts";
import type { ApacheZk } from "../support/apache_zk.ts";
import { zktProcess } from "../support/cli.ts";
import { fourLetter } from "../support/four_letter.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { ZkClient } from "../support/zk_client.ts";
import { type Member, modeOfPeer, planEnsemble, startZkMember } from "./election_ensemble.ts";
import {
  adminCommand,
  dataDirWithTxns,
  probeOnce,
  roleOf,
  servesAs,
  srvrOf,
  startZktMember,
  type ZktMember,
} from "./serve_ensemble.ts";

const NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

/** Waits until probing m's election port gives an answer that `ok` accepts. */
function probeUntil(
  what: string,
  m: Member,
  ok: (a: ProbeAnswer) => boolean,
): Promise<ProbeAnswer> {
  return waitFor(
    what,
    async () => {
      const a = await probeOnce(m.election);
      return ok(a) ? a : undefined;
    },
    60_000,
    100,
  );
}

/** The election command of a zkt member's AdminServer. */
async function electionOf(z: ZktMember) {
  const e = await adminCommand(z.adminPort, "election");
  const v = e.current_vote as Record<string, unknown>;
  return { state: e.server_state as string, leader: e.leader_id as number | null, vote: v };
}

/** Rethrows e with the tail of every peer's log, for a failure message. */
function withLogs(e: unknown, zkts: ZktMember[], zks: ApacheZk[]): Error {
  let msg = (e as Error).stack ?? String(e);
  const pick = (log: string) =>
    log.split("\n").filter((l) => !/Processing \w+ command|Cannot open channel/.test(l))
      .slice(-40).join("\n");
  for (const z of zkts) msg += `\n--- zkt ${z.sid} ---\n${pick(z.log())}`;
  for (const z of zks) msg += `\n--- ZooKeeper ${z.clientPort} ---\n${pick(z.log())}`;
  return new Error(msg);
}

async function stopAll(zkts: ZktMember[], zks: ApacheZk[]): Promise<void> {
  for (const z of zkts) await z.stop("SIGKILL").catch(() => {});
  for (const z of zks) await z.stop().catch(() => {});
}

/**
 * Waits until one ZooKeeper member's srvr says leader, the other ZooKeeper
 * members' say follower and every zkt member's AdminServer says follower of
 * that leader (its srvr: not serving). Which ZooKeeper peer leads depends on which
 * JVM came up first (a quorum may form before the greatest sid joins), so the
 * test reads it rather than assuming it. Returns the leader's member.
 */
async function settledOnZkLeader(zkMembers: Member[], zkts: ZktMember[]): Promise<Member> {
  let last = "";
  let leader: Member | undefined;
  await waitFor(
    "a ZooKeeper leader that every peer's srvr agrees on",
    async () => {
      const modes = await Promise.all(zkMembers.map((m) => modeOfPeer(m.client)));
      const zktModes = await Promise.all(zkts.map(roleOf));
      const zktLeaders = await Promise.all(zkts.map(async (z) => (await electionOf(z)).leader));
      last = `ZooKeeper ${modes.join()}; zkt ${zktModes.join()} following ${zktLeaders.join()}`;
      const li = modes.indexOf("leader");
      if (li < 0 || modes.some((m, i) => i !== li && m !== "follower")) return false;
      leader = zkMembers[li];
      return zktModes.every((m) => m === "follower") &&
        zktLeaders.every((l) => l === leader!.sid);
    },
    90_000,
    200,
  ).catch((e) => {
    throw new Error(`${e.message}; last: ${last}`);
  });
  return leader!;
}

Deno.test({
  name: "serve ensemble: 1 zkt + 2 ZooKeeper agree on the ZooKeeper leader (srvr, probe, " +
    "AdminServer, zkt conns); zkt follows it over Zab and serves a client; after kill -9 of the leader zkt follows " +
    "ZooKeeper's pick",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: ZktMember[] = [];
    const zks: ApacheZk[] = [];
    try {
      zkts.push(await startZktMember(members[0], serverLines));
      // Alone, the zkt peer is LOOKING: srvr says so as 3.8 does, and so does its vote.
      assert.equal((await srvrOf(members[0].client)).trim(), NOT_SERVING);
      assert.equal((await probeOnce(members[0].election)).state, "looking");
      zks.push(await startZkMember(members[1], serverLines));
      zks.push(await startZkMember(members[2], serverLines));
      const L = await settledOnZkLeader(members.slice(1), zkts);
      const F = members[L.sid === 3 ? 1 : 2];

      // ZooKeeper's srvr: the established leader runs epoch 1.
      const zkZxid = (await srvrOf(L.client)).match(/^Zxid: (0x[0-9a-f]+)/m)!;
      assert.equal(BigInt(zkZxid[1]) >> 32n, 1n);
      // probe-election against every ZooKeeper peer reports what its srvr reports.
      const leaderAns = await probeOnce(L.election);
      assert.equal(leaderAns.state, "leading");
      assert.equal(leaderAns.leader, BigInt(L.sid));
      assert.equal(leaderAns.peerEpoch, 1n); // updateElectionVote after Zab established epoch 1
      const followerAns = await probeOnce(F.election);
      assert.equal(followerAns.state, "following");
      assert.equal(followerAns.leader, BigInt(L.sid));
      // zkt agrees on the leader and the election round.
      const mine = await electionOf(zkts[0]);
      assert.equal(mine.state, "follower");
      assert.equal(mine.leader, L.sid);
      // Synced with the Java leader, the zkt follower serves.
      await servesAs(members[0].client, "follower");
      assert.equal(await fourLetter(members[0].client, "ruok"), "imok");
      const zktAns = await probeOnce(members[0].election);
      assert.equal(zktAns.state, "following");
      assert.equal(zktAns.leader, BigInt(L.sid));
      assert.equal(zktAns.electionEpoch, BigInt(mine.vote.election_epoch as number));

      // The CLI probe against the ZooKeeper leader prints the same.
      const cli = await zktProcess(["probe-election", `127.0.0.1:${L.election}`, "--json"]);
      assert.equal(cli.code, 0, cli.err);
      assert.equal(JSON.parse(cli.out).state, "LEADING");
      assert.equal(JSON.parse(cli.out).leader, String(L.sid));

      // zkt conns lists the election links from the AdminServer (named with
      // --admin: a peer that does not serve has no conf to announce it in).
      const conns = await zktProcess([
        "conns",
        `127.0.0.1:${members[0].client}`,
        "--admin",
        `http://127.0.0.1:${zkts[0].adminPort}`,
        "--json",
      ]);
      assert.equal(conns.code, 0, conns.err);
      const q = JSON.parse(conns.out).quorum;
      assert.equal(q.myId, "1");
      assert.equal(q.serverState, "follower");
      assert.equal(q.leaderId, String(L.sid));
      const links = q.election as { sid: string; state: string; lastReceived: unknown }[];
      assert.deepEqual(links.map((l) => l.sid), ["2", "3"]);
      for (const l of links) {
        assert.equal(l.state, "up", JSON.stringify(l));
        assert.notEqual(l.lastReceived, null, JSON.stringify(l));
      }

      // mntr: the serving ZooKeeper follower reports its peer state and the
      // election_time summary; zkt's election time is in its election command.
      const zkMntr = new Map(
        (await fourLetter(F.client, "mntr", "127.0.0.1", 2000)).trim().split("\n")
          .map((l) => l.split("\t") as [string, string]),
      );
      assert.equal(zkMntr.get("zk_peer_state"), "following - broadcast");
      for (const k of ["cnt", "min", "max", "avg", "sum"].map((p) => `zk_${p}_election_time`)) {
        assert.ok(zkMntr.has(k), `ZooKeeper mntr has ${k}`);
      }
      const zktElection = await adminCommand(zkts[0].adminPort, "election");
      assert.equal(typeof zktElection.last_election_time_ms, "number");

      // A client of the zkt follower gets a session (its createSession forwarded to Java).
      const c = await ZkClient.connect(members[0].client);
      await c.close();
      // kill -9 the leader: the other ZooKeeper peer (epoch 1 in its vote) beats zkt 1 (epoch 0).
      await zks[L.sid - 2].stop("SIGKILL");
      const newLeader = await probeUntil(
        `ZooKeeper peer ${F.sid} to lead`,
        F,
        (a) => a.state === "leading" && a.leader === BigInt(F.sid),
      );
      const after = await waitFor(
        `zkt to follow ${F.sid}`,
        async () => {
          const e = await electionOf(zkts[0]);
          return e.state === "follower" && e.leader === F.sid ? e : undefined;
        },
        60_000,
        100,
      );
      assert.equal(BigInt(after.vote.election_epoch as number), newLeader.electionEpoch);
      assert.equal(await roleOf(zkts[0]), "follower");
      await servesAs(members[0].client, "follower");
      assert.match(zkts[0].log(), /FOLLOWING - LEADER ELECTION TOOK - \d+ MS/);
    } catch (e) {
      throw withLogs(e, zkts, zks);
    } finally {
      await stopAll(zkts, zks);
    }
  },
});

Deno.test({
  name: "serve ensemble: 2 zkt + 1 ZooKeeper, the zkt with the greatest last zxid (from its " +
    "data dir) wins though its sid is smallest, as ZooKeeper's own vote confirms; LOOKING " +
    "peers answer LOOKING; after kill -9 of the zkt leader ZooKeeper's pick wins",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Txns written by a standalone zkt: last zxid 0x<small>, epoch 0.
    const data = await dataDirWithTxns(3);
    assert.ok(data.zxid > 0n && data.zxid >> 32n === 0n, `zxid 0x${data.zxid.toString(16)}`);
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: ZktMember[] = [];
    const zks: ApacheZk[] = [];
    try {
      // Different start order: ZooKeeper first, alone and LOOKING.
      zks.push(await startZkMember(members[2], serverLines));
      const alone = await probeUntil("ZooKeeper 3 to answer", members[2], () => true);
      assert.equal(alone.state, "looking");
      assert.equal(alone.leader, 3n);
      // The zkt with the data joins next: the first quorum (1 and 3) elects it.
      // (With Zab, a quorum that forms first keeps its leader: a later peer follows it.)
      zkts.push(await startZktMember(members[0], serverLines, data.dir));
      assert.match(zkts[0].log(), new RegExp(`proposed zxid=0x${data.zxid.toString(16)}\\b`));

      // ZooKeeper's rules: same peer epoch, greater zxid wins → sid 1.
      const zkVote = await probeUntil(
        "ZooKeeper 3 to follow 1",
        members[2],
        (a) => a.state === "following" && a.leader === 1n,
      );
      zkts.unshift(await startZktMember(members[1], serverLines));
      assert.equal(zkVote.zxid, data.zxid);
      await waitFor(
        "zkt AdminServer: 1 leader, 2 follower",
        async () => {
          const [a, b] = await Promise.all([roleOf(zkts[1]), roleOf(zkts[0])]);
          return a === "leader" && b === "follower";
        },
        60_000,
        100,
      );
      const lead = await electionOf(zkts[1]);
      assert.equal(lead.leader, 1);
      assert.equal(BigInt(lead.vote.election_epoch as number), zkVote.electionEpoch);
      assert.match(zkts[1].log(), /LEADING - LEADER ELECTION TOOK - \d+ MS/);
      // The zkt leader serves once a quorum acked NEWLEADER; the Java follower synced with it.
      await servesAs(members[0].client, "leader");
      await servesAs(members[2].client, "follower");

      // kill -9 the zkt leader: 2 and 3 hold the same history (epoch 1) → sid 3.
      await zkts[1].stop("SIGKILL");
      const after = await probeUntil(
        "ZooKeeper 3 to lead",
        members[2],
        (a) => a.state === "leading" && a.leader === 3n,
      );
      const e = await waitFor(
        "zkt 2 to follow 3",
        async () => {
          const x = await electionOf(zkts[0]);
          return x.state === "follower" && x.leader === 3 ? x : undefined;
        },
        60_000,
        100,
      );
      assert.equal(BigInt(e.vote.election_epoch as number), after.electionEpoch);
    } catch (e) {
      throw withLogs(e, zkts, zks);
    } finally {
      await stopAll(zkts, zks);
    }
  },
});

Deno.test({
  name: "serve ensemble: 5 peers (2 zkt + 3 ZooKeeper) agree on the ZooKeeper leader (srvr, " +
    "zkt's AdminServer, probe-election); after kill -9 of the leader ZooKeeper's pick is followed by both zkt",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { members, serverLines } = planEnsemble([1, 2, 3, 4, 5]);
    const zkts: ZktMember[] = [];
    const zks: ApacheZk[] = [];
    try {
      for (const m of members.slice(2)) zks.push(await startZkMember(m, serverLines));
      for (const m of members.slice(0, 2)) zkts.push(await startZktMember(m, serverLines));
      const L = await settledOnZkLeader(members.slice(2), zkts);
      // probe-election on every ZooKeeper peer reports the leader its srvr reports.
      const zkMembers = members.slice(2);
      const answers = await Promise.all(zkMembers.map((m) => probeOnce(m.election)));
      assert.deepEqual(
        answers.map((a) => [a.state, a.leader]),
        zkMembers.map((m) => [m === L ? "leading" : "following", BigInt(L.sid)]),
      );
      const round = answers[zkMembers.indexOf(L)].electionEpoch;
      for (const a of answers) assert.equal(a.electionEpoch, round);
      for (const z of zkts) {
        assert.equal(BigInt((await electionOf(z)).vote.election_epoch as number), round);
      }

      // kill -9 the leader: a ZooKeeper survivor wins (epoch 1 and, synced by
      // SNAP, the NEWLEADER zxid; or by DIFF, zxid 0 and a sid above both zkt
      // peers, which carry epoch 1 and zxid 0 once Zab synced them).
      await zks[L.sid - 3].stop("SIGKILL");
      const survivors = zkMembers.filter((m) => m !== L);
      const next = await waitFor(
        "a ZooKeeper survivor to lead",
        async () => {
          for (const m of survivors) {
            const a = await probeOnce(m.election).catch(() => undefined);
            if (a?.state === "leading" && a.leader === BigInt(m.sid)) return a;
          }
          return undefined;
        },
        60_000,
        100,
      );
      const high = survivors.find((m) => BigInt(m.sid) === next.leader)!;
      const low = survivors.find((m) => m !== high)!;
      const f = await probeUntil(
        `ZooKeeper ${low.sid} to follow ${high.sid}`,
        low,
        (a) => a.state === "following" && a.leader === BigInt(high.sid),
      );
      assert.equal(f.electionEpoch, next.electionEpoch);
      for (const z of zkts) {
        const e = await waitFor(
          `zkt ${z.sid} to follow ${high.sid}`,
          async () => {
            const x = await electionOf(z);
            return x.state === "follower" && x.leader === high.sid ? x : undefined;
          },
          60_000,
          100,
        );
        assert.equal(BigInt(e.vote.election_epoch as number), next.electionEpoch);
        await servesAs(z.port, "follower");
      }
    } catch (e) {
      throw withLogs(e, zkts, zks);
    } finally {
      await stopAll(zkts, zks);
    }
  },
});
