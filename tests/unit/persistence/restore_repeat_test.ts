// A 3.8.0 follower that rejoins under writes can log txns twice: one txn
// again, or a run from the epoch's first txn again. ZooKeeper's restore
// (FileTxnSnapLog.fastForwardFromEdits) logs an ERROR for a txn below the
// highest zxid and applies every txn anyway, so zkt must restore the same tree
// from such a data dir instead of refusing it; a real gap stays an error.
import assert from "node:assert/strict";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { CorruptDataError } from "../../../src/errors.ts";
import { type BehindTxn, describeBehind, restore } from "../../../src/persistence/datadir.ts";
import { writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { zkt } from "../cli/cli_io.ts";
import { snapshotFileName } from "../../../src/persistence/txnlog.ts";
import {
  firstTxns,
  type Logged,
  RESTARTED,
  RESTARTED_CUT_SHORT,
  writeRepeatedDataDir,
} from "./repeated_log.ts";

/** Every znode as one comparable line: path, data and full stat. */
function nodes(tree: DataTree): string[] {
  const out: string[] = [];
  for (const [path, node] of tree.walk()) {
    out.push(
      JSON.stringify(
        { path, data: node.data ? [...node.data] : null, stat: node.stat, n: node.numChildren },
        (_k, v) => typeof v === "bigint" ? v.toString() : v,
      ),
    );
  }
  return out;
}

/** What ZooKeeper's restore builds: every txn applied in file order on `tree`. */
function appliedInOrder(txns: Logged[], tree = new DataTree()): DataTree {
  for (const t of txns) applyTxn(tree, t.header, t.txn);
  return tree;
}

Deno.test("restore applies a txn logged twice in a row, as ZooKeeper 3.8 does", async () => {
  const dir = await Deno.makeTempDir();
  const written = await writeRepeatedDataDir(dir, [1, 2, 3, 3, 4]);
  const behind: BehindTxn[] = [];
  const r = await restore(dir, { onBehind: (b) => behind.push(b) });
  assert.deepEqual(nodes(r.tree), nodes(appliedInOrder(written)));
  assert.equal(r.lastProcessedZxid, 4n);
  assert.equal(r.txnsApplied, 5);
  assert.equal(r.txnsBehind, 1);
  assert.deepEqual(behind.map((b) => [b.zxid, b.highest]), [[3n, 3n]]);
  assert.match(describeBehind(behind[0]), /txn 0x3 at .*log\.1 offset \d+ repeats/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("restore of a log that started again at the epoch's first txn gives ZooKeeper's tree", async () => {
  const dir = await Deno.makeTempDir();
  const written = await writeRepeatedDataDir(dir, RESTARTED);
  const behind: BehindTxn[] = [];
  const r = await restore(dir, { onBehind: (b) => behind.push(b) });
  const want = appliedInOrder(written);
  assert.deepEqual(nodes(r.tree), nodes(want));
  // The second pass re-created and deleted /b and set /a again; the end is the same.
  assert.equal(new TextDecoder().decode(r.tree.get("/a")!.data!), "8");
  assert.equal(r.tree.get("/a")!.stat.version, 3);
  assert.equal(r.tree.get("/b"), undefined);
  assert.equal(r.lastProcessedZxid, 8n);
  assert.equal(r.txnsApplied, RESTARTED.length);
  assert.equal(r.txnsBehind, 6);
  // ZooKeeper's ERROR line: "{highestZxid}(highestZxid) > {zxid}(next log) for type {type}".
  assert.match(describeBehind(behind[0]), /^6\(highestZxid\) > 1\(next log\) for type 1: txn 0x1 /);
  assert.ok(!describeBehind(behind[0]).includes("\n"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("restore applies repeated txns, not skips them: a second run cut short wins", async () => {
  const dir = await Deno.makeTempDir();
  const written = await writeRepeatedDataDir(dir, RESTARTED_CUT_SHORT);
  const r = await restore(dir);
  assert.deepEqual(nodes(r.tree), nodes(appliedInOrder(written)));
  const a = r.tree.get("/a")!;
  assert.equal(new TextDecoder().decode(a.data!), "2");
  assert.equal(a.stat.version, 1);
  assert.equal(a.stat.mzxid, 2n);
  // The highest zxid stays the last processed, as DataTree.processTxn keeps it.
  assert.equal(r.lastProcessedZxid, 8n);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("after a snapshot, only txns before the first one past it are skipped (FileTxnLog iterator)", async () => {
  const dir = await Deno.makeTempDir();
  await writeRepeatedDataDir(dir, RESTARTED);
  const txns = firstTxns();
  const snap = appliedInOrder(txns.slice(0, 3));
  await writeSnapshot(`${dir}/version-2/${snapshotFileName(3n)}`, snap, { dbid: -1n });
  const r = await restore(dir);
  // 0x4..0x6, then the whole second run 0x1..0x8: the repeated 0x1..0x3 are applied too.
  const rest = [4, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8].map((z) => txns[z - 1]);
  assert.deepEqual(nodes(r.tree), nodes(appliedInOrder(rest, appliedInOrder(txns.slice(0, 3)))));
  assert.equal(r.txnsApplied, rest.length);
  assert.equal(r.lastProcessedZxid, 8n);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a log that started again still may not skip txns past the highest zxid", async () => {
  const dir = await Deno.makeTempDir();
  await writeRepeatedDataDir(dir, [1, 2, 3, 4, 5, 6, 1, 2, 3, 8]);
  await assert.rejects(
    () => restore(dir),
    (e: Error) =>
      e instanceof CorruptDataError &&
      /log\.1: txn 0x8 at offset \d+ follows 0x6: txns 0x7 are missing/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("data replay of a log that started again prints ZooKeeper's ERROR and the tree; verify flags it", async () => {
  const dir = await Deno.makeTempDir();
  await writeRepeatedDataDir(dir, RESTARTED_CUT_SHORT);
  const r = await zkt("data", "replay", dir, "--json", "--data");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^zkt data replay: ERROR 8\(highestZxid\) > 1\(next log\) for type 1: /m);
  assert.match(r.out, /"path":"\/a"/);
  const v = await zkt("txnlog", "verify", dir);
  assert.equal(v.code, 3);
  assert.match(v.err, /zxid 0x1 at offset \d+ does not follow 0x8 \(txns logged twice; restore/);
  await Deno.remove(dir, { recursive: true });
});
