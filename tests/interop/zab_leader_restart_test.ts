// A zkt leader killed with one Java follower, restarted on its data dir,
// leads the surviving Java follower into the next epoch (zab-3.8.md §5 steps
// 4–10, §14 scenarios 10/11/19): its acceptedEpoch/currentEpoch files and the
// follower's agree on epoch 2, and the Java follower killed with it rejoins
// by DIFF from history zkt read back from its txn log (3.8 fills committedLog
// at log replay), across the epoch boundary, to the same tree.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { mntrOf, startJavaMember } from "../support/zab_learner_check.ts";
import { startZktLeader } from "../support/zab_leader_peer.ts";
import { type Member, modeOfPeer, planEnsemble, zxidOfPeer } from "./election_ensemble.ts";

async function childrenVia(port: number, prefixes: string[]): Promise<Record<string, unknown>> {
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

async function epochFile(dir: string, name: string): Promise<string> {
  return (await Deno.readTextFile(`${dir}/data/version-2/${name}`)).trim();
}

Deno.test({
  name:
    "zab leader: a zkt leader restarted on its data dir leads the next epoch, and a Java follower rejoins by DIFF from history read back from zkt's txn log",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const procs: { stop(): Promise<void>; log(): string; dir: string }[] = [];
    let ok = false;
    try {
      let zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      const j1 = await startJavaMember(m1, plan.serverLines);
      let j2 = await startJavaMember(m2, plan.serverLines);
      procs.push(j1, j2);
      await zkt.waitEvent("epoch 1", (e) => e.event === "established" && e.epoch === 1, 0, 90_000);
      await follows(m1);
      await follows(m2);
      const id = await zkt.write("/a", 100);
      const c = await zkt.waitEvent("the writes", (e) => e.event === "committed" && e.id === id);
      const last = BigInt(c.zxid as string);
      for (const m of [m1, m2]) {
        await waitFor(
          `sid ${m.sid} at ${c.zxid}`,
          async () => (await zxidOfPeer(m.client)) === last,
        );
      }

      // zkt and sid 2 die; sid 1 alone cannot elect. zkt comes back and leads epoch 2.
      await zkt.stop("SIGKILL");
      await j2.stop("SIGKILL");
      zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
        dir: zkt.dir,
      });
      procs.push(zkt);
      await zkt.waitEvent("epoch 2", (e) => e.event === "established" && e.epoch === 2, 0, 90_000);
      const s1 = await zkt.waitEvent("sid 1's sync", (e) => e.event === "sync" && e.sid === 1);
      assertEquals(s1.mode, "diff");
      assertEquals(s1.zxid, c.zxid, "sid 1 holds everything zkt logged: an empty DIFF");
      await follows(m1);
      const id2 = await zkt.write("/f", 50);
      await zkt.waitEvent("epoch 2's writes", (e) => e.event === "committed" && e.id === id2);

      // Sid 2 missed the new epoch: DIFF from zkt's logged epoch-1 history plus epoch 2.
      j2 = await startJavaMember(m2, plan.serverLines, {}, j2.dir);
      procs.push(j2);
      const s2 = await zkt.waitEvent("sid 2's sync", (e) => e.event === "sync" && e.sid === 2);
      assertEquals(s2.mode, "diff");
      await follows(m2);
      await waitFor(
        "the DIFF in sid 2's log",
        () => j2.log().includes("Getting a diff from the leader"),
      );
      for (const m of [m1, m2]) {
        assertEquals(await childrenVia(m.client, ["/a", "/f"]), {
          "/a": expect(100),
          "/f": expect(50),
        });
        assertEquals((await mntrOf(m.client)).get("zk_digest_mismatches_count"), "0");
      }
      for (const d of [zkt.dir, j1.dir, j2.dir]) {
        assertEquals(await epochFile(d, "acceptedEpoch"), "2", `${d} acceptedEpoch`);
        assertEquals(await epochFile(d, "currentEpoch"), "2", `${d} currentEpoch`);
      }
      ok = true;
    } finally {
      for (const p of procs.reverse()) await p.stop();
      if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
        for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-4000)}`);
      }
      for (const d of new Set(procs.map((p) => p.dir))) {
        await Deno.remove(d, { recursive: true }).catch(() => {});
      }
    }
  },
});
