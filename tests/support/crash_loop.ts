// Crash loops over an ensemble (issue 18, "Faults"): a seeded sequence of
// rounds, each under a bounded kazoo write load that records acknowledged
// creates; at a random moment of the load (after a random number of acks) a
// random member (leader or not) gets kill -9, is restarted on its data dir and
// the round waits until every member serves again (srvr). Some rounds keep
// the member down while the others take up to 1,500 more writes (more than
// the 500-1,000 a leader keeps for DIFF: it then syncs by SNAP), and some kill it again
// at a random moment of its restart (restore, election, sync) before
// restarting it for good. snapCount=100 makes every member roll its log and
// snapshot every 50-100 txns, so kills land in those too. After the rounds:
// every acknowledged write is read through every server after sync(), the
// servers' trees are equal, and with every member stopped their data dirs
// replay to the same tree and pass `zkt txnlog verify` and `zkt snap verify`.
// The CI test runs a few rounds; scripts/nightly-crashes runs this file for
// the long version and prints the numbers.
import { comparable, Ensemble, type MemberSpec, replayDataDir, treeDiff } from "./ensemble.ts";
import { KazooDriver } from "./kazoo_driver.ts";
import { waitFor } from "./wait.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** A small seeded PRNG (mulberry32): the same seed replays the same rounds. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a crash loop runs. */
export interface CrashLoopOptions {
  kinds: MemberSpec[];
  rounds: number;
  seed: number;
  /** Creates each round's load issues (bounded; default 120). */
  createsPerRound?: number;
  /** The kill comes after 0..killAfterMax acks of the round's load (default 80). */
  killAfterMax?: number;
  /** Chance that a round keeps its member down for 0-1500 more acks (default 0.3). */
  downChance?: number;
  /** Chance that a round kills its member again during its restart (default 0.25). */
  rekillChance?: number;
  /** Deadline for elections and restarts (default 120 s). */
  slowMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One round: who was killed, when, and what the load saw. */
export interface RoundRecord {
  round: number;
  sid: number;
  kind: string;
  wasLeader: boolean;
  /** Acks of this round's load before the kill. */
  killAfterAcks: number;
  /** Acks taken by the others while it was down (when the round waited for them). */
  downAcks: number;
  /** ms after the restart it was killed again, or -1. */
  rekillAfterMs: number;
  acked: number;
  failed: number;
  /** Its (last) restart -> every member serving again, ms. */
  servingAgainMs: number;
}

/** `zkt txnlog verify` / `zkt snap verify` of one data dir. */
export interface VerifyRecord {
  sid: number;
  kind: string;
  txnlog: { code: number; out: string };
  snap: { code: number; out: string };
}

/** What a crash loop found. */
export interface CrashLoopResult {
  kinds: MemberSpec[];
  seed: number;
  rounds: RoundRecord[];
  /** Creates issued (acked + failed). */
  ops: number;
  acked: number;
  /** Acknowledged paths some server did not have after sync(). */
  lost: string[];
  /** Differences between the servers' trees (kazoo, after sync) and between the data dirs' replays. */
  treeDiffs: string[];
  /** Java members' zk_digest_mismatches_count, summed. */
  digestMismatches: number;
  verify: VerifyRecord[];
  /** ERROR lines zkt members logged (each a finding to read). */
  zktErrors: string[];
  /** How leaders synced the restarted learners: DIFF, SNAP, TRUNC counts (zkt and Java logs). */
  syncs: Record<string, number>;
}

/** The sync modes leaders logged (zkt: "Synchronizing with Learner ...: DIFF"; 3.8: "Sending DIFF"). */
export function syncModes(logs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const text of logs) {
    for (
      const m of text.matchAll(
        /Synchronizing with Learner sid: \d+ [^:]*: (DIFF|SNAP|TRUNC)|Sending (DIFF|SNAP|TRUNC) zxid/g,
      )
    ) {
      const mode = m[1] ?? m[2];
      out[mode] = (out[mode] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * A Java member's log holding txns twice: ZooKeeper 3.8.0 followers that
 * rejoin under writes leave them (Java-only ensembles too), `zkt txnlog
 * verify` reports it (exit 3) and restore applies them again, as 3.8 does.
 * A finding about the Java peer, counted apart; on a zkt member it fails.
 */
export function javaLoggedTwice(v: VerifyRecord): boolean {
  return v.kind === "zk" && v.txnlog.code === 3 && /txns logged twice/.test(v.txnlog.out);
}

/** True when nothing was lost, trees agree and every data dir verifies (but javaLoggedTwice). */
export function crashLoopPassed(r: CrashLoopResult): boolean {
  return r.lost.length === 0 && r.treeDiffs.length === 0 && r.digestMismatches === 0 &&
    r.verify.every((v) => (v.txnlog.code === 0 || javaLoggedTwice(v)) && v.snap.code === 0);
}

/** Runs `zkt <args>` and returns its exit code and combined output. */
export async function zkt(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", `${ROOT}/main.ts`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: (dec.decode(r.stdout) + dec.decode(r.stderr)).trim() };
}

/** Creates path (and its parents) through client `name`, retrying while a member is down. */
async function ensurePath(k: KazooDriver, name: string, path: string, slowMs: number) {
  await waitFor(
    `${path} created`,
    async () => {
      try {
        await k.create(name, path, "", { makepath: true });
      } catch (e) {
        if (!/NodeExists/.test((e as Error).message)) throw e;
      }
      return true;
    },
    slowMs,
    100,
  );
}

/** Runs the loop on a fresh ensemble; throws only when the harness itself fails. */
export async function runCrashLoop(o: CrashLoopOptions): Promise<CrashLoopResult> {
  const rnd = seededRandom(o.seed);
  const slow = o.slowMs ?? 120_000;
  const per = o.createsPerRound ?? 120;
  const killMax = o.killAfterMax ?? 80;
  const say = o.log ?? (() => {});
  const downChance = o.downChance ?? 0.3;
  const rekillChance = o.rekillChance ?? 0.25;
  const e = await Ensemble.start(o.kinds, {
    leaderLast: true,
    readyTimeoutMs: slow,
    cfg: ["snapCount=100"],
  });
  const k = KazooDriver.start();
  const rounds: RoundRecord[] = [];
  const acked: string[] = [];
  try {
    await k.connect("w", e.hosts(), { timeout: 10 });
    for (let r = 1; r <= o.rounds; r++) {
      const prefix = `/crash/r${String(r).padStart(4, "0")}`;
      await ensurePath(k, "w", prefix, slow);
      const victim = e.members[Math.floor(rnd() * e.members.length)];
      const killAfter = Math.floor(rnd() * (killMax + 1));
      const down = rnd() < downChance ? Math.floor(rnd() * 1501) : 0;
      const rekill = rnd() < rekillChance ? Math.floor(rnd() * 1500) : -1;
      const leader = await e.leader();
      await k.loadStart("w", prefix, per + down, slow / 1000);
      await k.waitAcked("w", killAfter, `${killAfter} acks in round ${r}`, slow, 10);
      await e.kill(victim);
      let downAcks = 0;
      if (down > 0) {
        const s = await k.waitAcked("w", killAfter + down, `${down} more acks in round ${r}`, slow);
        downAcks = s.acked - killAfter;
      }
      let t0 = performance.now();
      e.restart(victim);
      if (rekill >= 0) {
        // A random moment of the restart: no state to wait for, the moment is the point.
        await new Promise((done) => setTimeout(done, rekill));
        await e.kill(victim);
        t0 = performance.now();
        e.restart(victim);
      }
      await e.waitServing(slow);
      const servingAgainMs = Math.round(performance.now() - t0);
      const load = await k.loadWait("w");
      if (!load.done) throw new Error(`round ${r}: the load did not finish`);
      acked.push(...load.acked);
      const rec: RoundRecord = {
        round: r,
        sid: victim.sid,
        kind: victim.kind,
        wasLeader: leader === victim,
        killAfterAcks: killAfter,
        downAcks,
        rekillAfterMs: rekill,
        acked: load.acked.length,
        failed: load.failed,
        servingAgainMs,
      };
      rounds.push(rec);
      say(
        `round ${r}: kill -9 member ${victim.sid} (${victim.kind}${
          rec.wasLeader ? ", leader" : ""
        }) after ${killAfter} acks${down > 0 ? `, down for ${downAcks} acks` : ""}${
          rekill >= 0 ? `, killed again ${rekill} ms into its restart` : ""
        }; restart -> all serving ${servingAgainMs} ms; ` +
          `${rec.acked} acked, ${rec.failed} failed`,
      );
    }
    await k.close("w");

    // Every acknowledged write through every server, after sync().
    const lost = new Set<string>();
    const names: string[] = [];
    for (const m of e.members) {
      const n = `s${m.sid}`;
      await k.connect(n, e.direct(m), { timeout: 10 });
      names.push(n);
      const have = new Set<string>();
      await k.sync(n, "/crash");
      for (const r of await k.call<string[]>("children", { name: n, path: "/crash" })) {
        for (const c of await k.call<string[]>("children", { name: n, path: `/crash/${r}` })) {
          have.add(`/crash/${r}/${c}`);
        }
      }
      for (const p of acked) if (!have.has(p)) lost.add(`${p} (via member ${m.sid})`);
    }
    const treeDiffs: string[] = [];
    const trees = [];
    for (const n of names) {
      const t = await k.tree(n);
      trees.push(new Map(Object.entries(t).map(([p, v]) => [p, comparable(p, v)])));
    }
    for (let i = 1; i < trees.length; i++) {
      for (const d of treeDiff(trees[0], trees[i])) {
        treeDiffs.push(`${names[0]} vs ${names[i]}: ${d}`);
      }
    }
    let digestMismatches = 0;
    for (const [, n] of await e.digestMismatches()) digestMismatches += n;
    for (const n of names) await k.close(n);

    // The data dirs, every member stopped.
    for (const m of e.members) await e.kill(m);
    const replays = [];
    for (const m of e.members) replays.push(await replayDataDir(`${m.dir}/data`));
    for (let i = 1; i < replays.length; i++) {
      for (const d of treeDiff(replays[0], replays[i])) {
        treeDiffs.push(`data dir 1 vs ${e.members[i].sid}: ${d}`);
      }
    }
    const verify: VerifyRecord[] = [];
    for (const m of e.members) {
      verify.push({
        sid: m.sid,
        kind: m.kind,
        txnlog: await zkt(["txnlog", "verify", `${m.dir}/data`]),
        snap: await zkt(["snap", "verify", `${m.dir}/data`]),
      });
    }
    const syncs = syncModes(await Promise.all(e.members.map((m) => e.log(m))));
    const zktErrors: string[] = [];
    for (const m of e.members.filter((x) => x.kind === "zkt")) {
      for (const l of (await e.log(m)).split("\n")) {
        if (/ - ERROR /.test(l)) zktErrors.push(`member ${m.sid}: ${l}`);
      }
    }
    return {
      kinds: o.kinds,
      seed: o.seed,
      rounds,
      ops: rounds.reduce((s, r) => s + r.acked + r.failed, 0),
      acked: acked.length,
      lost: [...lost],
      treeDiffs,
      digestMismatches,
      verify,
      zktErrors,
      syncs,
    };
  } catch (err) {
    throw new Error(
      `crash loop [${o.kinds.join(",")}] seed ${o.seed}, after ${rounds.length} rounds: ${
        (err as Error).stack
      }\n${await e.logs(40)}\n--- kazoo ---\n${k.log().slice(-3000)}`,
    );
  } finally {
    await k.kill();
    await e.stop();
  }
}

/** The numbers of one loop, as the nightly script and a failing test print them. */
export function summary(r: CrashLoopResult): string {
  const killed = r.rounds.filter((x) => x.wasLeader).length;
  const ms = r.rounds.map((x) => x.servingAgainMs).sort((a, b) => a - b);
  const lines = [
    `[${
      r.kinds.join(",")
    }] seed ${r.seed}: ${r.rounds.length} rounds (${killed} killed the leader), ` +
    `${r.ops} ops, ${r.acked} acked, ${r.lost.length} lost; restart -> all serving median ` +
    `${ms[Math.floor(ms.length / 2)] ?? "-"} ms, max ${ms.at(-1) ?? "-"} ms`,
    `  syncs of learners: ${JSON.stringify(r.syncs)}; ` +
    `trees: ${r.treeDiffs.length === 0 ? "equal" : `${r.treeDiffs.length} differences`}; ` +
    `Java digest mismatches: ${r.digestMismatches}`,
    ...r.verify.map((v) =>
      `  member ${v.sid} (${v.kind}): txnlog verify exit ${v.txnlog.code}${
        javaLoggedTwice(v) ? " (3.8.0 logged txns twice: a Java finding)" : ""
      }, snap verify exit ${v.snap.code}` +
      (v.txnlog.code !== 0
        ? `\n    txnlog: ${v.txnlog.out.split("\n").slice(-3).join(" | ")}`
        : "") +
      (v.snap.code !== 0 ? `\n    snap: ${v.snap.out.split("\n").slice(-3).join(" | ")}` : "")
    ),
    `  zkt ERROR lines: ${r.zktErrors.length}`,
    ...r.zktErrors.slice(0, 10).map((l) => `    ${l.slice(0, 300)}`),
    ...r.lost.slice(0, 10).map((p) => `  LOST ${p}`),
    ...r.treeDiffs.slice(0, 10).map((d) => `  DIFF ${d.slice(0, 300)}`),
  ];
  return lines.join("\n");
}

// scripts/nightly-crashes: deno run -A tests/support/crash_loop.ts ROUNDS [SEED] [KINDS ...]
if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 50);
  const seed = Number(Deno.args[1] ?? Math.floor(Math.random() * 2 ** 31));
  const kindSets = Deno.args.length > 2
    ? Deno.args.slice(2).map((s) => s.split(",") as MemberSpec[])
    : [["zkt", "zkt", "zkt"], ["zk", "zkt", "zkt"], ["zk", "zk", "zkt"]] as MemberSpec[][];
  console.log(`crash loops: ${rounds} rounds per ensemble, seed ${seed}`);
  let ok = true;
  for (const kinds of kindSets) {
    const t0 = performance.now();
    const r = await runCrashLoop({ kinds, rounds, seed, log: (l) => console.log(`  ${l}`) });
    console.log(summary(r));
    console.log(`  took ${Math.round((performance.now() - t0) / 1000)} s`);
    const pass = crashLoopPassed(r);
    console.log(`  ${pass ? "PASS" : "FAIL"}`);
    ok &&= pass;
  }
  Deno.exit(ok ? 0 : 1);
}
