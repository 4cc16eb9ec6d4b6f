// `scripts/bench`: runs zkt and Apache ZooKeeper 3.8 side by side under the
// same load (same client code, same zoo.cfg) and prints zkt/ZooKeeper ratios.
import { freePort } from "../tests/support/ports.ts";
import { parseArgs } from "node:util";
import { BenchConn } from "./client.ts";
import {
  cpuMs,
  killAll,
  type Kind,
  type LaunchOptions,
  memKiB,
  rssKiB,
  rssSampler,
  type Server,
  startServer,
  stopServer,
  waitIdle,
  warmZktCache,
} from "./servers.ts";
import { type Better, byLeadingNumber, renderTable, type Row } from "./stats.ts";
import {
  getDataRate,
  loadZnodes,
  pipelinedCreate,
  rateOf,
  type RunResult,
  seqCreate,
  sessionRate,
  setDataRate,
  warmUp,
  watchFanout,
} from "./workloads.ts";

/** Sizes of one benchmark run; every loop is bounded by a count and a time. */
export interface Sizes {
  seqCreates: number;
  pipeCreates: number;
  pipeConns: number;
  pipeWindow: number;
  gets: number;
  setClients: number;
  sets: number;
  /** Outstanding setData per client in the throughput-bound run. */
  setWindow: number;
  sessionWorkers: number;
  sessions: number;
  fanWatchers: number;
  fanRounds: number;
  loadZnodes: number;
  warmScale: number;
  /** Time bound per measured workload, ms. */
  stepMs: number;
  warmMs: number;
  loadMs: number;
}

/** Default (moderate) and --quick sizes. */
export const SIZES: Record<"default" | "quick", Sizes> = {
  default: {
    seqCreates: 3000,
    pipeCreates: 50000,
    pipeConns: 4,
    pipeWindow: 200,
    gets: 150000,
    setClients: 16,
    sets: 20000,
    setWindow: 16,
    sessionWorkers: 4,
    sessions: 1500,
    fanWatchers: 500,
    fanRounds: 10,
    loadZnodes: 200_000,
    warmScale: 2,
    stepMs: 10_000,
    warmMs: 12_000,
    loadMs: 40_000,
  },
  quick: {
    seqCreates: 100,
    pipeCreates: 2000,
    pipeConns: 4,
    pipeWindow: 100,
    gets: 5000,
    setClients: 8,
    sets: 500,
    setWindow: 4,
    sessionWorkers: 4,
    sessions: 60,
    fanWatchers: 40,
    fanRounds: 3,
    loadZnodes: 5000,
    warmScale: 0.2,
    stepMs: 2500,
    warmMs: 2500,
    loadMs: 8000,
  },
};

/** Parsed command line. */
export interface BenchArgs {
  quick: boolean;
  json: boolean;
  bundle: boolean;
  keep: boolean;
  /** Skip phase B (bulk load, memory, restart): the request workloads only. */
  noLoad: boolean;
  help: boolean;
}

const USAGE = `usage: scripts/bench [--quick] [--json] [--bundle] [--keep] [--no-load]
  Runs Apache ZooKeeper 3.8 and zkt serve side by side on loopback with the same
  zoo.cfg and the same load client, and prints zkt/ZooKeeper ratios per workload.
  --quick   small counts (a smoke run, ~15 s)
  --json    print one JSON document instead of tables
  --bundle  run zkt from dist/zkt.js (deno task bundle) instead of main.ts
  --keep    keep the temporary data dirs (paths printed on stderr)
  --no-load only the request workloads (1-6): no bulk load, memory or restart`;

