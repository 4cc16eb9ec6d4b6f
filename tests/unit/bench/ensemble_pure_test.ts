// The ensemble benchmark's pure parts: its flags and its table rows. A kind
// without numbers (its ensemble did not serve) gets "-", never a number.
import assert from "node:assert/strict";
import { parseEnsembleArgs, rowsOf } from "../../../bench/ensemble.ts";

Deno.test("parseEnsembleArgs: both kinds by default, --zk-only/--zkt-only pick one, not both", () => {
  assert.deepEqual(parseEnsembleArgs([]).kinds, ["zk", "zkt"]);
  assert.deepEqual(parseEnsembleArgs(["--zk-only"]).kinds, ["zk"]);
  assert.deepEqual(parseEnsembleArgs(["--zkt-only"]).kinds, ["zkt"]);
  assert.throws(() => parseEnsembleArgs(["--zk-only", "--zkt-only"]), /exclude each other/);
  assert.equal(parseEnsembleArgs([]).rounds, 3);
  assert.equal(parseEnsembleArgs(["--quick"]).rounds, 1);
  assert.equal(parseEnsembleArgs(["--rounds", "5"]).rounds, 5);
  assert.throws(() => parseEnsembleArgs(["--rounds", "0"]), /--rounds must be 1\.\.20/);
  assert.throws(() => parseEnsembleArgs(["--nope"]), /Unknown option '--nope'/);
});

Deno.test("rowsOf: a kind that is not available has no numbers; the other keeps its own", () => {
  const run = { ok: 1000, errors: 0, ms: 500, cut: false, p50: 1, p99: 7 };
  const rows = rowsOf([
    { kind: "zk", set: run, get: { ...run, ok: 5000 }, failoverMs: [900, 700, 800] },
    { kind: "zkt", error: "its ensemble did not serve", failoverMs: [] },
  ]);
  const get = (w: string, m: string) => rows.find((r) => r.workload.includes(w) && r.metric === m)!;
  assert.equal(get("setData", "throughput").zk, 2000);
  assert.equal(get("setData", "p99 latency").zk, 7);
  assert.equal(get("getData", "throughput").zk, 10000);
  assert.equal(get("failover", "kill -9 leader -> write accepted (median)").zk, 800);
  assert.equal(get("failover", "kill -9 leader -> write accepted (max)").zk, 900);
  for (const r of rows) assert.equal(r.zkt, null, `${r.workload} ${r.metric}`);
});
