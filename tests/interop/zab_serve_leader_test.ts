// `zkt serve` leads an ensemble with two Apache ZooKeeper 3.8 followers and an observer
// (issue 17; zab-3.8.md §14 scenarios 1, 2, 4, 14, 17 with the roles as the
// brief sets them): kazoo writes through every server — sequential nodes,
// an ephemeral, a multi, a digest-ACL'd node (the Java followers forward the
// client's auth in REQUEST authinfo), a create that must fail (one error txn
// with the client's cxid) — and reads all of it back through every server
// after sync(). The Java followers' digest checks stay clean; the leader's
// mntr counts its synced followers. A Java follower killed while zkt
// commits more catches up by DIFF. A session whose client vanishes
// expires on the zkt leader (the only one that expires sessions), and its
// ephemeral is gone on every server. A session moves between the zkt leader
// and a Java follower (REVALIDATE, owners) and an idle one on a Java follower
// is kept alive by its PING touches. With both followers killed the leader
// steps down and stops serving.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { fourLetter } from "../support/four_letter.ts";
import type { ApacheZk } from "../support/apache_zk.ts";
import { mntrOf, startJavaMember } from "../support/zab_learner_check.ts";
import {
  assertNoDigestMismatches,
  runPython,
  startJavaObserver,
  waitForMode,
} from "../support/zab_interop.ts";
import { startZkt, type ZktServer } from "../support/zkt_server.ts";
import { type Member, modeOfPeer, planEnsemble } from "./election_ensemble.ts";

/** Runs tests/support/zab_serve_leader_clients.py; returns its JSON line. */
async function kazoo(...args: (string | number)[]): Promise<Record<string, unknown>> {
  const script = new URL("../support/zab_serve_leader_clients.py", import.meta.url).pathname;
  const r = await runPython(script, args.map(String));
  const dec = new TextDecoder();
  if (r.code !== 0) {
    throw new Error(`kazoo ${args.join(" ")} failed: ${dec.decode(r.stderr).slice(-2000)}`);
  }
  return JSON.parse(dec.decode(r.stdout).trim().split("\n").at(-1)!);
}

const at = (m: Member) => `127.0.0.1:${m.client}`;

/** tests/support/zab_serve_clients.py's session checks: `first` the server the session starts on. */
async function moveAndIdle(first: string, other: string, cmd: "move" | "idle"): Promise<void> {
  const script = new URL("../support/zab_serve_clients.py", import.meta.url).pathname;
  const r = await runPython(script, [first, other, cmd]);
  const dec = new TextDecoder();
  if (r.code !== 0) {
    throw new Error(`${cmd} failed: ${dec.decode(r.stdout)}\n${dec.decode(r.stderr).slice(-2000)}`);
  }
}

/** Waits for sid m to be in `mode`. */
function inMode(m: Member, mode: string): Promise<void> {
  return waitForMode(`sid ${m.sid} in mode ${mode}`, m.client, mode, 200);
}

/** What `write` leaves under a prefix once its client has closed (the ephemeral is gone). */
function written(seqs: string[]) {
  return {
    children: ["m1", "secret", ...seqs].sort(),
    data: "top2",
    secret: "hidden2",
    denied: true,
  };
}

