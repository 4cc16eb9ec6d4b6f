// `scripts/bench ensemble --quick --zk-only` end to end on a Java ensemble:
// every workload yields a ZooKeeper number and no zkt number is made up (no
// timing assertions).
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";

const SCRIPT = new URL("../../bench/ensemble.ts", import.meta.url).pathname;

Deno.test({
  name:
    "bench ensemble --quick --zk-only measures setData, getData and failover on a ZooKeeper ensemble",
  ignore: SKIP_INTEROP,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", SCRIPT, "--quick", "--zk-only", "--json"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const doc = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(doc.rows.length, 6);
    for (const r of doc.rows) {
      assert.ok(typeof r.zk === "number" && r.zk > 0, `${r.workload} / ${r.metric}: ${r.zk}`);
      assert.equal(r.zkt, null, `${r.workload} / ${r.metric}: zkt was not run`);
    }
    assert.deepEqual(doc.results.map((r: { kind: string }) => r.kind), ["zk"]);
    assert.equal(doc.results[0].error, null);
    assert.equal(doc.results[0].failoverMs.length, 1);
  },
});
