// `scripts/bench monitoring`: what monitoring costs a zkt server. Part one
// times, in process, the server's own work for one health-check answer (ruok,
// srvr, mntr four-letter words, the AdminServer's monitor and server_stats, a
// Prometheus /metrics scrape) on a tree of --nodes znodes (default 200,000);
// part two runs `zkt serve` and Apache ZooKeeper 3.8 side by side, each holding
// as many znodes, and measures srvr/mntr round trips and setData throughput
// without and with a client polling mntr ten times a second.
import { parseArgs } from "node:util";
import { sendFourLetter } from "../src/net/four_letter_client.ts";
import { setLogLevel } from "../src/log/logger.ts";
import { runCommand } from "../src/server/admin/commands.ts";
import type { ClientCnxn } from "../src/server/cnxn.ts";
import { scrape } from "../src/server/metrics/metrics_server.ts";
import { SummaryWindow } from "../src/server/metrics/summary_window.ts";
import { freePort } from "../tests/support/ports.ts";
import { startInProc } from "../tests/support/zkt_inproc.ts";
import { type Kind, type LaunchOptions, startServer, stopServer } from "./servers.ts";
import { median, percentile } from "./stats.ts";
import { loadZnodes, payload, rateOf, setDataRate } from "./workloads.ts";

const USAGE = `usage: scripts/bench monitoring [--nodes N] [--rounds R] [--quick] [--json]
                                  [--bundle] [--zkt-only]
  Server time (in process) of ruok, srvr, stat, mntr, admin monitor/server_stats
  and a /metrics scrape at N znodes (default 200000); then zkt serve and Apache
  ZooKeeper 3.8 processes holding N znodes: srvr/mntr round trips, and setData
  ops/s without and with a 10 Hz mntr poller (R alternating rounds, default 3).
  --quick     20000 znodes and short runs (a smoke run)
  --zkt-only  leave Apache ZooKeeper out`;

/** A plain text table, columns padded to their widest cell. */
function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd())
    .join("\n");
}

/** Server-time samples of one answer, ms. */
export interface Timing {
  name: string;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

/** Times `f` `runs` times after `warm` untimed calls. */
export async function timeIt(
  name: string,
  f: () => unknown,
  runs: number,
  warm = 20,
): Promise<Timing> {
  for (let i = 0; i < warm; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return { name, medianMs: median(xs), p99Ms: percentile(xs, 99), maxMs: Math.max(...xs) };
}

/** Part one: a server in this process with `nodes` znodes; each answer's own work. */
async function serverTimes(nodes: number, runs: number): Promise<Timing[]> {
  const s = await startInProc([], { containerCheckMs: 0 });
  try {
    const tree = s.server.db.tree;
    const data = payload(100);
    tree.createNode("/load", null, null, 0n, -1, 1n, 1);
    for (let i = 0; i < nodes; i++) {
      if (i % 1000 === 0) tree.createNode(`/load/p${i / 1000}`, null, null, 0n, -1, 1n, 1);
      tree.createNode(`/load/p${Math.floor(i / 1000)}/n${i % 1000}`, data, null, 0n, -1, 1n, 1);
    }
    const cnxn = { remote: "/127.0.0.1:1" } as ClientCnxn;
    // A busy server's summaries: full reservoirs for mntr's p50..p999, full
    // windows for /metrics' quantiles.
    const windows = new Map<string, SummaryWindow>();
    const now = Date.now();
    for (const [name, m] of s.server.metrics.allSummaries()) {
      const w = new SummaryWindow();
      for (let i = 0; i < 1100; i++) {
        m.add(i % 97);
        w.observe(i % 89, now);
      }
      windows.set(name, w);
    }
    const admin = { view: () => s.server.fourLetterView() };
    const out: Timing[] = [];
    for (const w of ["ruok", "srvr", "stat", "mntr"]) {
      out.push(await timeIt(`4lw ${w}`, () => s.server.fourLetter(w, cnxn), runs));
    }
    out.push(await timeIt("admin monitor", () => runCommand("monitor", admin), runs));
    out.push(await timeIt("admin server_stats", () => runCommand("server_stats", admin), runs));
    out.push(
      await timeIt(
        "/metrics scrape",
        () => scrape(s.server.fourLetterView(), windows, Date.now()),
        runs,
      ),
    );
    return out;
  } finally {
    await s.stop();
    await Deno.remove(s.dir, { recursive: true }).catch(() => {});
  }
}

/** Polls mntr every `everyMs` until stopped; returns the client-side round trips (ms). */
function mntrPoller(port: number, everyMs: number): { stop(): Promise<number[]> } {
  const rtts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await sendFourLetter("127.0.0.1", port, "mntr", 5000);
        rtts.push(performance.now() - t0);
      } catch { /* counted as missing */ }
      const wait = everyMs - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rtts;
    },
  };
}

