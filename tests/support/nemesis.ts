// A seeded nemesis against an ensemble on loopback (issue 18): for a bounded
// time it partitions (isolates the leader, splits minority from majority,
// bridges two halves through one member), delays links, kills -9 and
// restarts members, and heals, while kazoo sessions (nemesis_clients.py) read,
// write, compare-and-set on versions and create sequential nodes. Then it
// heals everything, waits until every member serves, reads every member's
// tree after sync, and checks the history (linearizability.ts) and that the
// trees are equal, live and as each member's data dir replays after kill -9.
//
// The seed fixes the plan: each round's fault kind, its random draws and how
// long it holds (planRounds, pure), and the clients' choices. Replaying a seed
// replays that plan; what the processes do in between (who leads when a round
// says "isolate the leader", which op lands where) is up to them, so a replay
// is the same schedule, not the same interleaving.
import {
  Ensemble,
  type EnsembleMember,
  type MemberSpec,
  replayDataDir,
  type ReplayedNode,
  treeDiff,
} from "./ensemble.ts";
import { SYSTEM_PYTHON } from "./interop.ts";
import { KazooDriver, type KazooNode } from "./kazoo_driver.ts";
import { checkHistory, type Op, type RegState, type Verdict } from "./linearizability.ts";
import { type CutMode, LinkNet } from "./link_net.ts";
import { waitFor } from "./wait.ts";

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a round does. */
export type FaultKind = "isolate-leader" | "split" | "bridge" | "kill" | "delay" | "heal";

/** One round of the plan: the fault, its random draws, how it cuts and how long it holds. */
export interface PlannedRound {
  kind: FaultKind;
  draws: number[];
  mode: CutMode;
  holdMs: number;
  /** Whether a member killed earlier comes back this round. */
  restartOne: boolean;
}

const WEIGHTS: [FaultKind, number][] = [
  ["isolate-leader", 0.2],
  ["split", 0.2],
  ["bridge", 0.1],
  ["kill", 0.2],
  ["delay", 0.1],
  ["heal", 0.2],
];

/** The first `count` rounds of seed's plan (pure: same seed, same plan). */
export function planRounds(seed: number, count: number): PlannedRound[] {
  const rng = mulberry32(seed);
  const out: PlannedRound[] = [];
  for (let i = 0; i < count; i++) {
    let x = rng();
    let kind: FaultKind = "heal";
    for (const [k, w] of WEIGHTS) {
      if (x < w) {
        kind = k;
        break;
      }
      x -= w;
    }
    out.push({
      kind,
      draws: [rng(), rng(), rng(), rng(), rng()],
      mode: rng() < 0.5 ? "drop" : "reset",
      holdMs: 1000 + Math.floor(rng() * 3000),
      restartOne: rng() < 0.4,
    });
  }
  return out;
}

