// Summarizes a V8 .cpuprofile (bench/pipeline_cpu.ts --cpu-prof): the
// functions with the most self time, and the inclusive time of those named
// with --focus (a function name, or name@file). Share of all samples.
//   deno run -A bench/cpuprofile_top.ts prof.cpuprofile --top 30 --focus nodeDigest,applyTxn
import { parseArgs } from "node:util";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: ProfNode[];
  samples: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" }, focus: { type: "string", default: "" } },
});
const prof: Profile = JSON.parse(await Deno.readTextFile(positionals[0]));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfCount = new Map<number, number>();
for (const s of prof.samples) selfCount.set(s, (selfCount.get(s) ?? 0) + 1);
const total = prof.samples.length;
const label = (f: Frame) =>
  `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(src|bench|ext)\//, "$1/")}:${
    f.lineNumber + 1
  }`;

const self = new Map<string, number>();
for (const [id, k] of selfCount) {
  const l = label(byId.get(id)!.callFrame);
  self.set(l, (self.get(l) ?? 0) + k);
}
const pct = (k: number) => `${(k * 100 / total).toFixed(1)}%`.padStart(6);
console.log(`${total} samples; self time:`);
for (const [l, k] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${pct(k)}  ${l}`);
}
const focus = values.focus ? values.focus.split(",") : [];
if (focus.length > 0) console.log("inclusive time:");
for (const name of focus) {
  const [fn, file] = name.split("@");
  const matches = (f: Frame) => f.functionName === fn && (!file || f.url.includes(file));
  let k = 0;
  for (const [id, n] of selfCount) {
    // Counted once per sample, however often the function recurses on its stack.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (matches(byId.get(at)!.callFrame)) {
        k += n;
        break;
      }
    }
  }
  console.log(`${pct(k)}  ${name}`);
}
