// The final stage keeps 3.8's CommitProcessor order per session: a session's
// answers (reads, pings, refusals) wait for its own earlier writes; other
// sessions' answers never wait; a write is answered when its zxid commits;
// a txn with no local request (expiry, another server's client) passes through.
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import type { Committed } from "../../../src/server/pipeline/commit.ts";
import { FinalStage } from "../../../src/server/pipeline/final.ts";

function committed(zxid: bigint, session: bigint): Committed {
  return {
    header: { clientId: session, cxid: 0, zxid, time: 0, type: 5 },
    txn: { type: -1, record: { err: 0 } },
    rc: { type: 5, zxid, err: 0, events: [] },
  };
}

Deno.test("final: a session's reads wait for its writes; other sessions' do not", () => {
  const f = new FinalStage();
  const out: string[] = [];
  f.answer(1n, () => out.push("A read0"));
  f.awaitCommit(1n, 10n, () => out.push("A write10"));
  f.answer(1n, () => out.push("A read1"));
  f.awaitCommit(1n, 11n, () => out.push("A write11"));
  f.answer(1n, () => out.push("A read2"));
  f.answer(2n, () => out.push("B read"));
  assertEquals(out, ["A read0", "B read"]);
  assertEquals(f.waiting(1n), 4);
  assertEquals(f.committed(committed(9n, 3n)), false, "no local request: just applied");
  assertEquals(f.committed(committed(10n, 1n)), true);
  assertEquals(out, ["A read0", "B read", "A write10", "A read1"]);
  f.committed(committed(11n, 1n));
  assertEquals(out.slice(4), ["A write11", "A read2"]);
  assertEquals(f.waiting(1n), 0);
  f.answer(1n, () => out.push("A read3"));
  assertEquals(out.at(-1), "A read3", "nothing waiting: answered at once");
});

Deno.test("final: a learner's forwarded write is matched once its zxid is assigned", () => {
  const f = new FinalStage();
  const out: string[] = [];
  f.awaitCommit(7n, null, () => out.push("w"));
  f.answer(7n, () => out.push("r"));
  assertEquals(f.committed(committed(5n, 7n)), false);
  assertEquals(f.assign(7n, 5n), true);
  f.committed(committed(5n, 7n));
  assertEquals(out, ["w", "r"]);
});

Deno.test("final: a commit that skips its session's earlier write is refused", () => {
  const f = new FinalStage();
  f.awaitCommit(1n, 10n, () => {});
  f.awaitCommit(1n, 11n, () => {});
  throws(() => f.committed(committed(11n, 1n)), /out of its session's order/);
});

Deno.test("final: a session's queue stays between writes and goes when its closeSession commits", () => {
  // Kept empty between writes (no map churn per write), it must not outlive
  // its session: a closeSession commit, local or not, lets it go.
  const f = new FinalStage();
  const out: string[] = [];
  f.awaitCommit(1n, 10n, () => out.push("w"));
  f.committed(committed(10n, 1n));
  assertEquals(f.sessions, 1);
  f.answer(1n, () => out.push("r"));
  assertEquals(out, ["w", "r"], "an empty queue answers at once");
  const close = (zxid: bigint, session: bigint): Committed => ({
    ...committed(zxid, session),
    txn: { type: -11, record: null },
  });
  f.awaitCommit(1n, 11n, () => out.push("close"));
  f.committed(close(11n, 1n));
  assertEquals(f.sessions, 0);
  f.awaitCommit(2n, 12n, () => {});
  f.committed(committed(12n, 2n));
  assertEquals(f.committed(close(13n, 2n)), false, "an expiry from elsewhere");
  assertEquals(f.sessions, 0);
});