/** xs shuffled by draws (Fisher-Yates on the draws, cycled). */
function shuffled<T>(xs: readonly T[], draws: readonly number[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(draws[i % draws.length] * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Settings of one nemesis run. */
export interface NemesisOptions {
  kinds: MemberSpec[];
  seed: number;
  /** How long the nemesis acts, s. */
  seconds: number;
  /** Client sessions (default: members + 1). */
  sessions?: number;
  /** Registers (default: one per member, to keep each key's history searchable). */
  keys?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What a run found. */
export interface NemesisResult {
  seed: number;
  kinds: string;
  rounds: number;
  /** Leaders seen at the rounds' starts that differ from the one before. */
  leaderChanges: number;
  /** The faults applied, in order, with their time (s since the nemesis began). */
  faults: string[];
  ops: number;
  /** Ops whose outcome the client does not know. */
  unknown: number;
  ackedWrites: number;
  lost: number;
  verdict: Verdict;
  /** Paths under /nem that differ between members after healing (live, then data dirs). */
  treeDiffs: string[];
  /** zk_digest_mismatches_count summed over the Java members. */
  digestMismatches: number;
  ok: boolean;
  /** Members' log tails and the clients' stderr, when not ok. */
  logs?: string;
  /** The members' dirs (zoo.cfg, data, server.log), kept when not ok. */
  dir?: string;
}

const SCRIPT = new URL("./nemesis_clients.py", import.meta.url).pathname;

/** Runs one seeded nemesis on a fresh ensemble of `kinds`; stops everything it started. */
export async function runNemesis(o: NemesisOptions): Promise<NemesisResult> {
  const log = o.log ?? (() => {});
  const net = new LinkNet();
  const e = await Ensemble.start(o.kinds, {
    peerPorts: net.peerPorts,
    tickTime: 500,
    initLimit: 10,
    syncLimit: 5,
  }).catch(async (err) => {
    await net.close();
    throw err;
  });
  const k = KazooDriver.start();
  const base = e.members[0].dir.replace(/\/m1$/, "");
  let ok = false;
  let clients: Deno.ChildProcess | null = null;
  let clientErr = "";
  try {
    const keyCount = o.keys ?? o.kinds.length;
    const keys = Array.from({ length: keyCount }, (_, i) => `/nem/r${i}`);
    await k.connect("setup", e.hosts());
    await k.create("setup", "/nem", "");
    for (const key of keys) await k.create("setup", key, "init");
    await k.create("setup", "/nem/seq", "");
    await k.close("setup");
    const init = new Map<string, RegState>(keys.map((key) => [key, { value: "init", version: 0 }]));

    const cfg = {
      hosts: e.hosts(),
      seed: o.seed,
      seconds: o.seconds + 5, // and some ops after healing
      sessions: o.sessions ?? o.kinds.length + 1,
      keys,
      seq_parent: "/nem/seq",
      ops_per_session: 20_000,
      session_timeout: 6,
      op_timeout: 5,
    };
    clients = new Deno.Command(SYSTEM_PYTHON, {
      args: ["-u", SCRIPT, JSON.stringify(cfg)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = clients.output();

    // The nemesis proper.
    const faults: string[] = [];
    const t0 = Date.now();
    const sids = e.members.map((m) => m.sid);
    const n = sids.length;
    const maxDown = Math.floor((n - 1) / 2);
    const note = (s: string) => {
      const line = `${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`;
      faults.push(line);
      log(line);
    };
    const down = () => e.members.filter((m) => m.child === null);
    const restart = (m: EnsembleMember) => {
      e.restart(m);
      note(`restart ${m.sid}`);
    };
    let rounds = 0;
    let leaderChanges = 0;
    let lastLeader: number | undefined;
    const plan = planRounds(o.seed, 10_000);
    while (Date.now() - t0 < o.seconds * 1000) {
      const r = plan[rounds++];
      const d = r.draws;
      const now = (await e.leader())?.sid;
      if (now !== undefined && now !== lastLeader) {
        if (lastLeader !== undefined) leaderChanges++;
        lastLeader = now;
      }
      if (r.restartOne && down().length > 0) restart(down()[0]);
      switch (r.kind) {
        case "isolate-leader": {
          const s = now ?? sids[Math.floor(d[0] * n)];
          net.partition([[s], sids.filter((x) => x !== s)], r.mode);
          note(`isolate ${s}${now !== undefined ? " (leader)" : ""} ${r.mode}`);
          break;
        }
        case "split": {
          const order = shuffled(sids, d);
          const size = 1 + Math.floor(d[1] * maxDown);
          const groups = [order.slice(0, size), order.slice(size)];
          net.partition(groups, r.mode);
          note(`split ${groups.map((g) => g.join(",")).join(" | ")} ${r.mode}`);
          break;
        }
        case "bridge": {
          const [b, ...rest] = shuffled(sids, d);
          const half = Math.ceil(rest.length / 2);
          const a = rest.slice(0, half);
          const c = rest.slice(half);
          net.setCuts(a.flatMap((x) => c.map((y) => [x, y] as [number, number])), r.mode);
          note(`bridge ${b} between ${a.join(",")} and ${c.join(",")} ${r.mode}`);
          break;
        }
        case "kill": {
          const up = e.members.filter((m) => m.child !== null);
          if (down().length >= maxDown) {
            restart(down()[0]);
            break;
          }
          const v = up[Math.floor(d[0] * up.length)];
          await e.kill(v);
          note(`kill -9 ${v.sid} (${v.kind})`);
          break;
        }
        case "delay": {
          const [a, b] = shuffled(sids, d);
          const ms = 20 + Math.floor(d[2] * 300);
          net.delay(a, b, ms);
          note(`delay ${a}-${b} ${ms} ms`);
          break;
        }
        case "heal": {
          net.heal();
          note("heal");
          break;
        }
      }
      // Let the fault act for a while: pacing of the schedule, not a wait for a state.
      await new Promise((res) => setTimeout(res, r.holdMs));
    }
    net.heal();
    note("heal (end)");
    for (const m of down()) restart(m);

    const { stdout, stderr } = await out;
    clients = null;
    clientErr = new TextDecoder().decode(stderr);
    const ops: Op[] = JSON.parse(new TextDecoder().decode(stdout)).history;
    log(`clients done: ${ops.length} ops`);

    await e.waitServing(180_000);
    // Every member's tree after sync, through a session on that member alone.
    const trees = new Map<number, Map<string, KazooNode>>();
    for (const m of e.members) {
      const name = `final${m.sid}`;
      const tree = await waitFor(
        `member ${m.sid}'s tree`,
        async () => {
          try {
            await k.connect(name, e.direct(m), { randomize: false });
            return await k.tree(name, "/nem");
          } finally {
            await k.close(name).catch(() => {});
          }
        },
        120_000,
        500,
      );
      trees.set(m.sid, new Map(Object.entries(tree)));
    }
    const first = trees.get(sids[0])!;
    const treeDiffs: string[] = [];
    for (const s of sids.slice(1)) {
      for (const d of treeDiff(first, trees.get(s)!)) treeDiffs.push(`${sids[0]} vs ${s}: ${d}`);
    }
    // mntr has the count only while a member serves: poll through a re-election.
    const digest = [
      ...(await waitFor(
        "every Java member's digest mismatch count",
        async () => {
          await e.waitServing(60_000);
          return await e.digestMismatches();
        },
        180_000,
        500,
      )).values(),
    ].reduce((a, b) => a + b, 0);
    // And what each member's data dir holds (what a restart would load).
    const disks = new Map<number, Map<string, ReplayedNode>>();
    for (const m of e.members) {
      await e.kill(m);
      const all = await replayDataDir(`${m.dir}/data`);
      disks.set(m.sid, new Map([...all].filter(([p]) => p === "/nem" || p.startsWith("/nem/"))));
    }
    for (const s of sids.slice(1)) {
      for (const d of treeDiff(disks.get(sids[0])!, disks.get(s)!)) {
        treeDiffs.push(`data dirs ${sids[0]} vs ${s}: ${d}`);
      }
    }
    const tEnd = Math.max(0, ...ops.map((x) => x.complete)) + 1;
    for (const key of keys) {
      const node = first.get(key);
      ops.push({
        session: "final",
        kind: "read",
        key,
        invoke: tEnd,
        complete: tEnd + 1,
        status: "ok",
        data: node?.data ?? null,
        version: node?.version ?? -1,
        final: true,
      });
    }
    const children = new Set([...first.keys()].filter((p) => p.startsWith("/nem/seq/")));
    const verdict = checkHistory(ops, init, new Map([["/nem/seq", children]]));
    ok = verdict.ok && treeDiffs.length === 0 && digest === 0;
    return {
      seed: o.seed,
      kinds: o.kinds.join(","),
      rounds,
      leaderChanges,
      faults,
      ops: ops.filter((x) => !x.final).length,
      unknown: ops.filter((x) => x.status === "unknown").length,
      ackedWrites: verdict.ackedWrites,
      lost: verdict.lost,
      verdict,
      treeDiffs,
      digestMismatches: digest,
      ok,
      logs: ok ? undefined : `${await e.logs(60)}\n--- clients ---\n${clientErr.slice(-3000)}`,
      dir: ok ? undefined : base,
    };
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nmembers' dirs kept in ${base}\n${await e.logs(40)}`,
    );
  } finally {
    if (clients) {
      try {
        clients.kill("SIGKILL");
      } catch { /* gone */ }
      await clients.output().catch(() => {});
    }
    await k.stop();
    // A failed run keeps its members' dirs (logs, data) for a post-mortem.
    await e.stop({ keep: !ok });
    await net.close();
  }
}

/** "kill:2,split:3,..." from fault lines ("12.3s kill -9 2 (zkt)"). */
function faultCounts(faults: readonly string[]): string {
  const n = new Map<string, number>();
  for (const f of faults) {
    const kind = f.split(" ")[1];
    if (f.endsWith("(end)")) continue;
    n.set(kind, (n.get(kind) ?? 0) + 1);
  }
  return [...n].sort().map(([k, v]) => `${k}:${v}`).join(",");
}

/** One line per run: seed, kinds, rounds, ops, acknowledged writes, lost, verdict. */
export function summary(r: NemesisResult): string {
  const lin = r.verdict.keys.every((x) => x.linearizable === true)
    ? "linearizable"
    : r.verdict.keys.some((x) => x.linearizable === false)
    ? "NOT-linearizable"
    : "inconclusive";
  return [
    `seed=${r.seed}`,
    `kinds=${r.kinds}`,
    `rounds=${r.rounds}`,
    `faults=${faultCounts(r.faults)}`,
    `leader_changes=${r.leaderChanges}`,
    `ops=${r.ops}`,
    `unknown=${r.unknown}`,
    `acked_writes=${r.ackedWrites}`,
    `lost=${r.lost}`,
    `writes=${lin}`,
    `reads=${r.verdict.readViolations.length === 0 ? "seq-consistent" : "VIOLATED"}`,
    `creates=${r.verdict.createViolations.length === 0 ? "ok" : "VIOLATED"}`,
    `trees=${r.treeDiffs.length === 0 ? "equal" : "DIFFER"}`,
    `digest_mismatches=${r.digestMismatches}`,
    r.ok ? "PASS" : "FAIL",
  ].join(" ");
}

/** The details of a failed run (violations, tree diffs, faults), for a report. */
export function details(r: NemesisResult): string {
  return [
    `faults:\n  ${r.faults.join("\n  ")}`,
    ...r.verdict.keys.filter((x) => x.linearizable !== true).map((x) =>
      `key ${x.key}: ${x.ops} ops, linearizable=${x.linearizable} after ${x.steps} steps`
    ),
    ...r.verdict.readViolations.slice(0, 20).map((x) => `read: ${x}`),
    ...r.verdict.createViolations.slice(0, 20).map((x) => `create: ${x}`),
    ...r.treeDiffs.slice(0, 20).map((x) => `tree: ${x}`),
    ...(r.dir ? [`members' dirs kept in ${r.dir}`] : []),
  ].join("\n");
}
