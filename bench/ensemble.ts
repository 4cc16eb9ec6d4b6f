// `scripts/bench ensemble`: a 3-peer ensemble of Apache ZooKeeper 3.8 and one of
// `zkt serve`, each on loopback with the same zoo.cfg (fsync on), driven by the
// same load client (bench/client.ts): setData and getData throughput and p99
// through one follower, and failover time (kill -9 of the leader until a write
// through a surviving peer is accepted again). A kind whose ensemble does not
// serve is reported "not available" with the reason, never with numbers.
import { parseArgs } from "node:util";
import { BenchConn, CONN_LOST } from "./client.ts";
import { median, percentile, renderTable, type Row } from "./stats.ts";
import {
  closeAll,
  ensureNode,
  openMany,
  payload,
  pipeline,
  rateOf,
  type RunResult,
  warmUp,
} from "./workloads.ts";
import { type Kind, warmZktCache } from "./servers.ts";
import { Ensemble, type EnsembleMember } from "../tests/support/ensemble.ts";

const USAGE = `usage: scripts/bench ensemble [--quick] [--rounds N] [--json] [--bundle]
                                [--zkt-only | --zk-only] [--keep]
  Starts a 3-peer ensemble of Apache ZooKeeper 3.8, then one of zkt serve, on
  loopback with the same zoo.cfg (tickTime=2000, initLimit=10, syncLimit=5,
  forceSync=yes) and measures through one follower with the same load client:
  setData (100 B) and getData throughput and p99, then failover: kill -9 of the
  leader until a write through a surviving peer succeeds again (N rounds,
  default 3; the killed peer is restarted between rounds).
  --quick     small counts (a smoke run)
  --zkt-only  leave Apache ZooKeeper out;  --zk-only  leave zkt out
  --keep      keep the data dirs (paths on stderr)
  Exit 1 when a requested kind's ensemble did not serve (reported as not available).`;

/** Parsed command line. */
export interface EnsembleBenchArgs {
  quick: boolean;
  rounds: number;
  json: boolean;
  bundle: boolean;
  keep: boolean;
  kinds: Kind[];
  help: boolean;
}

/** Parses the flags; throws a one-line error on bad usage. */
export function parseEnsembleArgs(argv: string[]): EnsembleBenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean", default: false },
        rounds: { type: "string" },
        json: { type: "boolean", default: false },
        bundle: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        "zkt-only": { type: "boolean", default: false },
        "zk-only": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new Error((e as Error).message.split(". ")[0]);
  }
  if (values["zkt-only"] && values["zk-only"]) {
    throw new Error("--zkt-only and --zk-only exclude each other");
  }
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new Error(`--rounds must be 1..20, not ${values.rounds}`);
  }
  const kinds: Kind[] = values["zkt-only"] ? ["zkt"] : values["zk-only"] ? ["zk"] : ["zk", "zkt"];
  return {
    quick: values.quick!,
    rounds,
    json: values.json!,
    bundle: values.bundle!,
    keep: values.keep!,
    kinds,
    help: values.help!,
  };
}

/** Counts of one run; every loop is bounded by a count and a time. */
interface Sizes {
  warmScale: number;
  warmMs: number;
  setClients: number;
  setWindow: number;
  sets: number;
  getConns: number;
  getWindow: number;
  gets: number;
  stepMs: number;
  failoverTimeoutMs: number;
}

const SIZES: Record<"default" | "quick", Sizes> = {
  default: {
    warmScale: 1,
    warmMs: 12_000,
    setClients: 16,
    setWindow: 4,
    sets: 20_000,
    getConns: 4,
    getWindow: 100,
    gets: 150_000,
    stepMs: 10_000,
    failoverTimeoutMs: 120_000,
  },
  quick: {
    warmScale: 0.1,
    warmMs: 2_500,
    setClients: 8,
    setWindow: 2,
    sets: 1000,
    getConns: 4,
    getWindow: 50,
    gets: 5000,
    stepMs: 2_500,
    failoverTimeoutMs: 120_000,
  },
};

/** A run with per-op latencies. */
interface TimedRun extends RunResult {
  p50: number;
  p99: number;
}

