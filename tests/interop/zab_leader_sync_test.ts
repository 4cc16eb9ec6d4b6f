// A zkt peer leads two Apache ZooKeeper 3.8 followers and a Java observer at
// the Zab level (zab-3.8.md §14 scenarios 1, 4, 5, 18, 20): from fresh dirs
// they sync by an empty DIFF, take PROPOSAL/COMMIT (the observer INFORM) for
// the txns zkt proposes (a session and creates, each with zkt's TxnDigest)
// and serve them to kazoo, whose own session and sync() are forwarded
// REQUESTs the zkt leader answers. A Java follower killed and restarted after
// < 500 txns catches up by DIFF from zkt's committed window; after more than
// the window, by SNAP streamed from zkt; and restarted in the middle of a
// steady write load (outstanding proposals and COMMITs around its NEWLEADER)
// without a NullPointerException (ZOOKEEPER-4394) or a JVM exit. Java's digest
// check (zk_digest_mismatches_count) stays 0 throughout.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { type ApacheZk, startApacheZk } from "../support/apache_zk.ts";
import { mntrOf, startJavaMember } from "../support/zab_learner_check.ts";
import { startZktLeader } from "../support/zab_leader_peer.ts";
import { type Member, modeOfPeer, planEnsemble } from "./election_ensemble.ts";

