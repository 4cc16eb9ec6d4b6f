// The digest log `hash` prints is the tree's, filled where txns are applied
// (ZooKeeper 3.8's DataTree.logZxidDigest): every zxid that is a multiple of
// 128, the last 1024, none while replay is inside a fuzzy snapshot. zkt once
// kept it in the server, so a restart emptied it.
import assert from "node:assert/strict";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { DIGEST_LOG_LIMIT, DigestLog } from "../../../src/data/digest_log.ts";
import { DIGEST_VERSION } from "../../../src/data/digest.ts";
import { OpCode } from "../../../src/jute/constants.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** Applies creates /n1.. with zxids from..to; returns the recomputed digest at each multiple of 128. */
function createRange(t: DataTree, from: bigint, to: bigint): [bigint, bigint][] {
  const expected: [bigint, bigint][] = [];
  for (let z = from; z <= to; z++) {
    applyTxn(t, { clientId: 1n, cxid: 1, zxid: z, time: 1000, type: OpCode.create }, {
      type: OpCode.create,
      record: {
        path: `/n${z}`,
        data: new Uint8Array([Number(z & 0xffn)]),
        acl: OPEN,
        ephemeral: false,
        parentCVersion: -1,
      },
    });
    // Every node's digest summed afresh, not the running total the log took.
    if (z % 128n === 0n) expected.push([z, t.computeDigest()]);
  }
  return expected;
}

Deno.test("applyTxn logs the tree digest at every zxid that is a multiple of 128, values recomputed", () => {
  const t = new DataTree();
  const expected = createRange(t, 1n, 300n);
  assert.deepEqual(expected.map(([z]) => z), [128n, 256n]);
  assert.deepEqual(t.digestLog.entries, expected);
});

Deno.test("a multi is one txn: its digest is logged once, after all its sub-txns", () => {
  const t = new DataTree();
  createRange(t, 1n, 127n);
  applyTxn(t, { clientId: 1n, cxid: 1, zxid: 128n, time: 1000, type: OpCode.multi }, {
    type: OpCode.multi,
    record: null,
    subs: ["/m1", "/m2"].map((path) => ({
      type: OpCode.create,
      record: { path, data: null, acl: OPEN, ephemeral: false, parentCVersion: -1 },
    })),
  });
  assert.deepEqual(t.digestLog.entries, [[128n, t.computeDigest()]]);
});

Deno.test("the digest log keeps the newest 1024 entries", () => {
  const log = new DigestLog();
  for (let i = 1n; i <= BigInt(DIGEST_LOG_LIMIT) + 2n; i++) log.txnApplied(i * 128n, () => i);
  assert.equal(log.entries.length, DIGEST_LOG_LIMIT);
  assert.deepEqual(log.entries[0], [3n * 128n, 3n]);
});

Deno.test("inside a fuzzy snapshot nothing is logged until the txn of its recorded digest", () => {
  const t = new DataTree();
  // A snapshot named 0x70 whose digest was taken at 0x90: txns up to 0x90 may
  // already be in it, so the tree matches no real state before then.
  t.digestLog.snapshotLoaded(
    0x70n,
    { zxid: 0x90n, version: DIGEST_VERSION, digest: 7n },
    () => t.digest,
  );
  createRange(t, 0x71n, 0x90n);
  assert.deepEqual(t.digestLog.entries, [], "0x80 falls inside the fuzzy range");
  assert.equal(t.digestLog.snapshotCheck, "mismatch");
  const expected = createRange(t, 0x91n, 0x100n);
  assert.deepEqual(t.digestLog.entries, expected);
});

Deno.test("a snapshot digest for the snapshot's own zxid is checked at load, so replay logs", () => {
  const t = new DataTree();
  t.digestLog.snapshotLoaded(
    0x70n,
    { zxid: 0x70n, version: DIGEST_VERSION, digest: t.digest },
    () => t.digest,
  );
  assert.equal(t.digestLog.snapshotCheck, "ok");
  const expected = createRange(t, 0x71n, 0x80n);
  assert.deepEqual(t.digestLog.entries, expected);
});
