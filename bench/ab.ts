// A/B comparison of two checkouts with bench/pipeline_cpu.ts: runs it from
// checkout A and checkout B in turn (A B, then B A, ...: neither side always
// runs first on a machine whose load drifts), one fresh process per run, and
// prints the median and range of CPU µs/op per op and side. Each checkout
// needs bench/pipeline_cpu.ts and bench/client.ts (copy them into an older
// one). A measurement, not a limit:
//   deno run -A bench/ab.ts --a /work/wt/perf-base --b . --ops setData,create,getData --rounds 5
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string", default: "." },
    ops: { type: "string", default: "setData,create,getData" },
    rounds: { type: "string", default: "5" },
    total: { type: "string", default: "40000" },
    clients: { type: "string", default: "8" },
    window: { type: "string", default: "4" },
    json: { type: "boolean", default: false },
    /** V8 flags for both sides (`zkt serve` runs with ZKT_V8_FLAGS of scripts/lib.sh). */
    v8: { type: "string", default: "--expose-gc,--max-semi-space-size=8" },
  },
});
if (!values.a) throw new Error("--a: the checkout to compare against");
const sides = { A: values.a, B: values.b! };
const ops = values.ops!.split(",");
const rounds = Number(values.rounds);

/** One run of pipeline_cpu.ts from a checkout: its JSON line. */
async function once(root: string, op: string): Promise<{ usPerOp: number; opsPerSec: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `--v8-flags=${values.v8}`,
      `${root}/bench/pipeline_cpu.ts`,
      "--json",
      "--op",
      op,
      "--total",
      values.total!,
      "--clients",
      values.clients!,
      "--window",
      values.window!,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${root}: pipeline_cpu.ts --op ${op} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per-round B/A - 1 in %: median, min, max. */
function pairedChange(A: number[], B: number[]) {
  const r = A.map((a, i) => (B[i] / a - 1) * 100);
  const f = (x: number) => Number(x.toFixed(1));
  return { median: f(median(r)), min: f(Math.min(...r)), max: f(Math.max(...r)) };
}

const got: Record<string, Record<"A" | "B", number[]>> = {};
for (let r = 0; r < rounds; r++) {
  for (const op of ops) {
    const order: ("A" | "B")[] = r % 2 === 0 ? ["A", "B"] : ["B", "A"];
    for (const side of order) {
      const res = await once(sides[side], op);
      (got[op] ??= { A: [], B: [] })[side].push(res.usPerOp);
      console.error(`round ${r + 1} ${op} ${side}: ${res.usPerOp} µs/op, ${res.opsPerSec} ops/s`);
    }
  }
}
const rows = ops.map((op) => {
  const { A, B } = got[op];
  const a = median(A), b = median(B);
  return {
    op,
    a: { median: a, min: Math.min(...A), max: Math.max(...A), runs: A },
    b: { median: b, min: Math.min(...B), max: Math.max(...B), runs: B },
    change: Number(((b / a - 1) * 100).toFixed(1)),
    /** B/A within each round (the two runs closest in time), median and range, in %. */
    paired: pairedChange(A, B),
  };
});
if (values.json) console.log(JSON.stringify({ a: sides.A, b: sides.B, rows }));
else {
  console.log(`A = ${sides.A}, B = ${sides.B}; CPU µs/op, median [min-max] of ${rounds}`);
  for (const r of rows) {
    console.log(
      `${r.op.padEnd(12)} A ${r.a.median.toFixed(1)} [${r.a.min}-${r.a.max}]  ` +
        `B ${r.b.median.toFixed(1)} [${r.b.min}-${r.b.max}]  B vs A ${
          r.change > 0 ? "+" : ""
        }${r.change}% (per round: median ${r.paired.median}%, ${r.paired.min}% to ${r.paired.max}%)`,
    );
  }
}
