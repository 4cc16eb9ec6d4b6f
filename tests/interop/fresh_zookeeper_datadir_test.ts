// Live: scripts/gen-fixtures drives a fresh Apache ZooKeeper 3.8 through every
// txn type; zkt must read what it wrote exactly as ZooKeeper's tools do, and
// replaying the logs over its mid-way snapshot must give its final snapshot.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { applyTxn } from "../../src/data/apply.ts";
import { DataTree } from "../../src/data/tree.ts";
import { listLogs, listSnapshots } from "../../src/persistence/datadir.ts";
import { loadSnapshot } from "../../src/persistence/snapshot.ts";
import { readTxnLog } from "../../src/persistence/txnlog.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { compareWithFormatter, compareWithToolkit } from "./zk_tools.ts";

const GEN = fileURLToPath(new URL("../../scripts/gen-fixtures", import.meta.url));

Deno.test({
  name:
    "a data dir Apache ZooKeeper writes right now reads as its tools read it and replays to its final snapshot",
  ignore: SKIP_INTEROP,
  async fn() {
    const out = `${await Deno.makeTempDir({ prefix: "zkt-fresh-" })}/zk-datadir`;
    const gen = await new Deno.Command(GEN, { args: [out], stdout: "piped", stderr: "piped" })
      .output();
    assert.equal(gen.code, 0, new TextDecoder().decode(gen.stderr).slice(-3000));
    const v2 = `${out}/version-2`;
    const snaps = await listSnapshots(v2); // newest first
    const logs = await listLogs(v2);
    assert.equal(snaps.length, 3);
    for (const s of snaps) await compareWithFormatter(s.path);
    let txns = 0;
    for (const l of logs) txns += await compareWithToolkit(l.path);
    assert.ok(txns >= 30);

    const [final, mid] = snaps;
    const tree = new DataTree({ empty: true });
    await loadSnapshot(mid.path, tree);
    for (const l of logs) {
      for await (const e of readTxnLog(l.path)) {
        if (e.kind !== "txn" || e.header.zxid <= mid.zxid) continue;
        applyTxn(tree, e.header, e.txn);
        if (e.digest) {
          assert.equal(
            tree.digest,
            e.digest.treeDigest,
            `digest after 0x${e.header.zxid.toString(16)}`,
          );
        }
      }
    }
    const expected = new DataTree({ empty: true });
    await loadSnapshot(final.path, expected);
    assert.deepEqual([...tree.nodes.keys()].sort(), [...expected.nodes.keys()].sort());
    for (const [path, n] of expected.nodes) {
      const m = tree.nodes.get(path)!;
      assert.deepEqual(m.stat, n.stat, path);
      assert.deepEqual(m.data, n.data, path);
      assert.deepEqual(tree.aclOf(m), expected.aclOf(n), path);
    }
    assert.equal(tree.digest, expected.digest);
  },
});
