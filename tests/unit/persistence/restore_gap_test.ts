// A restore must never hand back a tree silently missing txns: when the newest
// snapshots are unusable and the fallback snapshot's logs are gone (purged, or
// a log removed by hand), the jump in zxids is an error naming the missing ones.
import assert from "node:assert/strict";
import { DataTree } from "../../../src/data/tree.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import { CorruptDataError } from "../../../src/errors.ts";
import { missingBefore, restore } from "../../../src/persistence/datadir.ts";
import { writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../../../src/persistence/txnlog.ts";

Deno.test("missingBefore: a jump inside an epoch is missing txns; a new epoch is not", () => {
  const rows: [bigint, bigint, string | null][] = [
    [2n, 1n, null],
    [3n, 1n, "0x2"],
    [9n, 4n, "0x5..0x8"],
    [0x200000001n, 0x10000001cn, null], // new epoch restarts the counter
    [0x100000005n, 0x100000002n, "0x100000003..0x100000004"],
    [7n, 0n, "0x1..0x6"], // an empty tree is at 0
    [1n, 0n, null],
    [0x100000001n, 0n, null], // a quorum's first epoch
  ];
  for (const [zxid, prev, want] of rows) assert.equal(missingBefore(zxid, prev), want);
});

/** A data dir with snapshot.0 and logs holding creates of /n<zxid> for the given zxid runs. */
async function dataDir(runs: [number, number][]): Promise<string> {
  const dir = await Deno.makeTempDir();
  const v2 = `${dir}/version-2`;
  await Deno.mkdir(v2);
  await writeSnapshot(`${v2}/${snapshotFileName(0n)}`, new DataTree());
  for (const [from, to] of runs) {
    const w = await TxnLogWriter.create(`${v2}/${logFileName(BigInt(from))}`);
    for (let z = from; z <= to; z++) {
      w.append(
        { clientId: 1n, cxid: z, zxid: BigInt(z), time: 1, type: OpCode.create },
        {
          type: OpCode.create,
          record: { path: `/n${z}`, data: null, acl: null, ephemeral: false, parentCVersion: -1 },
        },
      );
    }
    await w.close();
  }
  return dir;
}

Deno.test("restore across contiguous logs applies every txn", async () => {
  const dir = await dataDir([[1, 5], [6, 9]]);
  const r = await restore(dir);
  assert.equal(r.lastProcessedZxid, 9n);
  assert.equal(r.txnsApplied, 9);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("restore refuses logs with txns missing between them, naming the gap", async () => {
  const dir = await dataDir([[1, 5], [9, 12]]); // 6..8 gone
  await assert.rejects(
    () => restore(dir),
    (e: Error) =>
      e instanceof CorruptDataError && /log\.9: txn 0x9 .* follows 0x5: txns 0x6\.\.0x8 are missing/
        .test(e.message) &&
      !e.message.includes("\n"),
  );
  await Deno.remove(dir, { recursive: true });
});
