// Group commit on a real data dir: every batch the server commits is one log
// write and — unless forceSync=no — one data sync, however many txns it holds.
import assert from "node:assert/strict";
import type { Database, LoggedTxn } from "../../../src/server/database.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

async function run(lines: string[]) {
  const p = await startInProc(["snapCount=100000", ...lines]);
  const db = p.server.db as Database;
  const commit = db.commit.bind(db);
  let commits = 0;
  let txns = 0;
  db.commit = (batch: LoggedTxn[]) => {
    commits++;
    txns += batch.length;
    return commit(batch);
  };
  const before = db.logStats();
  const clients = await Promise.all([0, 1, 2, 3].map(() => ZkClient.connect(p.port)));
  // Pipelined creates from four clients: they arrive while commits are in flight.
  const replies = clients.flatMap((c, i) =>
    Array.from({ length: 100 }, (_, j) => c.create(`/n-${i}-${j}`, "x".repeat(100)))
  );
  for (const r of await Promise.all(replies)) assert.equal(r.err, 0);
  const after = db.logStats();
  const counted = { commits, txns };
  for (const c of clients) await c.close();
  await p.stop();
  return {
    ...counted,
    writes: after.writes - before.writes,
    syncs: after.syncs - before.syncs,
    dirSyncs: after.dirSyncs,
  };
}

Deno.test("forceSync=yes: each committed batch is one log write and one data sync", async () => {
  const r = await run([]);
  assert.ok(r.txns >= 400, `${r.txns} txns`);
  assert.ok(r.commits < r.txns, `batches formed: ${r.commits} commits for ${r.txns} txns`);
  assert.equal(r.writes, r.commits);
  assert.equal(r.syncs, r.commits);
  assert.equal(r.dirSyncs, 1, "the new log's name made durable once");
});

Deno.test("forceSync=no: each committed batch is one log write and no sync", async () => {
  const r = await run(["forceSync=no"]);
  assert.equal(r.writes, r.commits);
  assert.equal(r.syncs, 0);
  assert.equal(r.dirSyncs, 0);
});
