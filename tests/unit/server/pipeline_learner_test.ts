// The follower/observer chain's server half (server/pipeline/learner.ts),
// 3.8's CommitProcessor matching on a learner (zab-3.8.md §8, §9): a
// committed txn answers a local client only when its (sessionId, cxid) is
// the head of this server's pending forwarded requests; other servers'
// txns are only applied; a session's reads wait for its forwarded writes; a
// SYNC releases the oldest pending sync (FIFO); touches go out once per PING
// reply; REVALIDATE answers reach the waiting reconnects in order.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Committed } from "../../../src/server/pipeline/commit.ts";
import { type ForwardRequest, LearnerFront } from "../../../src/server/pipeline/learner.ts";

const A = (1n << 56n) | 1n;
const B = (1n << 56n) | 2n;
const C = (3n << 56n) | 1n; // a session of another server

function front() {
  const sent: ForwardRequest[] = [];
  const revals: [bigint, number][] = [];
  const f = new LearnerFront({
    forward: (r) => sent.push(r),
    revalidate: (id, t) => revals.push([id, t]),
  }, { tickMs: 2000, serverId: 1, now: 0, sessions: [] });
  return { f, sent, revals };
}

function req(sessionId: bigint, cxid: number, type = 1): ForwardRequest {
  return {
    sessionId,
    cxid,
    type,
    body: new Uint8Array(0),
    authinfo: [{ scheme: "ip", id: "127.0.0.1" }],
  };
}

let zxid = 0x100000000n;
function txn(clientId: bigint, cxid: number, type = 1): Committed {
  const z = ++zxid;
  return {
    header: { clientId, cxid, zxid: z, time: 1, type },
    txn: type === -10 ? { type: -10, record: { timeOut: 5000 } } : { type: -1, record: { err: 0 } },
    rc: { type, zxid: z, err: 0, events: [] },
  } as Committed;
}

Deno.test("learner chain: a commit answers the client whose forwarded request is the head of the pending queue; another server's txn answers no one", () => {
  const { f, sent } = front();
  const log: string[] = [];
  f.forward(req(A, 1), (c) => log.push(`A1@${c.header.zxid.toString(16)}`));
  f.forward(req(B, 1), () => log.push("B1"));
  f.final.answer(B, () => log.push("B read"));
  f.final.answer(C, () => log.push("C read"));
  assertEquals(sent.map((r) => [r.sessionId, r.cxid]), [[A, 1], [B, 1]]);
  assertEquals(log, ["C read"]);
  assertEquals(f.committed(txn(C, 7)), false, "another server's txn");
  // B's txn cannot overtake A's: it is not the head (3.8 applies it as remote).
  assertEquals(f.committed(txn(B, 9)), false);
  assertEquals(f.committed(txn(A, 1)), true);
  assertEquals(f.committed(txn(B, 1)), true);
  assertEquals(log, ["C read", "A1@100000003", "B1", "B read"]);
  assertEquals(f.outstanding, 0);
});

Deno.test("learner chain: the leader's SYNC releases the oldest pending sync, after the commits before it; a read behind it waits", () => {
  const { f } = front();
  const log: string[] = [];
  f.forward(req(A, 1), () => log.push("A write"));
  f.sync(req(A, 2, 9), () => log.push("A sync"));
  f.sync(req(B, 1, 9), () => log.push("B sync"));
  f.final.answer(A, () => log.push("A read"));
  assertEquals(f.syncDone({ sessionId: B, cxid: 1 }), false, "not the oldest sync");
  assertEquals(f.committed(txn(A, 1)), true);
  assertEquals(log, ["A write"]);
  assertEquals(f.syncDone({ sessionId: A, cxid: 2 }), true);
  assertEquals(f.syncDone({ sessionId: B, cxid: 1 }), true);
  assertEquals(log, ["A write", "A sync", "A read", "B sync"]);
});

Deno.test("learner chain: touches go in one PING reply's table; a committed createSession is touched too", () => {
  const { f } = front();
  f.sessions.touchSession(A, 4000, 0);
  f.sessions.touchSession(A, 4000, 1);
  assertEquals(f.takeTouches(), [{ sessionId: A, timeout: 4000 }]);
  assertEquals(f.takeTouches(), []);
  f.forward(req(B, 0, -10), () => {});
  assertEquals(f.committed(txn(B, 0, -10)), true);
  assertEquals(f.sessions.isGlobalSession(B), true);
  assertEquals(f.takeTouches(), [{ sessionId: B, timeout: 5000 }]);
});

Deno.test("learner chain: REVALIDATE answers reach the reconnects of that session in order", () => {
  const { f, revals } = front();
  const got: string[] = [];
  f.revalidate(A, 3000, (v) => got.push(`first ${v}`));
  f.revalidate(A, 3000, (v) => got.push(`second ${v}`));
  assertEquals(revals, [[A, 3000], [A, 3000]]);
  f.revalidated(B, true); // nobody waits for B
  f.revalidated(A, true);
  f.revalidated(A, false);
  assertEquals(got, ["first true", "second false"]);
});
