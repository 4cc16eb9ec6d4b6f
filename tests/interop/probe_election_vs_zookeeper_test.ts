// `zkt probe-election` against a running 3-peer Apache ZooKeeper 3.8 ensemble:
// every peer answers with the leader its srvr reports; a peer that lost its
// quorum answers LOOKING; and probing (during the election and after) does not
// change who wins or restart an election.
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run.ts";
import { type ProbeAnswer, probeElection } from "../../src/election/probe.ts";
import { setLogSink } from "../../src/log/logger.ts";
import type { ApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { modeOfPeer, planEnsemble, startZkMember, zxidOfPeer } from "./election_ensemble.ts";

async function probe(port: number): Promise<ProbeAnswer> {
  let got: ProbeAnswer | undefined;
  await probeElection({ host: "127.0.0.1", port }, (a) => (got = a), { timeoutMs: 5000 });
  return got!;
}

Deno.test({
  name:
    "probe-election: every ZooKeeper peer reports the leader its srvr reports; LOOKING when alone",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    setLogSink(() => {});
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zks: ApacheZk[] = [];
    const ac = new AbortController();
    try {
      // Greatest sid first, then sid 2 until it follows sid 3, then sid 1.
      // Started together, sids 1 and 2 can settle on sid 2 within finalizeWait
      // while sid 3's JVM still boots or connects back (ZooKeeper's rules
      // then rightly elect sid 2).
      zks.push(await startZkMember(members[2], serverLines));
      await waitFor(
        "ZooKeeper sid 3's election port to answer",
        async () => (await probe(members[2].election)).state !== undefined,
        60_000,
        200,
      );
      zks.unshift(await startZkMember(members[1], serverLines));
      await waitFor(
        "ZooKeeper sid 2 to follow sid 3",
        async () => (await modeOfPeer(members[1].client)) === "follower",
        90_000,
        200,
      );
      zks.unshift(await startZkMember(members[0], serverLines));
      // Probe peer 1 continuously while the ensemble elects (must not disturb it).
      const during: ProbeAnswer[] = [];
      const watching = waitFor(
        "peer 1's election port",
        async () => {
          await probeElection({ host: "127.0.0.1", port: members[0].election }, (a) => {
            during.push(a);
          }, { watch: true, intervalMs: 100, signal: ac.signal, timeoutMs: 3000 });
          return true;
        },
        60_000,
        200,
      ).catch(() => {});
      const modes = await waitFor(
        "all three peers to serve",
        async () => {
          const ms = await Promise.all(members.map((m) => modeOfPeer(m.client)));
          return ms.every((m) => m === "leader" || m === "follower") ? ms : undefined;
        },
        90_000,
        200,
      );
      const leaderIdx = modes.indexOf("leader");
      assert.notEqual(leaderIdx, -1);
      // Fresh data dirs, same zxid: ZooKeeper's rules pick the greatest sid.
      assert.equal(members[leaderIdx].sid, 3);
      const zxidBefore = await zxidOfPeer(members[leaderIdx].client);

      for (const [i, m] of members.entries()) {
        const a = await probe(m.election);
        assert.equal(a.leader, 3n, `peer ${m.sid}`);
        assert.equal(a.state, i === leaderIdx ? "leading" : "following", `peer ${m.sid}`);
        assert.equal(a.version, 2);
        assert.equal(a.configVersion, 0n);
        for (const line of serverLines) assert.ok(a.config!.includes(line), a.config!);
      }
      // The CLI prints the same thing.
      let out = "";
      const code = await runCli(
        ["probe-election", `127.0.0.1:${members[0].election}`, "--json"],
        { out: (s) => (out += s), err: () => {}, isTty: false },
      );
      assert.equal(code, 0);
      const j = JSON.parse(out);
      assert.equal(j.state, "FOLLOWING");
      assert.equal(j.leader, "3");

      ac.abort();
      await watching;
      assert.ok(during.length > 0, "the watching probe got answers during the election");
      assert.ok(during.some((a) => a.state === "following" && a.leader === 3n));
      // Probing changed nothing: same leader, no new epoch.
      assert.equal(await modeOfPeer(members[leaderIdx].client), "leader");
      assert.equal((await zxidOfPeer(members[leaderIdx].client))! >> 32n, zxidBefore! >> 32n);

      // Kill two peers: the survivor loses its quorum and answers LOOKING.
      await zks[2].stop();
      await zks[1].stop();
      await waitFor(
        "peer 1 to stop serving",
        async () => (await modeOfPeer(members[0].client)) === undefined,
        60_000,
        200,
      );
      const alone = await waitFor(
        "peer 1 to answer LOOKING",
        async () => {
          const a = await probe(members[0].election);
          return a.state === "looking" ? a : undefined;
        },
        60_000,
        200,
      );
      assert.equal(alone.state, "looking");
    } finally {
      ac.abort();
      for (const z of zks) await z.stop();
    }
  },
});

Deno.test({
  name: "probe-election: exit 1 with a clear message when the peer cannot be reached",
  async fn() {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    let err = "";
    const code = await runCli(["probe-election", `127.0.0.1:${port}`, "--timeout", "2000"], {
      out: () => {},
      err: (s) => (err += s),
      isTty: false,
    });
    assert.equal(code, 1);
    assert.match(err, /cannot reach the election port 127\.0\.0\.1:\d+/);
  },
});

Deno.test({
  name: "probe-election: exit 1 when the peer accepts but stays silent past the timeout",
  async fn() {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    const accepted: Deno.Conn[] = [];
    const loop = (async () => {
      try {
        accepted.push(await l.accept());
      } catch { /* closed */ }
    })();
    let err = "";
    const code = await runCli(["probe-election", `127.0.0.1:${port}`, "--timeout", "300"], {
      out: () => {},
      err: (s) => (err += s),
      isTty: false,
    });
    l.close();
    await loop;
    for (const c of accepted) c.close();
    assert.equal(code, 1);
    assert.match(err, /no answer from 127\.0\.0\.1:\d+ within 300 ms/);
  },
});
