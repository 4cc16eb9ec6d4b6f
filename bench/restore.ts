// Micro-benchmark for restore and snapshot writing: builds a data dir with a
// 100k-node snapshot plus a txn log of creates and setDatas after it, then
// times restore() and writeSnapshot() N times each and prints the medians.
// Usage: deno run -A --v8-flags=--expose-gc bench/restore.ts [--nodes 100000] [--txns 20000] [--runs 7] [--json]
import { parseArgs } from "node:util";
import { join } from "node:path";
import { OpCode } from "../src/jute/constants.ts";
import { applyTxn } from "../src/data/apply.ts";
import { DataTree } from "../src/data/tree.ts";
import { restore } from "../src/persistence/datadir.ts";
import { writeSnapshot } from "../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../src/persistence/txnlog.ts";
import type { Txn } from "../src/jute/txn_body.ts";
import type { TxnHeader } from "../src/jute/txn.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    nodes: { type: "string", default: "100000" },
    txns: { type: "string", default: "20000" },
    runs: { type: "string", default: "7" },
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const NODES = Number(args.nodes);
const TXNS = Number(args.txns);
const RUNS = Number(args.runs);
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

function payload(i: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let j = 0; j < n; j++) b[j] = (i + j) & 0xff;
  return b;
}

/** Builds the data dir: snapshot after NODES creates, then a log of TXNS txns. */
async function build(dir: string): Promise<bigint> {
  const v2 = join(dir, "version-2");
  await Deno.mkdir(v2, { recursive: true });
  const tree = new DataTree();
  let zxid = 0n;
  const t0 = 1_700_000_000_000;
  const txn = (t: Txn): TxnHeader => ({
    clientId: 0x1000000000001n,
    cxid: Number(zxid & 0xffffn),
    zxid: ++zxid,
    time: t0 + Number(zxid),
    type: t.type,
  });
  const create = (path: string, data: Uint8Array): Txn => ({
    type: OpCode.create,
    record: { path, data, acl: OPEN, ephemeral: false, parentCVersion: -1 },
  });
  const parents = Math.max(1, Math.ceil(NODES / 1000));
  for (let p = 0; p < parents; p++) {
    const t = create(`/bulk${p}`, new Uint8Array(0));
    applyTxn(tree, txn(t), t);
  }
  for (let i = 0; i < NODES; i++) {
    const t = create(`/bulk${i % parents}/node-${i.toString().padStart(8, "0")}`, payload(i, 32));
    applyTxn(tree, txn(t), t);
  }
  await writeSnapshot(join(v2, snapshotFileName(zxid)), tree);
  const log = await TxnLogWriter.create(join(v2, logFileName(zxid + 1n)), 0n, { forceSync: false });
  for (let i = 0; i < TXNS; i++) {
    const t: Txn = i % 2 === 0 ? create(`/bulk${i % parents}/late-${i}`, payload(i, 32)) : {
      type: OpCode.setData,
      record: {
        path: `/bulk${i % parents}/node-${(i % NODES).toString().padStart(8, "0")}`,
        data: payload(i, 64),
        version: tree.get(`/bulk${i % parents}/node-${(i % NODES).toString().padStart(8, "0")}`)!
          .stat.version + 1,
      },
    };
    const h = txn(t);
    applyTxn(tree, h, t);
    log.append(h, t, { version: 2, treeDigest: tree.digest });
    if ((i & 1023) === 0) await log.flush();
  }
  await log.close();
  return zxid;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const dir = await Deno.makeTempDir({ prefix: "zkt-bench-restore-" });
try {
  const last = await build(dir);
  const restoreMs: number[] = [];
  const writeMs: number[] = [];
  const heapMiB: number[] = [];
  let nodes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await restore(dir);
    restoreMs.push(performance.now() - t);
    if (r.lastProcessedZxid !== last || r.digestMismatch || r.snapshotDigest === "mismatch") {
      throw new Error("restore did not reproduce the tree");
    }
    nodes = r.tree.size;
    // Heap held by the restored tree (exact with --v8-flags=--expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    heapMiB.push(Deno.memoryUsage().heapUsed / 2 ** 20);
    const out = join(dir, `out.snapshot.${i}`);
    const w = performance.now();
    await writeSnapshot(out, r.tree);
    writeMs.push(performance.now() - w);
    await Deno.remove(out);
  }
  const res = {
    nodes,
    txns: TXNS,
    runs: RUNS,
    restoreMedianMs: Math.round(median(restoreMs)),
    writeMedianMs: Math.round(median(writeMs)),
    heapAfterRestoreMiB: Math.round(median(heapMiB)),
    restoreMs: restoreMs.map(Math.round),
    writeMs: writeMs.map(Math.round),
  };
  if (args.json) console.log(JSON.stringify(res));
  else {
    console.log(
      `restore of ${nodes} nodes + ${TXNS} txns: median ${res.restoreMedianMs} ms (${
        res.restoreMs.join(", ")
      })`,
    );
    console.log(`heap after restore: median ${res.heapAfterRestoreMiB} MiB`);
    console.log(
      `writeSnapshot of ${nodes} nodes: median ${res.writeMedianMs} ms (${res.writeMs.join(", ")})`,
    );
  }
} finally {
  if (!args.keep) await Deno.remove(dir, { recursive: true });
  else console.log(`kept ${dir}`);
}