/** Parses the benchmark's flags; throws on unknown flags or positionals. */
export function parseBenchArgs(args: string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        quick: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        bundle: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        "no-load": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    // node:util's message continues with advice about '--'; the first sentence says it.
    throw new Error((e as Error).message.split(". ")[0]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new Error(`unexpected argument: ${positionals[0]}`);
  return {
    quick: values.quick!,
    json: values.json!,
    bundle: values.bundle!,
    keep: values.keep!,
    noLoad: values["no-load"]!,
    help: values.help!,
  };
}

/** How long after the bulk load goes idle the at-rest RSS is read (both servers alike). */
const SETTLE_MS = 3000;

/** Temp dirs to remove if the run is interrupted. */
const tempDirs = new Set<string>();

const NAMES: Record<Kind, string> = { zkt: "zkt", zk: "ZooKeeper" };
const ORDER: Kind[] = ["zk", "zkt"];

/** Collects rows and per-run details while the benchmark runs. */
class Results {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  readonly details: Record<string, Record<Kind, unknown>> = {};

  set(
    workload: string,
    metric: string,
    unit: string,
    better: Better,
    kind: Kind,
    value: number,
  ): void {
    let row = this.rows.find((r) => r.workload === workload && r.metric === metric);
    if (!row) {
      row = { workload, metric, unit, better, zkt: null, zk: null };
      this.rows.push(row);
    }
    row[kind] = Number.isFinite(value) ? value : null;
  }

  detail(workload: string, kind: Kind, d: unknown): void {
    const all = this.details[workload] ??= {} as Record<Kind, unknown>;
    all[kind] = { ...(all[kind] as object | undefined), ...(d as object) };
  }

  /** Records a pipelined run's rate and notes errors or a time cut. */
  run(workload: string, metric: string, kind: Kind, r: RunResult, requested: number): void {
    this.set(workload, metric, "ops/s", "higher", kind, rateOf(r));
    this.detail(workload, kind, { ...r, requested });
    if (r.errors > 0) this.notes.push(`${NAMES[kind]} ${workload}: ${r.errors} requests failed`);
    if (r.cut) {
      this.notes.push(
        `${NAMES[kind]} ${workload}: time bound hit after ${r.ok + r.errors}/${requested} ops`,
      );
    }
  }
}

function progress(msg: string, quiet: boolean): void {
  if (!quiet) console.error(`bench: ${msg}`);
}

async function runBench(args: BenchArgs, log: (m: string) => void): Promise<Results> {
  const size = args.quick ? SIZES.quick : SIZES.default;
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  if (args.bundle) {
    try {
      await Deno.stat(`${root}/dist/zkt.js`);
    } catch {
      throw new Error("dist/zkt.js not found: run `deno task bundle` first");
    }
  }
  const launch: LaunchOptions = { bundle: args.bundle, root, jvmHeap: "-Xmx1000m" };
  await warmZktCache(launch);
  const tmp = await Deno.makeTempDir({ prefix: "zkt-bench-" });
  if (!args.keep) tempDirs.add(tmp);
  const res = new Results();
  const servers: Partial<Record<Kind, Server>> = {};
  try {
    // Phase A: empty start, warm-up, then each workload on both servers in turn.
    for (const kind of ORDER) {
      log(`starting ${NAMES[kind]} on an empty data dir`);
      const s = await startServer(kind, `${tmp}/${kind}-a`, freePort(), launch);
      servers[kind] = s;
      res.set("7 startup to first srvr", "empty data dir", "ms", "lower", kind, s.startupMs);
      res.set(
        "8 memory (VmRSS)",
        "idle, empty tree",
        "MiB",
        "lower",
        kind,
        (await rssKiB(s.pid)) / 1024,
      );
    }
    for (const kind of ORDER) {
      log(`warm-up ${NAMES[kind]} (not measured)`);
      const ms = await warmUp(servers[kind]!.port, size.warmScale, size.warmMs);
      res.detail("warm-up", kind, { ms });
    }
    // Runs a workload on each server; when it returns an op count, also records
    // the server's CPU time per op (all threads, from /proc): less noisy than rates
    // on a shared machine, and free of the load client's own cost.
    const each = async (
      name: string,
      fn: (kind: Kind, port: number) => Promise<number | void>,
    ) => {
      for (const kind of ORDER) {
        log(`${name}: ${NAMES[kind]}`);
        const pid = servers[kind]!.pid;
        const cpu0 = await cpuMs(pid);
        const client0 = await cpuMs(Deno.pid);
        const wall0 = performance.now();
        let ops: number | void;
        try {
          ops = await fn(kind, servers[kind]!.port);
        } catch (e) {
          // One failed workload (or a crashed server) must not hide the others' numbers.
          res.notes.push(`${NAMES[kind]} ${name}: failed: ${(e as Error).message}`);
          continue;
        }
        const cpu = await cpuMs(pid) - cpu0;
        const clientPct = (await cpuMs(Deno.pid) - client0) * 100 / (performance.now() - wall0);
        res.detail(name, kind, {
          serverCpuPct: cpu * 100 / (performance.now() - wall0),
          clientCpuPct: clientPct,
        });
        if (clientPct > 90) {
          res.notes.push(
            `${NAMES[kind]} ${name}: the load client used ${clientPct.toFixed(0)}% of a CPU, ` +
              `so this rate may be bounded by the client`,
          );
        }
        if (typeof ops === "number" && ops > 0) {
          res.set(name, "server CPU per op", "µs", "lower", kind, (cpu * 1000) / ops);
        }
      }
    };

    const w1 = "1 sequential create (1 outstanding)";
    await each(w1, async (kind, port) => {
      const r = await seqCreate(port, size.seqCreates, size.stepMs);
      res.set(w1, "latency p50", "ms", "lower", kind, r.p50);
      res.set(w1, "latency p99", "ms", "lower", kind, r.p99);
      res.detail(w1, kind, { ...r, requested: size.seqCreates });
      if (r.errors) res.notes.push(`${NAMES[kind]} ${w1}: ${r.errors} creates failed`);
      if (r.cut) {
        res.notes.push(`${NAMES[kind]} ${w1}: time bound hit after ${r.count} creates`);
      }
      return r.count;
    });

    const w2 = `2 pipelined create (${size.pipeConns} conns x ${size.pipeWindow} outstanding)`;
    await each(w2, async (kind, port) => {
      const r = await pipelinedCreate(port, {
        conns: size.pipeConns,
        window: size.pipeWindow,
        total: size.pipeCreates,
        timeMs: size.stepMs,
        prefix: "/pipe",
      });
      res.run(w2, "creates/s", kind, r, size.pipeCreates);
      return r.ok;
    });

    const w3 = `3 getData 100 B (${size.pipeConns} conns x ${size.pipeWindow} outstanding)`;
    await each(w3, async (kind, port) => {
      const r = await getDataRate(port, {
        conns: size.pipeConns,
        window: size.pipeWindow,
        total: size.gets,
        timeMs: size.stepMs,
      });
      res.run(w3, "reads/s", kind, r, size.gets);
      return r.ok;
    });

    const w4 = `4 setData 100 B (${size.setClients} clients x 1 outstanding)`;
    await each(w4, async (kind, port) => {
      const r = await setDataRate(port, {
        clients: size.setClients,
        total: size.sets,
        timeMs: size.stepMs,
      });
      res.run(w4, "writes/s", kind, r, size.sets);
      return r.ok;
    });

    // Same writes with more in flight: bound by CPU (server and load client), not fsync latency.
    const w4b = `4b setData 100 B (${size.setClients} clients x ${size.setWindow} outstanding)`;
    const pipelinedSets = size.sets * 4;
    await each(w4b, async (kind, port) => {
      const r = await setDataRate(port, {
        clients: size.setClients,
        window: size.setWindow,
        total: pipelinedSets,
        timeMs: size.stepMs,
      });
      res.run(w4b, "writes/s", kind, r, pipelinedSets);
      return r.ok;
    });

    const w5 = `5 session connect+close (${size.sessionWorkers} workers)`;
    await each(w5, async (kind, port) => {
      const r = await sessionRate(port, {
        workers: size.sessionWorkers,
        total: size.sessions,
        timeMs: size.stepMs,
      });
      res.run(w5, "sessions/s", kind, r, size.sessions);
      return r.ok;
    });

    const w6 = `6 watch fan-out (${size.fanWatchers} sessions watch one node, one setData)`;
    await each(w6, async (kind, port) => {
      const r = await watchFanout(port, {
        watchers: size.fanWatchers,
        rounds: size.fanRounds,
        timeMs: size.stepMs,
      });
      res.set(w6, `all notified, p50 of ${r.rounds} rounds`, "ms", "lower", kind, r.p50);
      res.set(w6, "all notified, worst round", "ms", "lower", kind, r.max);
      res.detail(w6, kind, r);
      if (r.missed) res.notes.push(`${NAMES[kind]} ${w6}: ${r.missed} watchers never notified`);
    });

    for (const kind of ORDER) {
      await stopServer(servers[kind]!);
      delete servers[kind];
    }

    // Phase B: a fresh server per kind, load N znodes, measure RSS, restart on that dir.
    const n = size.loadZnodes;
    const nLabel = n >= 1000 ? `${n / 1000}k` : `${n}`;
    for (const kind of args.noLoad ? [] : ORDER) {
      const dir = `${tmp}/${kind}-b`;
      log(`loading ${n} znodes of 100 B into a fresh ${NAMES[kind]}`);
      let s = await startServer(kind, dir, freePort(), launch);
      servers[kind] = s;
      const sampler = rssSampler(s.pid);
      const r = await loadZnodes(s.port, {
        count: n,
        bytes: 100,
        conns: size.pipeConns,
        window: size.pipeWindow,
        timeMs: size.loadMs,
      });
      res.run(`8 memory (VmRSS)`, `bulk load of ${nLabel} znodes of 100 B`, kind, r, n);
      // Measure at rest: zkt's snapshot worker and the JVM's GC may still be busy.
      const waited = await waitIdle(s.pid);
      const sampledPeak = await sampler.stop();
      if (waited === null) res.notes.push(`${NAMES[kind]}: still busy 20 s after the bulk load`);
      res.detail("8 idle wait after load", kind, { ms: waited });
      const mem = await memKiB(s.pid);
      const w8 = "8 memory (VmRSS)";
      res.set(
        w8,
        `after loading ${nLabel} znodes of 100 B, idle`,
        "MiB",
        "lower",
        kind,
        mem.rss / 1024,
      );
      // At rest: the same settle time for both (zkt hands memory back once
      // requests stop; the JVM may shrink its heap too).
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      res.set(
        w8,
        `holding ${nLabel} znodes of 100 B, ${SETTLE_MS / 1000} s later`,
        "MiB",
        "lower",
        kind,
        (await memKiB(s.pid)).rss / 1024,
      );
      res.set(w8, `peak (VmHWM) so far`, "MiB", "lower", kind, mem.peak / 1024);
      // zkt snapshots in a child process: count it with the server (sampled every 50 ms).
      res.set(
        w8,
        `peak with child processes (sampled)`,
        "MiB",
        "lower",
        kind,
        Math.max(mem.peak, sampledPeak) / 1024,
      );
      await stopServer(s);
      delete servers[kind];
      log(`restarting ${NAMES[kind]} on the ${nLabel}-znode data dir`);
      s = await startServer(kind, dir, freePort(), launch);
      servers[kind] = s;
      res.set("7 startup to first srvr", `${nLabel} znodes`, "ms", "lower", kind, s.startupMs);
      // Sanity: the restarted server serves the last znode loaded.
      const c = await BenchConn.open(s.port);
      const last = r.ok + r.errors - 1;
      const err = await c.call((d) =>
        c.getData(`/load/p${Math.floor(last / 1000)}/n${last % 1000}`, false, d)
      );
      await c.close();
      if (err !== 0) {
        res.notes.push(`${NAMES[kind]}: after restart the last loaded znode gave ${err}`);
      }
      await stopServer(s);
      delete servers[kind];
    }
  } finally {
    for (const s of Object.values(servers)) if (s) await stopServer(s);
    if (args.keep) log(`data dirs kept in ${tmp}`);
    else await Deno.remove(tmp, { recursive: true }).catch(() => {});
    tempDirs.delete(tmp);
  }
  return res;
}

function header(args: BenchArgs): string {
  return [
    `zkt vs Apache ZooKeeper 3.8.0, standalone, loopback, same zoo.cfg (tickTime=2000,`,
    `forceSync=yes, snapCount=100000, maxClientCnxns=0), same load client (bench/client.ts).`,
    `zkt: ${
      args.bundle ? "dist/zkt.js" : "deno run main.ts"
    }; ZooKeeper: java -Xmx1000m (zkEnv.sh's default heap).`,
    `Each server got a warm-up phase (creates, reads, writes, sessions) before measuring;`,
    `zkt's Deno module cache was warmed first (startup excludes a first-run compile).`,
    `Ratio = zkt/ZooKeeper; "better" says which direction wins for the metric.`,
    `"server CPU per op" = the server process's user+sys CPU (all threads, /proc/PID/stat)`,
    `over the workload / ops done; it leaves out the load client's own CPU.`,
    `Run: ${args.quick ? "--quick" : "default"}, ${navigator.hardwareConcurrency} CPUs; ` +
    `the load client shares the machine with the server, so figures are indicative.`,
  ].join("\n");
}

/** Entry point: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const onSignal = () => {
    killAll();
    for (const d of tempDirs) {
      try {
        Deno.removeSync(d, { recursive: true });
      } catch { /* best effort */ }
    }
    console.error("bench: interrupted; servers killed");
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const t0 = performance.now();
    const res = await runBench(args, (m) => progress(m, false));
    const totalS = (performance.now() - t0) / 1000;
    res.rows.sort((a, b) => byLeadingNumber(a.workload, b.workload));
    if (args.json) {
      console.log(JSON.stringify(
        {
          run: args.quick ? "quick" : "default",
          zkt: args.bundle ? "dist/zkt.js" : "main.ts",
          warmUp: true,
          seconds: totalS,
          rows: res.rows,
          notes: res.notes,
          details: res.details,
        },
        null,
        2,
      ));
    } else {
      console.log(header(args) + "\n");
      console.log(renderTable(res.rows));
      for (const n of res.notes) console.log(`note: ${n}`);
      console.log(`total ${totalS.toFixed(0)} s`);
    }
    return 0;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 1;
  } finally {
    killAll();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
