// The long fault runs of issue 18 (see scripts/nightly-faults): seeded
// nemesis runs over 3- and 5-peer ensembles, all-zkt and mixed, one line each
// (seed, kinds, rounds, ops, acknowledged writes, lost, verdicts), the details
// of every failure, and exit 1 when any run failed.
import type { MemberSpec } from "../tests/support/ensemble.ts";
import { details, runNemesis, summary } from "../tests/support/nemesis.ts";

const ROWS: MemberSpec[][] = [
  ["zkt", "zkt", "zkt"],
  ["zk", "zkt", "zkt"],
  ["zkt", "zk", "zk"],
  ["zkt", "zkt", "zkt", "zkt", "zkt"],
  ["zk", "zkt", "zk", "zkt", "zkt"],
  ["zkt", "zk", "zk", "zkt", "zk"],
];

function arg(name: string, dflt: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
}

// --kinds zk,zk,zk runs one row only (e.g. Java-only, to tell a ZooKeeper
// behaviour from a zkt one).
const only = Deno.args.indexOf("--kinds");
const rows = only >= 0 ? [Deno.args[only + 1].split(",") as MemberSpec[]] : ROWS;
const runs = arg("runs", 20);
const seconds = arg("seconds", 60);
const base = arg("seed", Math.floor(Date.now() / 1000) % 1_000_000);
console.log(`nightly-faults: ${runs} runs of ${seconds} s, seeds ${base}..${base + runs - 1}`);
const lines: string[] = [];
let failed = 0;
let totalOps = 0;
let totalAcked = 0;
let totalLost = 0;
for (let i = 0; i < runs; i++) {
  const kinds = rows[i % rows.length];
  const seed = base + i;
  const t = Date.now();
  let line: string;
  try {
    const r = await runNemesis({ kinds, seed, seconds });
    line = `${summary(r)} ${((Date.now() - t) / 1000).toFixed(0)}s`;
    totalOps += r.ops;
    totalAcked += r.ackedWrites;
    totalLost += r.lost;
    if (!r.ok) {
      failed++;
      console.log(`${line}\n${details(r)}\n${r.logs}`);
    }
  } catch (e) {
    failed++;
    line = `seed=${seed} kinds=${kinds.join(",")} ERROR ${(e as Error).message.split("\n")[0]}`;
    console.log(`${line}\n${(e as Error).stack}`);
  }
  lines.push(line);
  console.log(line);
}
console.log(`\n== nightly-faults summary (${runs} runs, ${seconds} s each)`);
for (const l of lines) console.log(l);
console.log(
  `total: ops=${totalOps} acked_writes=${totalAcked} lost=${totalLost} failed_runs=${failed}`,
);
Deno.exit(failed === 0 ? 0 : 1);