Deno.test({
  name:
    "zkt serve leads two Java followers and a Java observer: writes through every server (sequential, ephemeral, multi, digest ACL, error txn) read back everywhere after sync, DIFF after a follower restart, an expired session's ephemeral gone everywhere",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3, 4]);
    const [m1, m2, m3, m4] = plan.members;
    // Sid 4 observes (OBSERVERINFO; INFORM, never a bare PROPOSAL).
    plan.serverLines[3] += ":observer";
    const procs: { stop(): Promise<unknown>; log(): string }[] = [];
    let ok = false;
    try {
      // zkt has the greatest sid: with equal (empty) histories it leads.
      const dir = await Deno.makeTempDir({ prefix: "zkt-serve-leader-" });
      await Deno.mkdir(`${dir}/data`, { recursive: true });
      await Deno.writeTextFile(`${dir}/data/myid`, "3\n");
      const zkt: ZktServer = await startZkt({
        dir,
        port: m3.client,
        cfg: ["initLimit=10", "syncLimit=5", "cnxTimeout=2000", ...plan.serverLines],
        env: { ZKT_LOG_LEVEL: "info" },
      });
      procs.push(zkt);
      let j1: ApacheZk = await startJavaMember(m1, plan.serverLines);
      procs.push(j1);
      const j2 = await startJavaMember(m2, plan.serverLines);
      procs.push(j2);
      procs.push(await startJavaObserver(m4, plan.serverLines));
      await inMode(m3, "leader");
      await inMode(m1, "follower");
      await inMode(m2, "follower");
      await inMode(m4, "observer");

      const seqs: Record<string, string[]> = {};
      for (
        const [prefix, m] of [["/w1", m1], ["/w2", m2], ["/w3", m3], ["/w5", m4]] as const
      ) {
        seqs[prefix] = (await kazoo("write", at(m), prefix)).seqs as string[];
      }
      const all = Object.fromEntries(Object.entries(seqs).map(([p, s]) => [p, written(s)]));
      for (const m of [m1, m2, m3, m4]) {
        assertEquals(await kazoo("read", at(m), ...Object.keys(all)), all, `via sid ${m.sid}`);
      }
      await assertNoDigestMismatches([m1.client, m2.client, m4.client]);
      const lead = await mntrOf(m3.client);
      assertEquals(
        [
          "zk_server_state",
          "zk_learners",
          "zk_synced_followers",
          "zk_synced_observers",
          "zk_pending_syncs",
        ].map((k) => lead.get(k)),
        ["leader", "3", "2", "1", "0"],
      );
      assertEquals(Number(lead.get("zk_max_proposal_size")) > 0, true);
      // The leader's own check: each txn's predicted digest is its tree's after the commit.
      assertEquals(lead.get("zk_digest_mismatches_count"), "0");
      // srvr: 3.8's leader line after the node count.
      assertEquals(
        /Mode: leader\nNode count: \d+\nProposal sizes last\/min\/max: \d+\/\d+\/\d+\n/.test(
          await fourLetter(m3.client, "srvr"),
        ),
        true,
      );

      // Sid 1 misses writes: it comes back by DIFF from zkt's history.
      await j1.stop("SIGKILL");
      seqs["/w4"] = (await kazoo("write", at(m3), "/w4")).seqs as string[];
      all["/w4"] = written(seqs["/w4"]);
      j1 = await startJavaMember(m1, plan.serverLines, {}, j1.dir);
      procs.push(j1);
      await inMode(m1, "follower");
      await waitFor(
        "the DIFF in sid 1's log",
        () => j1.log().includes("Getting a diff from the leader"),
      );
      for (const m of [m1, m2, m3, m4]) {
        assertEquals(await kazoo("read", at(m), ...Object.keys(all)), all, `via sid ${m.sid}`);
      }

      // A client of sid 2 vanishes: zkt expires its session, the ephemeral goes everywhere.
      await kazoo("ephemeral", at(m2), "/gone");
      assertEquals(await kazoo("exists", at(m1), "/gone"), { "/gone": true });
      for (const m of [m1, m2, m3, m4]) {
        await waitFor(
          `the expired ephemeral gone via sid ${m.sid}`,
          async () => (await kazoo("exists", at(m), "/gone"))["/gone"] === false,
          60_000,
          500,
        );
      }
      await assertNoDigestMismatches([m1.client, m2.client, m4.client]);

      // A session made on the zkt leader moves to a Java follower (REVALIDATE
      // to zkt: the owner moves), back to zkt and to Java again, ephemeral kept
      // and writable from each (SessionMoved would fail the set).
      await moveAndIdle(at(m3), at(m1), "move");
      // A 4 s session idle on a Java follower for 12 s keeps its ephemeral:
      // that follower's PING replies touch it on the zkt leader.
      await moveAndIdle(at(m1), at(m3), "idle");

      // Both followers gone: the leader steps down on Zab's rules (no quorum
      // synced) and stops serving; its role ends, it looks again.
      await j1.stop("SIGKILL");
      await j2.stop("SIGKILL");
      await waitFor(
        "the zkt leader to stop serving",
        async () => (await modeOfPeer(m3.client)) === undefined,
        60_000,
        200,
      );
      await waitFor("zkt to look again", () => /LOOKING[\s\S]*LOOKING/.test(zkt.log()), 60_000);
      ok = true;
    } finally {
      for (const p of procs.reverse()) await p.stop().catch(() => {});
      if (!ok) {
        for (const p of procs) console.error(`--- log ---\n${p.log().slice(-5000)}`);
      }
    }
  },
});
