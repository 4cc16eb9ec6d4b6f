// A kill -9 right after a peer creates its next txn log (the name made
// durable, no byte written yet) leaves an empty newest log.* in the data dir.
// Found by the crash loop (scripts/nightly-crashes, seed 175923859, round 5):
// the restarted follower was sent a SNAP, and dropping its log after the
// snapshot's zxid truncated that empty file; truncateTxnLog found no header
// and threw "Cannot read properties of null (reading 'close')", so every
// SNAP failed and the follower never served again. A log without a header
// holds no txns: there is nothing to keep or drop. And `zkt txnlog verify` of
// the data dir then failed on it (exit 3, "torn tail: no complete file
// header") although a later log and the snapshot hold everything.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { zkt } from "../cli/cli_io.ts";
import { LOG1, LOG2 } from "../persistence/fixture.ts";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { restore } from "../../../src/persistence/datadir.ts";
import { decodeTxnEntry, encodeTxnEntry } from "../../../src/persistence/records.ts";
import { logFileName, truncateTxnLog } from "../../../src/persistence/txnlog.ts";
import { FileZabLog } from "../../../src/zab/file_zab_log.ts";
import {
  QuorumStreamParser,
  receiveSnap,
  snapStreamChunks,
} from "../../../src/zab/quorum_stream.ts";
import type { ZabLogTxn } from "../../../src/zab/zab_log.ts";

const E3 = 3n << 32n;

function create(zxid: bigint): ZabLogTxn {
  const w = new Writer(128);
  const txn: Txn = {
    type: OpCode.create,
    record: {
      path: `/n${zxid & 0xffffffffn}`,
      data: new TextEncoder().encode(`v${zxid}`),
      acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      ephemeral: false,
      parentCVersion: -1,
    },
  };
  encodeTxnEntry(
    w,
    { clientId: 0x42n, cxid: 1, zxid, time: 1_700_000_000_000, type: 1 },
    txn,
    null,
  );
  return { zxid, entry: w.toBytes() };
}

const txns = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => create(E3 + BigInt(from + i)));

for (
  const [what, bytes] of [
    ["empty (0 bytes)", new Uint8Array(0)],
    ["cut inside its header", new Uint8Array([0x5a, 0x4b, 0x4c])],
  ] as const
) {
  Deno.test(`txn log truncate: a log ${what} (a crash right after creating it) keeps and drops nothing and stays as it is`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-emptylog-" });
    const file = `${dir}/${logFileName(E3 + 0x46n)}`;
    await Deno.writeFile(file, bytes);
    const r = await truncateTxnLog(file, E3 + 0x64fn, file);
    assertEquals([r.kept, r.dropped, r.lastKept], [0, 0, null]);
    assertEquals(await Deno.readFile(file), bytes);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("file zab log: a SNAP to a follower whose newest log is empty (killed right after creating it) loads, and the data dir restores to the leader's image", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-emptylog-" });
  let zl = await FileZabLog.open({ dataDir: dir });
  await zl.writeAcceptedEpoch(3n);
  await zl.writeCurrentEpoch(3n);
  await zl.append(txns(1, 0x45));
  await zl.close();
  // The crash: the next log created, nothing written into it.
  await Deno.writeFile(`${dir}/version-2/${logFileName(E3 + 0x46n)}`, new Uint8Array(0));
  zl = await FileZabLog.open({ dataDir: dir });
  try {
    const leader = new DataTree();
    for (const t of txns(1, 0x60)) {
      const { header, txn } = decodeTxnEntry(t.entry);
      applyTxn(leader, header, txn);
    }
    const parser = new QuorumStreamParser();
    for (const part of snapStreamChunks(leader)) parser.feed(part);
    assertEquals(parser.next()?.zxid, E3 + 0x60n);
    await zl.loadSnapshot(E3 + 0x60n, (on) => receiveSnap(parser, () => Promise.resolve(null), on));
    assertEquals(zl.tree.digest, leader.digest);
    await zl.takeSnapshot({ fsync: true });
    await zl.append(txns(0x61, 0x62));
    await zl.close();
    const r = await restore(dir);
    assertEquals(r.lastProcessedZxid, E3 + 0x62n);
  } finally {
    await zl.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("txnlog verify of a data dir: a log with no file header that a later log follows holds no txns and passes; an empty newest log stays a problem", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-emptylog-" });
  await Deno.mkdir(`${dir}/version-2`);
  await Deno.copyFile(LOG1, `${dir}/version-2/log.100000001`);
  await Deno.writeFile(`${dir}/version-2/log.10000001d`, new Uint8Array(0));
  await Deno.copyFile(LOG2, `${dir}/version-2/log.200000001`);
  const ok = await zkt("txnlog", "verify", dir);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /log\.10000001d: OK — 0 txns \(no file header/);
  await Deno.writeFile(`${dir}/version-2/log.300000001`, new Uint8Array(0));
  const newest = await zkt("txnlog", "verify", dir);
  assert.equal(newest.code, 3);
  assert.match(newest.err, /log\.300000001: torn tail: no complete file header/);
  await Deno.remove(dir, { recursive: true });
});
