// Group commit: one sink call per batch of concurrent txns; no output leaves
// before the txns added ahead of it are durable; outputs keep their order.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GroupCommit } from "../../../src/server/group_commit.ts";

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => open = r);
  return { p, open };
}

Deno.test("txns added in one turn share one commit; replies wait for it", async () => {
  const commits: number[][] = [];
  const g1 = gate();
  const gc = new GroupCommit<number>({
    async commit(b) {
      commits.push(b);
      if (commits.length === 1) await g1.p;
    },
  }, (e) => {
    throw e;
  });
  const out: string[] = [];
  gc.add(1);
  gc.output(() => out.push("r1"));
  gc.add(2);
  gc.output(() => out.push("r2"));
  await Promise.resolve();
  await Promise.resolve();
  // Commit of [1,2] in flight: a read now must wait behind it, and a new write forms batch 2.
  gc.output(() => out.push("read"));
  gc.add(3);
  gc.output(() => out.push("r3"));
  assertEquals(out.length, 0);
  g1.open();
  await gc.drain();
  assertEquals(commits, [[1, 2], [3]]);
  assertEquals([...out], ["r1", "r2", "read", "r3"]);
  out.length = 0;
  // Nothing pending: an output leaves at once.
  gc.output(() => out.push("now"));
  assertEquals([...out], ["now"]);
});

Deno.test("a failed commit is fatal and holds every dependent reply", async () => {
  let fatal: Error | null = null;
  const gc = new GroupCommit<number>({
    commit() {
      return Promise.reject(new Error("disk full"));
    },
  }, (e) => fatal = e);
  const out: string[] = [];
  gc.add(1);
  gc.output(() => out.push("r1"));
  await gc.drain().catch(() => {});
  assertEquals(out, []);
  assertEquals(fatal!.message, "disk full");
});