/** kazoo through one server: children count and first/last data under each prefix. */
async function readVia(
  port: number,
  prefixes: string[],
): Promise<Record<string, { children: number; data: [string, string] }>> {
  const r = await new Deno.Command(SYSTEM_PYTHON, {
    args: [
      new URL("../support/zab_leader_read.py", import.meta.url).pathname,
      `127.0.0.1:${port}`,
      ...prefixes,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`kazoo read via ${port} failed: ${dec.decode(r.stderr)}`);
  return JSON.parse(dec.decode(r.stdout));
}

const expect = (n: number) => ({ children: n, data: ["v0", `v${n - 1}`] });

async function follows(m: Member): Promise<void> {
  await waitFor(
    `sid ${m.sid} to follow`,
    async () => (await modeOfPeer(m.client)) === "follower",
    90_000,
  );
}

Deno.test({
  name:
    "zab leader: Java followers and an observer sync from a zkt leader (empty DIFF), apply its proposals with matching digests, and rejoin by DIFF within the committed window, by SNAP beyond it, and under a steady write load",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3, 4]);
    const [m1, m2, m3, m4] = plan.members;
    // Sid 4 observes.
    plan.serverLines[3] += ":observer";
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    let ok = false;
    try {
      // zkt has the greatest sid: with equal (empty) histories it leads.
      const zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      let j1: ApacheZk = await startJavaMember(m1, plan.serverLines);
      procs.push(j1);
      const j2 = await startJavaMember(m2, plan.serverLines);
      procs.push(j2);
      const obs = await startApacheZk({
        clientPort: m4.client,
        myid: 4,
        cfg: [...plan.serverLines, "cnxTimeout=2000", "peerType=observer"],
        jvmProps: { "zookeeper.cnxTimeout": "2000" },
        waitReady: false,
      });
      procs.push(obs);
      await zkt.waitEvent(
        "zkt to establish its epoch",
        (e) => e.event === "established",
        0,
        90_000,
      );
      await follows(m1);
      await follows(m2);
      await waitFor(
        "sid 4 to observe",
        async () => (await modeOfPeer(m4.client)) === "observer",
        90_000,
      );
      for (const sid of [1, 2, 4]) {
        const s = await zkt.waitEvent(
          `sid ${sid}'s sync`,
          (e) => e.event === "sync" && e.sid === sid,
        );
        assertEquals(s.mode, "diff", `sid ${sid} synced from an empty history`);
      }

      // A session and 101 creates proposed by zkt, committed on the quorum.
      let id = await zkt.write("/a", 100);
      await zkt.waitEvent("the writes to commit", (e) => e.event === "committed" && e.id === id);
      for (const m of [m1, m2, m4]) {
        assertEquals(await readVia(m.client, ["/a"]), { "/a": expect(100) }, `via sid ${m.sid}`);
        assertEquals((await mntrOf(m.client)).get("zk_digest_mismatches_count"), "0");
      }

      // Sid 1 misses 200 txns: it comes back by DIFF from zkt's window.
      await j1.stop("SIGKILL");
      id = await zkt.write("/b", 200);
      await zkt.waitEvent("the /b writes to commit", (e) => e.event === "committed" && e.id === id);
      let from = zkt.events.length;
      j1 = await startJavaMember(m1, plan.serverLines, {}, j1.dir);
      procs.push(j1);
      await follows(m1);
      const diff = await zkt.waitEvent(
        "sid 1's resync",
        (e) => e.event === "sync" && e.sid === 1,
        from,
      );
      assertEquals(diff.mode, "diff");
      await waitFor(
        "the DIFF in sid 1's log",
        () => j1.log().includes("Getting a diff from the leader"),
      );
      assertEquals(await readVia(m1.client, ["/a", "/b"]), {
        "/a": expect(100),
        "/b": expect(200),
      });

      // Sid 1 misses 600 txns, more than the 500 kept: SNAP.
      await j1.stop("SIGKILL");
      const burst = performance.now();
      id = await zkt.write("/c", 600);
      await zkt.waitEvent("the /c writes to commit", (e) => e.event === "committed" && e.id === id);
      // A measurement for the log, not a limit: 601 proposals in one turn, one follower acking.
      console.log(
        `601 txns proposed at once committed in ${Math.round(performance.now() - burst)} ms`,
      );
      from = zkt.events.length;
      j1 = await startJavaMember(m1, plan.serverLines, {}, j1.dir);
      procs.push(j1);
      await follows(m1);
      const snap = await zkt.waitEvent(
        "sid 1's resync",
        (e) => e.event === "sync" && e.sid === 1,
        from,
      );
      assertEquals(snap.mode, "snap");
      await waitFor(
        "the SNAP in sid 1's log",
        () => j1.log().includes("Getting a snapshot from leader"),
      );
      // Writes after the SNAP reach it as live traffic.
      id = await zkt.write("/d", 10);
      await zkt.waitEvent("the /d writes to commit", (e) => e.event === "committed" && e.id === id);
      // Sid 1 restarts while zkt proposes a txn every 5 ms (~200/s).
      await j1.stop("SIGKILL");
      from = zkt.events.length;
      id = await zkt.load("/e", 1500, 1);
      j1 = await startJavaMember(m1, plan.serverLines, {}, j1.dir);
      procs.push(j1);
      const rejoin = await zkt.waitEvent(
        "sid 1's resync under load",
        (e) => e.event === "sync" && e.sid === 1,
        from,
      );
      const proposed = await zkt.waitEvent(
        "the load's end",
        (e) => e.event === "proposed" && e.id === id,
        from,
      );
      console.log(
        `sid 1 rejoined by ${rejoin.mode} at ${rejoin.zxid}; load ended at ${proposed.last}`,
      );
      await zkt.waitEvent(
        "the load to commit",
        (e) => e.event === "committed" && e.id === id,
        from,
      );
      await follows(m1);
      const all = {
        "/a": expect(100),
        "/b": expect(200),
        "/c": expect(600),
        "/d": expect(10),
        "/e": expect(1500),
      };
      for (const m of [m1, m2, m4]) {
        assertEquals(await readVia(m.client, Object.keys(all)), all, `via sid ${m.sid}`);
        assertEquals((await mntrOf(m.client)).get("zk_digest_mismatches_count"), "0");
      }
      for (const j of [j1, j2, obs]) {
        assertEquals(
          /NullPointerException|GOODBYE|different epoch|Exiting JVM/.test(j.log()),
          false,
          "a Java learner failed",
        );
      }
      ok = true;
    } finally {
      for (const p of procs.reverse()) await p.stop();
      if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
        for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-4000)}`);
      }
      for (const p of new Set(procs.map((p) => p.dir))) {
        await Deno.remove(p, { recursive: true }).catch(() => {});
      }
    }
  },
});
