// `zkt serve` as a follower (and as an observer) of an Apache ZooKeeper 3.8
// leader serves clients (issue 17): kazoo's writes through zkt are forwarded
// to the leader and answered at their commit on the right client (a
// NodeExists too), the Java servers read them after sync; writes through Java
// are read through zkt after sync and fire a watch set on zkt; a session moves
// zkt → Java → zkt → Java with its ephemeral (REVALIDATE both ways); a zkt
// follower killed under write load and restarted catches up by DIFF, its data
// dir then equal to the leader's.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { assertSameTree, mntrOf, writeLoad, writeVia } from "../support/zab_learner_check.ts";
import { modeOfPeer, planEnsemble, startZkMember, zxidOfPeer } from "./election_ensemble.ts";
import { startZktMember, type ZktMember } from "./serve_ensemble.ts";

const ZKT_CFG = ["tickTime=2000"];

/** Runs a zab_serve_clients.py command; throws with its stderr when it fails. */
async function clients(zkt: number, java: number, cmd: string): Promise<string> {
  const r = await new Deno.Command(SYSTEM_PYTHON, {
    args: [
      new URL("../support/zab_serve_clients.py", import.meta.url).pathname,
      `127.0.0.1:${zkt}`,
      `127.0.0.1:${java}`,
      cmd,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const out = new TextDecoder().decode(r.stdout);
  if (r.code !== 0) {
    throw new Error(`${cmd} failed (${r.code}): ${out}\n${new TextDecoder().decode(r.stderr)}`);
  }
  return out;
}

/** Runs the whole client check against a Java leader (sid 3), a Java follower (2), zkt (1). */
async function learnerScenario(observer: boolean): Promise<void> {
  const plan = planEnsemble([1, 2, 3]);
  const [m1, m2, m3] = plan.members;
  const lines = observer
    ? plan.serverLines.map((l) => l.startsWith("server.1=") ? `${l}:observer` : l)
    : plan.serverLines;
  const procs: { stop(): Promise<unknown>; log(): string; dir: string }[] = [];
  let ok = false;
  try {
    // Sid 3 starts first (with zkt as a follower, the two are a quorum and 3
    // leads); an observer needs both Java voters for the leader's quorum.
    const leader = await startZkMember(m3, lines);
    procs.push(leader);
    if (observer) procs.push(await startZkMember(m2, lines));
    const zktCfg = [...ZKT_CFG, ...(observer ? ["peerType=observer"] : [])];
    let zkt: ZktMember = await startZktMember(m1, [...zktCfg, ...lines]);
    procs.push(zkt);
    const mode = observer ? "observer" : "follower";
    await waitFor("sid 3 to lead", async () => (await modeOfPeer(m3.client)) === "leader", 90_000);
    if (!observer) procs.push(await startZkMember(m2, lines));
    await waitFor(
      "sid 2 to follow",
      async () => (await modeOfPeer(m2.client)) === "follower",
      90_000,
    );
    await waitFor(
      `zkt to serve as ${mode}`,
      async () => (await modeOfPeer(m1.client)) === mode,
      90_000,
    );

    await clients(m1.client, m2.client, "writes");
    await clients(m1.client, m3.client, "java-writes");
    await clients(m1.client, m2.client, "move");
    await clients(m1.client, m3.client, "idle");
    // A measurement, not a limit: 200 kazoo creates (+20 setData) through zkt and through Java.
    for (const [who, port] of [["zkt", m1.client], ["java", m2.client]] as const) {
      const t0 = performance.now();
      await writeVia(port, `/timed-${who}`, 200);
      console.log(
        `${mode} ${who}: 200 creates + 20 sets in ${Math.round(performance.now() - t0)} ms`,
      );
    }

    if (!observer) {
      // Killed under write load through Java, restarted: DIFF, then the same tree.
      const start = await waitFor("the leader's zxid", () => zxidOfPeer(m3.client));
      const load = writeLoad(m2.client, "/load", 300);
      try {
        await waitFor(
          "the load to be under way",
          async () => ((await zxidOfPeer(m3.client)) ?? 0n) > start + 30n,
          60_000,
        );
        await zkt.stop("SIGKILL");
        const diffs = Number((await mntrOf(m3.client)).get("zk_diff_count"));
        zkt = await startZktMember(m1, [...zktCfg, ...lines], zkt.dir);
        procs.push(zkt);
        await waitFor(
          "zkt to serve again",
          async () => (await modeOfPeer(m1.client)) === mode,
          90_000,
        );
        assertEquals(
          Number((await mntrOf(m3.client)).get("zk_diff_count")),
          diffs + 1,
          "leader's diffs",
        );
      } finally {
        const r = await load.output();
        assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      }
      // Every write reached zkt: its srvr zxid meets the leader's after a sync through it.
      await clients(m1.client, m3.client, "java-writes-again");
      await assertSameTree(leader, m3.client, zkt);
    }
    for (const port of [m2.client, m3.client]) {
      assertEquals((await mntrOf(port)).get("zk_digest_mismatches_count"), "0");
    }
    ok = true;
  } finally {
    for (const p of procs.reverse()) await p.stop();
    if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
      for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-4000)}`);
    }
    for (const p of procs) await Deno.remove(p.dir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name:
    "zkt serve follows a Java leader and serves kazoo: forwarded writes answered at commit on the right client, Java reads them after sync, Java's writes fire zkt watches, a session moves zkt↔Java with its ephemeral, a restart under load catches up by DIFF",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => learnerScenario(false),
});

Deno.test({
  name:
    "zkt serve observes a Java leader and serves kazoo: writes forwarded from OBSERVERINFO's side, INFORMs applied, watches fire, sessions move",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => learnerScenario(true),
});

Deno.test({
  name:
    "zkt serve follows and observes a zkt leader: kazoo's writes through a zkt follower and a zkt observer, read through the others after sync; watches, session moves and touches across zkt servers",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3, 4]);
    const lines = plan.serverLines.map((l) => l.startsWith("server.4=") ? `${l}:observer` : l);
    const zkts: ZktMember[] = [];
    let ok = false;
    try {
      for (const m of plan.members) {
        const extra = m.sid === 4 ? ["peerType=observer"] : [];
        zkts.push(await startZktMember(m, [...ZKT_CFG, ...extra, ...lines]));
      }
      let modes: (string | undefined)[] = [];
      await waitFor("a leader, two followers and an observer serving", async () => {
        modes = await Promise.all(plan.members.map((m) => modeOfPeer(m.client)));
        return [...modes].sort().join() === "follower,follower,leader,observer";
      }, 90_000);
      const port = (mode: string) => plan.members[modes.indexOf(mode)].client;
      const follower = port("follower");
      const leader = port("leader");
      const observer = port("observer");
      await clients(follower, leader, "writes");
      await clients(observer, follower, "java-writes");
      await clients(follower, observer, "move");
      await clients(observer, leader, "idle");
      ok = true;
    } finally {
      for (const z of zkts.reverse()) await z.stop();
      if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
        for (const z of zkts) console.error(`--- zkt ${z.sid} ---\n${z.log().slice(-4000)}`);
      }
      for (const z of zkts) await Deno.remove(z.dir, { recursive: true }).catch(() => {});
    }
  },
});
