// Apply at commit (3.8's PrepRequestProcessor → SyncRequestProcessor →
// FinalRequestProcessor, with CommitProcessor's per-session order): while a
// write's batch is not yet durable, the tree does not have it, other sessions'
// reads are answered at once from the committed tree, the writer's own later
// read waits for its write, and back-to-back writes are prepared against the
// outstanding change (3.8's outstandingChanges) with the right versions.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Database, LoggedTxn } from "../../../src/server/database.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { waitFor } from "../../support/wait.ts";

/** Holds the log's commits until `open()` (none held before `hold()`). */
function gateCommits(db: Database) {
  const commit = db.commit.bind(db);
  let held: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  let waiting = 0;
  db.commit = async (batch: LoggedTxn[]) => {
    if (gate) {
      waiting++;
      await gate;
    }
    return commit(batch);
  };
  return {
    hold() {
      gate = new Promise((r) => held = r);
    },
    open() {
      gate = null;
      held?.();
    },
    waiting: () => waiting,
  };
}

Deno.test("a write is applied only once durable; other sessions read the committed tree meanwhile", async () => {
  const p = await startInProc();
  const gate = gateCommits(p.server.db as Database);
  const writer = await ZkClient.connect(p.port);
  const reader = await ZkClient.connect(p.port);
  try {
    assertEquals((await writer.create("/n", "v0")).err, 0);
    gate.hold();
    const set1 = writer.setData("/n", "v1", -1);
    // Prepared against the outstanding setData: version 1 is current, 0 is not.
    const set2 = writer.setData("/n", "v2", 1);
    const stale = writer.setData("/n", "v3", 0);
    const own = writer.getData("/n");
    await waitFor("the writes' batch to reach the log", () => gate.waiting() > 0, 10_000);
    assertEquals(p.server.db.tree.get("/n")?.stat.version, 0, "not applied before durable");
    const other = await reader.getData("/n");
    assertEquals([other.err, other.data, other.stat?.version], [0, "v0", 0]);
    let ownDone = false;
    void own.then(() => ownDone = true);
    await reader.exists("/");
    assertEquals(ownDone, false, "the writer's read waits for its own writes");
    gate.open();
    assertEquals((await set1).stat?.version, 1);
    assertEquals((await set2).stat?.version, 2);
    assertEquals((await stale).err, -103);
    const mine = await own;
    assertEquals([mine.data, mine.stat?.version], ["v2", 2]);
  } finally {
    gate.open();
    await writer.close().catch(() => {});
    await reader.close().catch(() => {});
    await p.stop();
  }
});

Deno.test("closeSession deletes the ephemerals an outstanding create made", async () => {
  const p = await startInProc();
  const gate = gateCommits(p.server.db as Database);
  const a = await ZkClient.connect(p.port);
  const b = await ZkClient.connect(p.port);
  try {
    assertEquals((await b.exists("/e", true)).err, -101);
    gate.hold();
    const made = a.create("/e", "x", 1);
    const closed = a.close();
    await waitFor("the batch to reach the log", () => gate.waiting() > 0, 10_000);
    gate.open();
    assertEquals((await made).err, 0);
    assertEquals(await closed, 0);
    await waitFor("/e to be gone", async () => (await b.exists("/e")).err === -101, 10_000);
    assertEquals(p.server.db.tree.ephemerals.get(a.session.sessionId)?.size ?? 0, 0);
  } finally {
    gate.open();
    await b.close().catch(() => {});
    await p.stop();
  }
});
