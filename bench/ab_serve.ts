// A/B of `zkt serve` end to end: checkouts given by --root are started in turn,
// interleaved per round, on fresh data dirs; each runs a warm-up and then the
// standalone bench's write workloads. Prints per-root medians of writes/s and
// server CPU µs/op, to find a regression between two commits.
//   deno run -A bench/ab_serve.ts --root /work/wt/base --root . --rounds 3
import { parseArgs } from "node:util";
import { freePort } from "../tests/support/ports.ts";
import { cpuMs, killAll, startServer, stopServer } from "./servers.ts";
import { sendFourLetter } from "../src/net/four_letter_client.ts";
import { pipelinedCreate, rateOf, sessionRate, setDataRate, warmUp } from "./workloads.ts";

const { values } = parseArgs({
  options: {
    root: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "3" },
    ops: { type: "string", default: "set16,set1x16,create,sessions" },
  },
});
const roots = values.root!.map((r) => Deno.realPathSync(r));
const ops = values.ops!.split(",");
const rounds = Number(values.rounds);
// As scripts/lib.sh exports them, when run without it (deno run bench/ab_serve.ts).
if (!Deno.env.get("ZKT_V8_FLAGS")) {
  Deno.env.set("ZKT_V8_FLAGS", "--max-semi-space-size=8,--expose-gc");
}

type Load = (port: number) => Promise<{ rate: number; ok: number }>;
const LOADS: Record<string, Load> = {
  // 16 clients x 1 outstanding: latency bound, group commit's shape.
  set16: async (port) => {
    const r = await setDataRate(port, { clients: 16, total: 20000, timeMs: 10_000 });
    return { rate: rateOf(r), ok: r.ok };
  },
  set1x16: async (port) => {
    const r = await setDataRate(port, { clients: 16, window: 16, total: 40000, timeMs: 10_000 });
    return { rate: rateOf(r), ok: r.ok };
  },
  create: async (port) => {
    const r = await pipelinedCreate(port, {
      conns: 4,
      window: 200,
      total: 50000,
      timeMs: 10_000,
      prefix: "/pipe",
    });
    return { rate: rateOf(r), ok: r.ok };
  },
  sessions: async (port) => {
    const r = await sessionRate(port, { workers: 4, total: 1500, timeMs: 10_000 });
    return { rate: rateOf(r), ok: r.ok };
  },
};

/** mntr's fsync count and summed fsync ms (zk_cnt_fsynctime, zk_sum_fsynctime). */
async function fsyncs(port: number): Promise<{ n: number; ms: number }> {
  const m = await sendFourLetter("127.0.0.1", port, "mntr", 5000);
  const v = (k: string) => Number(new RegExp(`^zk_${k}\\s+(\\S+)`, "m").exec(m)?.[1] ?? NaN);
  return { n: v("cnt_fsynctime"), ms: v("sum_fsynctime") };
}

const results = new Map<
  string,
  { rate: number[]; cpu: number[]; perSync: number[]; syncMs: number[] }
>();
const tmp = await Deno.makeTempDir({ prefix: "zkt-abserve-" });
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? roots : [...roots].reverse();
    for (const root of order) {
      const s = await startServer("zkt", `${tmp}/${round}-${roots.indexOf(root)}`, freePort(), {
        bundle: false,
        root,
        jvmHeap: "",
      });
      try {
        await warmUp(s.port, 1, 8000);
        for (const op of ops) {
          const f0 = await fsyncs(s.port);
          const c0 = await cpuMs(s.pid);
          const r = await LOADS[op](s.port);
          const cpu = (await cpuMs(s.pid) - c0) * 1000 / r.ok;
          const f1 = await fsyncs(s.port);
          const perSync = r.ok / (f1.n - f0.n);
          const syncMs = (f1.ms - f0.ms) / (f1.n - f0.n);
          const key = `${op} ${root}`;
          const e = results.get(key) ?? { rate: [], cpu: [], perSync: [], syncMs: [] };
          e.rate.push(r.rate);
          e.cpu.push(cpu);
          e.perSync.push(perSync);
          e.syncMs.push(syncMs);
          results.set(key, e);
          console.error(
            `round ${round} ${key}: ${r.rate.toFixed(0)}/s ${cpu.toFixed(1)} µs/op ` +
              `${perSync.toFixed(1)} ops/fsync ${syncMs.toFixed(2)} ms/fsync`,
          );
        }
      } finally {
        await stopServer(s);
      }
    }
  }
} finally {
  killAll();
  await Deno.remove(tmp, { recursive: true });
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const op of ops) {
  for (const root of roots) {
    const e = results.get(`${op} ${root}`)!;
    console.log(
      `${op.padEnd(9)} ${root.padEnd(24)} ${med(e.rate).toFixed(0).padStart(7)}/s  ` +
        `${med(e.cpu).toFixed(1).padStart(6)} µs/op ${
          med(e.perSync).toFixed(1).padStart(6)
        } ops/fsync ` +
        `${med(e.syncMs).toFixed(2)} ms/fsync  rates ${e.rate.map((x) => x.toFixed(0))}`,
    );
  }
}