/** What part two measured on one server. */
export interface WireRun {
  kind: Kind;
  /** Client round trips of srvr and mntr on the idle server, ms. */
  srvrRttMs: number[];
  mntrRttMs: number[];
  /** setData ops/s per round, without and with the poller. */
  without: number[];
  with: number[];
  /** Round trips of the poller's mntr under load, ms. */
  polledRttMs: number[];
}

/** Round trips of `n` sequential `word`s, ms. */
async function rtts(port: number, word: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await sendFourLetter("127.0.0.1", port, word, 5000);
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Part two, for one server kind: a process holding `nodes` znodes; srvr and
 * mntr round trips while idle, then setData ops/s without and with a mntr
 * poller, alternating rounds so drift hits both alike.
 */
async function throughput(
  kind: Kind,
  nodes: number,
  opts: LaunchOptions,
  stepMs: number,
  rounds: number,
): Promise<WireRun> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-bench-mon-" });
  const server = await startServer(kind, dir, freePort(), opts);
  try {
    await loadZnodes(server.port, { count: nodes, conns: 4, window: 200, timeMs: 300_000 });
    await rtts(server.port, "srvr", 20); // warm-up
    const srvrRttMs = await rtts(server.port, "srvr", 100);
    const mntrRttMs = await rtts(server.port, "mntr", 100);
    const run = () =>
      setDataRate(server.port, {
        clients: 8,
        window: 16,
        total: 10_000_000,
        timeMs: stepMs,
      });
    await run(); // warm-up
    const without: number[] = [];
    const withPoll: number[] = [];
    const polled: number[] = [];
    for (let r = 0; r < rounds; r++) {
      without.push(rateOf(await run()));
      const poller = mntrPoller(server.port, 100);
      withPoll.push(rateOf(await run()));
      polled.push(...await poller.stop());
    }
    return { kind, srvrRttMs, mntrRttMs, without, with: withPoll, polledRttMs: polled };
  } finally {
    await stopServer(server);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const USAGE_FLAGS = {
  nodes: { type: "string" },
  rounds: { type: "string" },
  quick: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  bundle: { type: "boolean", default: false },
  "zkt-only": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: USAGE_FLAGS });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  setLogLevel("warn");
  const nodes = values.nodes ? Number(values.nodes) : values.quick ? 20_000 : 200_000;
  const runs = values.quick ? 50 : 300;
  const rounds = values.rounds ? Number(values.rounds) : values.quick ? 1 : 3;
  const times = await serverTimes(nodes, runs);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const opts = { bundle: values.bundle, root, jvmHeap: "-Xmx1000m" };
  const wire: WireRun[] = [];
  for (const kind of values["zkt-only"] ? ["zkt" as const] : ["zkt" as const, "zk" as const]) {
    wire.push(await throughput(kind, nodes, opts, values.quick ? 2000 : 6000, rounds));
  }
  if (values.json) {
    console.log(JSON.stringify({ nodes, serverTimes: times, wire }));
  } else {
    console.log(`zkt server time per answer at ${nodes} znodes (${runs} runs, in process):`);
    console.log(
      table(
        ["answer", "median ms", "p99 ms", "max ms"],
        times.map((t) => [t.name, fmt(t.medianMs), fmt(t.p99Ms), fmt(t.maxMs)]),
      ),
    );
    console.log(
      `\nserver processes holding ${nodes} znodes: idle round trips (100 each), then setData ` +
        `ops/s (8 clients x 16 outstanding, ${rounds} rounds) without and with mntr at 10 Hz:`,
    );
    const rows: string[][] = [];
    for (const w of wire) {
      const name = w.kind === "zkt" ? "zkt" : "ZooKeeper";
      const a = median(w.without);
      const b = median(w.with);
      rows.push(
        [
          name,
          "srvr round trip ms",
          `p50 ${fmt(median(w.srvrRttMs))}`,
          `p99 ${fmt(percentile(w.srvrRttMs, 99))}`,
        ],
        [
          name,
          "mntr round trip ms",
          `p50 ${fmt(median(w.mntrRttMs))}`,
          `p99 ${fmt(percentile(w.mntrRttMs, 99))}`,
        ],
        [name, "setData ops/s, no poller", a.toFixed(0), w.without.map(Math.round).join(" ")],
        [name, "setData ops/s, mntr 10 Hz", b.toFixed(0), w.with.map(Math.round).join(" ")],
        [name, "with / without poller", (b / a).toFixed(3), ""],
        [
          name,
          "polled mntr round trip ms",
          `p50 ${fmt(median(w.polledRttMs))}`,
          `p99 ${fmt(percentile(w.polledRttMs, 99))} (${w.polledRttMs.length} polls)`,
        ],
      );
    }
    console.log(table(["server", "measure", "value", "detail"], rows));
  }
}
