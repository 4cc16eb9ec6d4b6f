// `scripts/bench --quick` end to end: both servers start, every workload runs
// against both and yields a number for each side (no timing assertions).
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";

const RUN = new URL("../../bench/run.ts", import.meta.url).pathname;
const ELECTION = new URL("../../bench/election.ts", import.meta.url).pathname;
const SNAP_TOOLS = new URL("../../bench/snap_tools.ts", import.meta.url).pathname;

/** Runs a bench script with `--json`; asserts exit 0 and returns its document and stderr. */
async function benchJson(
  script: string,
  ...args: string[]
  // deno-lint-ignore no-explicit-any
): Promise<{ doc: any; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", script, ...args, "--json"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return { doc: JSON.parse(new TextDecoder().decode(out.stdout)), stderr };
}

Deno.test({
  name: "bench --quick measures every workload on zkt and on Apache ZooKeeper",
  ignore: SKIP_INTEROP,
  async fn() {
    const { doc, stderr } = await benchJson(RUN, "--quick");
    assert.equal(doc.run, "quick");
    assert.equal(doc.warmUp, true);
    const workloads = new Set(doc.rows.map((r: { workload: string }) => r.workload.split(" ")[0]));
    assert.deepEqual([...workloads].sort(), ["1", "2", "3", "4", "4b", "5", "6", "7", "8"]);
    for (const r of doc.rows) {
      // CPU per op is counted in 10 ms ticks, so a tiny quick run may read 0.
      const positive = (v: unknown) =>
        typeof v === "number" && (v > 0 || (v === 0 && r.metric === "server CPU per op"));
      assert.ok(positive(r.zkt), `zkt ${r.workload} / ${r.metric}: ${r.zkt}`);
      assert.ok(positive(r.zk), `ZooKeeper ${r.workload} / ${r.metric}: ${r.zk}`);
      assert.ok(r.better === "higher" || r.better === "lower");
    }
    assert.deepEqual(doc.notes.filter((n: string) => /failed|never notified|gave/.test(n)), []);
    assert.match(stderr, /warm-up zkt \(not measured\)/);
  },
});

Deno.test({
  name: "bench election --rounds 1 times both 3-peer ensembles from start and after kill -9",
  ignore: SKIP_INTEROP,
  async fn() {
    const { doc } = await benchJson(ELECTION, "--rounds", "1");
    assert.equal(doc.rounds, 1);
    assert.equal(doc.rows.length, 2);
    for (const r of doc.rows) {
      assert.ok(r.zkt > 0 && r.zk > 0, `${r.metric}: zkt ${r.zkt}, ZooKeeper ${r.zk}`);
    }
    assert.equal(doc.times.zkt.length, 1);
    assert.equal(doc.times.zk.length, 1);
  },
});

Deno.test({
  name:
    "bench snap-tools --nodes 2000 runs every zkt tool and SnapshotFormatter on ZooKeeper's snapshot",
  ignore: SKIP_INTEROP,
  async fn() {
    const { doc } = await benchJson(SNAP_TOOLS, "--nodes", "2000");
    assert.equal(doc.nodes, 2000);
    assert.ok(doc.bytes > 0);
    assert.deepEqual(
      doc.results.map((r: { name: string }) => r.name),
      ["dump (text)", "dump --json / -json", "dump with data / -d", "verify / formatter"],
    );
    for (const r of doc.results) {
      for (const side of [r.zkt, r.zk]) assert.ok(side.seconds >= 0 && side.peakMiB > 0, r.name);
    }
  },
});
