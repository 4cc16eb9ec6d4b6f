// `scripts/bench monitoring`: what monitoring costs a zkt server. Part one
// times, in process, the server's own work for one health-check answer (ruok,
// srvr, mntr four-letter words, the AdminServer's monitor and server_stats, a
// Prometheus /metrics scrape) on a tree of --nodes znodes (default 200,000);
// part two runs a `zkt serve` process with as many znodes and measures setData
// throughput without and with a client polling mntr ten times a second.
import { parseArgs } from "node:util";
import { sendFourLetter } from "../src/net/four_letter_client.ts";
import { setLogLevel } from "../src/log/logger.ts";
import { runCommand } from "../src/server/admin/commands.ts";
import type { ClientCnxn } from "../src/server/cnxn.ts";
import { scrape } from "../src/server/metrics/metrics_server.ts";
import { SummaryWindow } from "../src/server/metrics/summary_window.ts";
import { freePort } from "../tests/support/ports.ts";
import { startInProc } from "../tests/support/zkt_inproc.ts";
import { type LaunchOptions, startServer, stopServer } from "./servers.ts";
import { median, percentile } from "./stats.ts";
import { loadZnodes, payload, rateOf, setDataRate } from "./workloads.ts";

const USAGE = `usage: scripts/bench monitoring [--nodes N] [--quick] [--json] [--bundle]
  Server time (in process) of ruok, srvr, mntr, admin monitor/server_stats and a
  /metrics scrape at N znodes (default 200000), then setData throughput of a
  zkt serve process holding N znodes, without and with a 10 Hz mntr poller.
  --quick  20000 znodes and short runs (a smoke run)`;

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

/** Part two: setData ops/s of a zkt process holding `nodes` znodes, without and with a mntr poller. */
async function throughput(
  nodes: number,
  opts: LaunchOptions,
  stepMs: number,
  rounds: number,
): Promise<{ without: number[]; with: number[]; mntrRttMs: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-bench-mon-" });
  const server = await startServer("zkt", dir, freePort(), opts);
  try {
    await loadZnodes(server.port, { count: nodes, conns: 4, window: 200, timeMs: 300_000 });
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
    const rtts: number[] = [];
    // Alternate, so drift (page cache, other load) hits both alike.
    for (let r = 0; r < rounds; r++) {
      without.push(rateOf(await run()));
      const poller = mntrPoller(server.port, 100);
      withPoll.push(rateOf(await run()));
      rtts.push(...await poller.stop());
    }
    return { without, with: withPoll, mntrRttMs: rtts };
  } finally {
    await stopServer(server);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      nodes: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      bundle: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  setLogLevel("warn");
  const nodes = values.nodes ? Number(values.nodes) : values.quick ? 20_000 : 200_000;
  const runs = values.quick ? 50 : 300;
  const times = await serverTimes(nodes, runs);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const tp = await throughput(
    nodes,
    { bundle: values.bundle, root, jvmHeap: "-Xmx1000m" },
    values.quick ? 2000 : 8000,
    values.quick ? 1 : 3,
  );
  const withoutMed = median(tp.without);
  const withMed = median(tp.with);
  if (values.json) {
    console.log(JSON.stringify({ nodes, serverTimes: times, setData: tp }));
  } else {
    console.log(`server time per answer at ${nodes} znodes (${runs} runs, in process):`);
    const rows = times.map((t) => [
      t.name,
      t.medianMs.toFixed(3),
      t.p99Ms.toFixed(3),
      t.maxMs.toFixed(3),
    ]);
    console.log(table(["answer", "median ms", "p99 ms", "max ms"], rows));
    console.log(`\nsetData ops/s (8 clients x 16 outstanding, zkt serve, ${nodes} znodes):`);
    console.log(
      table(["run", "median ops/s", "each"], [
        ["no poller", withoutMed.toFixed(0), tp.without.map(Math.round).join(" ")],
        ["mntr at 10 Hz", withMed.toFixed(0), tp.with.map(Math.round).join(" ")],
        ["with/without", (withMed / withoutMed).toFixed(3), ""],
        [
          "mntr round trip ms",
          `median ${median(tp.mntrRttMs).toFixed(2)}`,
          `p99 ${percentile(tp.mntrRttMs, 99).toFixed(2)} (${tp.mntrRttMs.length} polls)`,
        ],
      ]),
    );
  }
}