/** Runs `pipeline` and records every op's latency (send to reply), ms. */
async function timed(
  conns: BenchConn[],
  window: number,
  total: number,
  timeMs: number,
  issue: (c: BenchConn, i: number, done: (err: number) => void) => void,
): Promise<TimedRun> {
  const lat: number[] = [];
  const r = await pipeline(conns, window, total, timeMs, (c, i, done) => {
    const t = performance.now();
    issue(c, i, (err) => {
      if (err === 0) lat.push(performance.now() - t);
      done(err);
    });
  });
  return { ...r, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** setData of 100 B on a node per client through `port`. */
async function setDataRun(port: number, s: Sizes): Promise<TimedRun> {
  const conns = await openMany(port, s.setClients);
  try {
    await ensureNode(conns[0], "/eset");
    await Promise.all(conns.map((c, k) => ensureNode(c, `/eset/c${k}`)));
    const data = payload(100);
    const index = new Map(conns.map((c, k) => [c, k]));
    return await timed(conns, s.setWindow, s.sets, s.stepMs, (c, _i, d) => {
      c.setData(`/eset/c${index.get(c)}`, data, d);
    });
  } finally {
    await closeAll(conns);
  }
}

/** getData of one 100 B node through `port`. */
async function getDataRun(port: number, s: Sizes): Promise<TimedRun> {
  const conns = await openMany(port, s.getConns);
  try {
    await ensureNode(conns[0], "/eget", payload(100));
    return await timed(conns, s.getWindow, s.gets, s.stepMs, (c, _i, d) => {
      c.getData("/eget", false, d);
    });
  } finally {
    await closeAll(conns);
  }
}

/**
 * One setData through any of `ports` (a new session each try, as a client
 * that lost its server does): resolves at the first success, bounded by the
 * deadline. Returns the time of that success (performance.now()).
 */
async function firstAcceptedWrite(ports: number[], deadline: number): Promise<number> {
  const data = payload(16);
  let last = "";
  for (let i = 0; performance.now() < deadline; i++) {
    const port = ports[i % ports.length];
    let c: BenchConn | null = null;
    try {
      c = await BenchConn.open(port, 10_000);
      const conn = c;
      const err = await conn.call((d) => conn.setData("/efail", data, d));
      if (err === 0) {
        const at = performance.now();
        await c.close().catch(() => {});
        return at;
      }
      last = `setData error ${err}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await c?.drop().catch(() => {});
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no write accepted within the deadline (last: ${last})`);
}

/**
 * kill -9 of the leader while a writer loops setData through a follower that
 * stays; ms from the kill until a write is accepted again. The killed peer is
 * restarted and the ensemble waited for afterwards.
 */
async function failoverRound(e: Ensemble, s: Sizes): Promise<number> {
  const leader = (await e.waitServing()) as EnsembleMember;
  const rest = e.running.filter((m) => m !== leader);
  const ports = rest.map((m) => m.client);
  // The writer's steady state before the kill: writes flow through a follower.
  const w = await BenchConn.open(ports[0]);
  await ensureNode(w, "/efail");
  const data = payload(16);
  let running = true;
  const loop = (async () => {
    while (running) {
      const err = await w.call((d) => w.setData("/efail", data, d));
      if (err === CONN_LOST) break;
    }
  })();
  const t0 = performance.now();
  await e.kill(leader);
  running = false;
  await loop;
  await w.drop();
  const at = await firstAcceptedWrite(ports, t0 + s.failoverTimeoutMs);
  const ms = at - t0;
  e.restart(leader);
  await e.waitServing();
  return ms;
}

/** What one kind measured, or why it could not. */
interface KindResult {
  kind: Kind;
  error?: string;
  set?: TimedRun;
  get?: TimedRun;
  failoverMs: number[];
  leaderSid?: number;
  followerSid?: number;
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

const NAMES: Record<Kind, string> = { zkt: "zkt", zk: "ZooKeeper" };

/** Ensembles running now, killed by PID on Ctrl-C. */
const live = new Set<Ensemble>();

async function runKind(
  kind: Kind,
  args: EnsembleBenchArgs,
  base: string,
  log: (m: string) => void,
): Promise<KindResult> {
  const s = SIZES[args.quick ? "quick" : "default"];
  const out: KindResult = { kind, failoverMs: [] };
  let e: Ensemble;
  try {
    // A first run compiles main.ts; warm the cache so peers start as a binary would.
    if (kind === "zkt") {
      await warmZktCache({ bundle: args.bundle, root: ROOT, jvmHeap: "-Xmx1000m" });
    }
    log(`starting a 3-peer ${NAMES[kind]} ensemble`);
    e = await Ensemble.start([kind, kind, kind], {
      tickTime: 2000,
      initLimit: 10,
      syncLimit: 5,
      cfg: ["forceSync=yes"],
      jvmHeap: "-Xmx1000m",
      bundle: args.bundle,
      baseDir: `${base}/${kind}`,
      readyTimeoutMs: 90_000,
    });
  } catch (err) {
    out.error = `its ensemble did not serve: ${(err as Error).message.split("\n")[0]}`;
    return out;
  }
  live.add(e);
  try {
    const leader = await e.waitServing();
    const follower = e.running.find((m) => m !== leader)!;
    out.leaderSid = leader.sid;
    out.followerSid = follower.sid;
    log(`${NAMES[kind]}: leader ${leader.sid}, measuring through follower ${follower.sid}`);
    await warmUp(follower.client, s.warmScale, s.warmMs);
    out.set = await setDataRun(follower.client, s);
    log(`${NAMES[kind]}: setData ${rateOf(out.set).toFixed(0)} ops/s`);
    out.get = await getDataRun(follower.client, s);
    log(`${NAMES[kind]}: getData ${rateOf(out.get).toFixed(0)} ops/s`);
    for (let r = 0; r < args.rounds; r++) {
      const ms = await failoverRound(e, s);
      out.failoverMs.push(ms);
      log(`${NAMES[kind]}: failover round ${r + 1}: ${ms.toFixed(0)} ms`);
    }
  } catch (err) {
    out.error = (err as Error).message.split("\n")[0];
  } finally {
    await e.stop({ keep: true });
    live.delete(e);
  }
  return out;
}

/** The table rows for both kinds (null where a kind has no number). */
export function rowsOf(results: readonly KindResult[]): Row[] {
  const of = (k: Kind) => results.find((r) => r.kind === k);
  const val = (k: Kind, f: (r: KindResult) => number | undefined): number | null => {
    const r = of(k);
    if (!r || r.error) return null;
    const v = f(r);
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const row = (
    workload: string,
    metric: string,
    unit: string,
    better: "higher" | "lower",
    f: (r: KindResult) => number | undefined,
  ): Row => ({ workload, metric, unit, better, zkt: val("zkt", f), zk: val("zk", f) });
  return [
    row(
      "1 setData 100 B via a follower",
      "throughput",
      "ops/s",
      "higher",
      (r) => r.set && rateOf(r.set),
    ),
    row("1 setData 100 B via a follower", "p99 latency", "ms", "lower", (r) => r.set?.p99),
    row(
      "2 getData 100 B via a follower",
      "throughput",
      "ops/s",
      "higher",
      (r) => r.get && rateOf(r.get),
    ),
    row("2 getData 100 B via a follower", "p99 latency", "ms", "lower", (r) => r.get?.p99),
    row(
      "3 failover",
      "kill -9 leader -> write accepted (median)",
      "ms",
      "lower",
      (r) => r.failoverMs.length ? median(r.failoverMs) : undefined,
    ),
    row(
      "3 failover",
      "kill -9 leader -> write accepted (max)",
      "ms",
      "lower",
      (r) => r.failoverMs.length ? Math.max(...r.failoverMs) : undefined,
    ),
  ];
}

/** Entry point: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: EnsembleBenchArgs;
  try {
    args = parseEnsembleArgs(argv);
  } catch (e) {
    console.error(`bench ensemble: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const base = await Deno.makeTempDir({ prefix: "zkt-bench-ensemble-" });
  const log = (m: string) => console.error(`bench ensemble: ${m}`);
  const results: KindResult[] = [];
  const onSignal = () => {
    for (const e of live) {
      for (const m of e.members) {
        try {
          m.child?.kill("SIGKILL");
        } catch { /* gone */ }
      }
    }
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    for (const kind of args.kinds) results.push(await runKind(kind, args, base, log));
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    if (args.keep) log(`data dirs kept in ${base}`);
    else await Deno.remove(base, { recursive: true }).catch(() => {});
  }
  const rows = rowsOf(results);
  const failed = results.filter((r) => r.error);
  if (args.json) {
    console.log(JSON.stringify(
      {
        run: args.quick ? "quick" : "default",
        rounds: args.rounds,
        rows,
        results: results.map((r) => ({
          kind: r.kind,
          error: r.error ?? null,
          leaderSid: r.leaderSid ?? null,
          followerSid: r.followerSid ?? null,
          set: r.set ?? null,
          get: r.get ?? null,
          failoverMs: r.failoverMs,
        })),
      },
      null,
      2,
    ));
  } else {
    const s = SIZES[args.quick ? "quick" : "default"];
    console.log(
      [
        "3-peer ensembles on loopback, same zoo.cfg (tickTime=2000, initLimit=10, syncLimit=5,",
        `forceSync=yes); load through one follower: setData ${s.setClients} clients x ${s.setWindow}`,
        `outstanding, getData ${s.getConns} x ${s.getWindow}; failover: ${args.rounds} round(s).`,
        "",
      ].join("\n"),
    );
    console.log(renderTable(rows));
    for (const r of failed) console.log(`${NAMES[r.kind]}: not available (${r.error})`);
  }
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
