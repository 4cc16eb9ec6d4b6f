// The sync stage (group commit): txns added while a commit is in flight share
// the next one; a batch is handed on only once durable, batches in order; a
// failed commit is fatal and hands nothing on.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GroupCommit } from "../../../src/server/pipeline/sync.ts";
import { endOfTurn } from "../../../src/net/end_of_turn.ts";

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => open = r);
  return { p, open };
}

Deno.test("txns added in one turn share one commit; each batch is handed on once durable", async () => {
  const commits: number[][] = [];
  const durable: number[][] = [];
  const g1 = gate();
  const gc = new GroupCommit<number>(
    {
      async commit(b) {
        commits.push([...b]);
        if (commits.length === 1) await g1.p;
      },
    },
    (b) => durable.push([...b]),
    (e) => {
      throw e;
    },
  );
  gc.add(1);
  gc.add(2);
  // The stage starts its commit at the end of the event loop's turn.
  await endOfTurn();
  // Commit of [1,2] in flight: a new txn forms batch 2, and nothing is durable yet.
  gc.add(3);
  assertEquals(durable, []);
  assertEquals(gc.queued, 3);
  g1.open();
  await gc.drain();
  assertEquals(commits, [[1, 2], [3]]);
  assertEquals(durable, [[1, 2], [3]]);
  assertEquals(gc.queued, 0);
});

Deno.test("a failed commit is fatal and hands nothing on", async () => {
  let fatal: Error | null = null;
  const durable: number[][] = [];
  const gc = new GroupCommit<number>(
    {
      commit() {
        return Promise.reject(new Error("disk full"));
      },
    },
    (b) => durable.push(b),
    (e) => fatal = e,
  );
  gc.add(1);
  await gc.drain().catch(() => {});
  assertEquals(durable, []);
  assertEquals(fatal!.message, "disk full");
});
