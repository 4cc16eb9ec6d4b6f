// In-process cost of the standalone chain: client and server in one process
// (forceSync=no), so the process CPU per op is the server's chain plus a
// constant client share. Ops: setData, create (writes), getData, exists,
// getChildren (reads, with no write outstanding). Prints CPU µs/op, peak heap
// and the live heap after a full GC taken mid-load (what the chain retains
// under load); --json prints one JSON line instead. A measurement, not a
// limit. Run with --v8-flags=--expose-gc for the mid-load live heap:
//   deno run -A --v8-flags=--expose-gc bench/pipeline_cpu.ts --op setData --window 4
import { parseArgs } from "node:util";
import process from "node:process";
import { setLogLevel } from "../src/log/logger.ts";
import { startInProc } from "../tests/support/zkt_inproc.ts";
import { startProfiler } from "./profile.ts";
import { closeAll, ensureNode, openMany, payload, pipeline } from "./workloads.ts";

const { values } = parseArgs({
  options: {
    op: { type: "string", default: "setData" },
    clients: { type: "string", default: "8" },
    window: { type: "string", default: "4" },
    total: { type: "string", default: "40000" },
    json: { type: "boolean", default: false },
    /** Writes a V8 CPU profile of the measured run (a .cpuprofile) here. */
    "cpu-prof": { type: "string" },
  },
});
setLogLevel("warn");
const clients = Number(values.clients), window = Number(values.window);
const total = Number(values.total);
const s = await startInProc(["forceSync=no", "snapCount=1000000"], { containerCheckMs: 0 });
const conns = await openMany(s.port, clients);
await ensureNode(conns[0], "/b");
await Promise.all(conns.map((c, k) => ensureNode(c, `/b/c${k}`)));
const data = payload(100);
const index = new Map(conns.map((c, k) => [c, k]));
type Conn = typeof conns[0];
type Issue = (c: Conn, i: number, d: (e: number) => void) => void;
const node = (c: Conn) => `/b/c${index.get(c)}`;
const ops: Record<string, Issue> = {
  setData: (c, _i, d) => c.setData(node(c), data, d),
  create: (c, i, d) => c.create(`${node(c)}/n${i}`, data, 0, d),
  getData: (c, _i, d) => c.getData(node(c), false, d),
  exists: (c, _i, d) => c.exists(node(c), false, d),
  getChildren: (c, _i, d) => c.getChildren("/b", false, d),
};
const issue = ops[values.op!];
if (!issue) throw new Error(`--op: one of ${Object.keys(ops).join(", ")}`);
if (values.op !== "setData" && values.op !== "create") {
  await Promise.all(conns.map((c) => c.call((d) => c.setData(node(c), data, d))));
}
// Warm-up (JIT), not counted.
await pipeline(conns, window, 5000, 60_000, (c, i, d) => issue(c, i + total, d));
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
let peak = 0, live = -1, n = 0;
const sampler = setInterval(() => {
  const h = Deno.memoryUsage().heapUsed;
  if (h > peak) peak = h;
  if (++n === 10 && gc) {
    gc();
    live = Deno.memoryUsage().heapUsed;
  }
}, 20);
const profiler = values["cpu-prof"] ? await startProfiler() : null;
const c0 = process.cpuUsage();
const r = await pipeline(conns, window, total, 120_000, issue);
const c1 = process.cpuUsage(c0);
if (profiler) await Deno.writeTextFile(values["cpu-prof"]!, JSON.stringify(await profiler()));
clearInterval(sampler);
const us = (c1.user + c1.system) / r.ok;
const rate = Math.round(r.ok / r.ms * 1000);
const mib = (b: number) => Number((b / 2 ** 20).toFixed(1));
if (values.json) {
  console.log(JSON.stringify({
    op: values.op,
    clients,
    window,
    usPerOp: Number(us.toFixed(2)),
    opsPerSec: rate,
    peakHeapMiB: mib(peak),
    liveHeapMiB: mib(live),
    errors: r.errors,
  }));
} else {
  console.log(
    `${values.op} ${clients}x${window}: ${us.toFixed(1)} µs CPU/op, ` +
      `${rate} ops/s, peak heap ${mib(peak)} MiB, ` +
      `live mid-load ${mib(live)} MiB, errors ${r.errors}`,
  );
}
await closeAll(conns);
await s.stop();
await Deno.remove(s.dir, { recursive: true });
