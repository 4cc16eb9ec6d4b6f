// A newest txn log with no header reads as a crash's torn tail, and the server
// starts. When damage emptied a log that held txns, that start silently rolls
// them back and gives their zxids out again; the log must say so, loudly: one
// ERROR line naming the file and the zxids it may have held.
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/load.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { describeEmptyLog, restore } from "../../../src/persistence/datadir.ts";
import { writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../../../src/persistence/txnlog.ts";
import { Database } from "../../../src/server/database.ts";

/** dataDir/version-2 with snapshot.<snap> (empty tree) and logs of creates for each zxid run. */
async function dataDir(runs: [number, number][], snap = 0): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-empty-log-" });
  const v2 = `${dir}/version-2`;
  await Deno.mkdir(v2);
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
  if (snap === 0) await writeSnapshot(`${v2}/${snapshotFileName(0n)}`, new DataTree());
  else {
    const r = await restore(dir, { toZxid: BigInt(snap) });
    await writeSnapshot(`${v2}/${snapshotFileName(BigInt(snap))}`, r.tree);
  }
  return dir;
}

/** The log lines Database.open writes for `dir`. */
async function openLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    const cfg = parseConfig(`dataDir=${dir}\nclientPort=2181\n`, {
      readFile: (p) => {
        throw new Deno.errors.NotFound(p);
      },
    });
    const db = await Database.open(cfg);
    await db.close();
  } finally {
    setLogSink(prev);
  }
  return lines;
}

Deno.test("a newest log emptied after it held 86 txns is one ERROR line naming the file and the zxids it may have held", async () => {
  const dir = await dataDir([[1, 10], [11, 96]]);
  const file = `${dir}/version-2/log.b`;
  await Deno.truncate(file, 0);
  const lines = await openLines(dir);
  const loud = lines.filter((l) => / - (ERROR|WARN) /.test(l));
  assert.equal(loud.length, 1, loud.join("\n"));
  assert.match(
    loud[0],
    new RegExp(
      ` - ERROR \\[.*\\] - txn log ${file} is empty \\(0 bytes\\): it may have held txns 0xb ` +
        `and later .*the restored state ends at 0xa\\..* txns from 0xb on are lost`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a log of zeros between two logs is bounded by the next one; a snapshot past it makes it a warning", () => {
  const between = describeEmptyLog(
    { file: "log.b", size: 65536, from: 0xbn, to: 0x60n, bound: "next log" },
    0xan,
  );
  assert.equal(between.level, "error");
  assert.match(
    between.message,
    /has no file header \(65536 bytes\): it may have held txns 0xb\.\.0x60 \(bounded by the next log\)/,
  );
  const covered = describeEmptyLog(
    { file: "log.b", size: 0, from: 0xbn, to: 0x60n, bound: "snapshot" },
    0x60n,
  );
  assert.equal(covered.level, "warn");
  assert.match(
    covered.message,
    /0xb\.\.0x60 \(bounded by the snapshot\); the restored state reaches 0x60$/,
  );
});

Deno.test("an empty newest log a snapshot covers (the snapshot after its txns) is a warning, not an error", async () => {
  const dir = await dataDir([[1, 10], [11, 96]], 96);
  await Deno.truncate(`${dir}/version-2/log.b`, 0);
  const lines = await openLines(dir);
  assert.equal(lines.filter((l) => / - ERROR /.test(l)).length, 0, lines.join("\n"));
  assert.ok(
    lines.some((l) =>
      / - WARN .*log\.b is empty .*0xb\.\.0x60 \(bounded by the snapshot\)/.test(l)
    ),
  );
  await Deno.remove(dir, { recursive: true });
});
