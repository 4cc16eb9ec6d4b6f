// The leader side of what learners send (zab-3.8.md §8, §13 items 12, 13):
// every request a learner forwards becomes exactly one txn with the client's
// session id and cxid — an error txn (no TxnDigest, as 3.8 writes none) when
// prep refuses it, a write from a server that does not own the session is
// SessionMoved — because a Java learner matches each commit against the head
// of its queued requests and a missing txn leaves its clients hanging. The
// tree changes only when Zab reports the txn committed.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ErrorCode, OpCode } from "../../../src/jute/constants.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { decodeTxnEntry } from "../../../src/persistence/records.ts";
import { startTestZabLeader } from "../../support/inproc_roles.ts";
import { ZkClient } from "../../support/zk_client.ts";

const S = (2n << 56n) | 5n;
const OPEN = [{ perms: 31, scheme: "world", id: "anyone" }];

function createBody(path: string, acl = OPEN): Uint8Array {
  const w = new Writer(64).ustring(path).buffer(new TextEncoder().encode("d")).int(acl.length);
  for (const a of acl) w.int(a.perms).ustring(a.scheme).ustring(a.id);
  return w.int(0).toBytes();
}

Deno.test("a leader turns every forwarded request into exactly one txn with its session and cxid; refusals are error txns without a digest; a non-owner's write is SessionMoved", async () => {
  const { p, chain, proposed, commitAll } = await startTestZabLeader([]);
  try {
    const s = p.server;
    const timeout = new Uint8Array(4);
    new DataView(timeout.buffer).setInt32(0, 6000);
    const fwd = (owner: bigint, cxid: number, type: number, body: Uint8Array) =>
      s.forwarded(owner, { sessionId: S, cxid, type, body, authInfo: [] });
    fwd(2n, 0, OpCode.createSession, timeout);
    fwd(2n, 1, OpCode.create, createBody("/a"));
    fwd(2n, 2, OpCode.create, createBody("/a"));
    fwd(2n, 3, OpCode.create, new Uint8Array([0, 0, 0]));
    fwd(3n, 4, OpCode.create, createBody("/b"));
    fwd(2n, 5, OpCode.create, createBody("/nope/c"));
    const txns = proposed.map((e) => decodeTxnEntry(e));
    assertEquals(
      txns.map((t) => [t.header.clientId, t.header.cxid, t.header.type]),
      [0, 1, 2, 3, 4, 5].map((cxid) => [
        S,
        cxid,
        cxid === 0 ? OpCode.createSession : cxid === 1 ? OpCode.create : OpCode.error,
      ]),
    );
    assertEquals(
      txns.slice(2).map((t) => (t.txn as { record: { err: number } }).record.err),
      [ErrorCode.NodeExists, ErrorCode.MarshallingError, ErrorCode.SessionMoved, ErrorCode.NoNode],
    );
    assertEquals(txns.map((t) => t.digest !== null), [true, true, false, false, false, false]);

    // Proposed is not committed: the tree has /a only once Zab reports its commit.
    assertEquals(s.db.tree.get("/a"), undefined);
    commitAll();
    assertEquals(s.db.tree.get("/a") !== undefined, true);
    assertEquals(s.db.tree.sessions.get(S), 6000);
    assertEquals(chain.overlay.size, 0);
    // Each proposal's digest (the overlay's prediction) is the tree's after it.
    assertEquals(s.metrics.counters.digest_mismatches_count, 0);
  } finally {
    await p.stop();
  }
});

Deno.test("a read on the leader checks its session as 3.8's prep does: served while this server owns it, SessionMoved once a learner revalidated it", async () => {
  const { p, proposed, commitAll } = await startTestZabLeader([], {}, true);
  let c: ZkClient | null = null;
  try {
    // The createSession commits when Zab says so: commit as soon as it is proposed.
    const connecting = ZkClient.connect(p.port, { timeoutMs: 6000 });
    while (proposed.length === 0) await new Promise((r) => setTimeout(r, 5));
    commitAll();
    c = await connecting;
    assertEquals((await c.getData("/")).err, ErrorCode.Ok);
    // The client's session moved to learner 2 (its REVALIDATE): this connection is stale.
    assertEquals(p.server.revalidateSession(2n, c.session.sessionId, 6000), true);
    assertEquals((await c.getData("/")).err, ErrorCode.SessionMoved);
  } finally {
    // No closeSession: nothing would commit it.
    await c?.drop().catch(() => {});
    await p.stop();
  }
});
