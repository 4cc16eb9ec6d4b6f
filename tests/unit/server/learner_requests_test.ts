// A zkt server in a learner's role (server/pipeline/learner.ts wired into
// ZkServer): it prepares nothing. A new session's createSession, a write and
// a sync are forwarded to the leader (createSession with cxid 0 and no
// authinfo; writes with the connection's auth ids, ip: included) and answered
// only when their txn commits here; a refused write comes back as an error
// txn to the client that sent it and no one else; a session's read waits for
// its forwarded write; a watch fires for another server's txn; a sync is
// answered when the leader's SYNC releases it. Here the test is the leader.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ErrorCode, OpCode } from "../../../src/jute/constants.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { waitFor } from "../../support/wait.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { startTestLedFollower } from "../../support/inproc_roles.ts";

Deno.test("a learner forwards createSession, writes and syncs and answers each at its commit, on the client that sent it", async () => {
  const { p, front, commit, leaderCommits, next } = await startTestLedFollower([], {}, {
    tickMs: 100,
    serverId: 1,
    now: 0,
  });
  try {
    const connect = async () => {
      const c = ZkClient.connect(p.port);
      const r = await next("a createSession");
      assertEquals([r.type, r.cxid, r.authinfo], [OpCode.createSession, 0, null]);
      // The negotiated timeout (clamped to 20 ticks here).
      const timeOut = new DataView(r.body.buffer, r.body.byteOffset).getInt32(0);
      assertEquals(timeOut, 2000);
      commit(r.sessionId, 0, { type: OpCode.createSession, record: { timeOut } });
      const client = await c;
      assertEquals(client.session.sessionId, r.sessionId);
      return client;
    };
    const a = await connect();
    const b = await connect();

    const ca = a.create("/x", "a");
    const fa = await next("a's create");
    assertEquals(fa.authinfo, [{ scheme: "ip", id: "127.0.0.1" }]);
    const cb = b.create("/x", "b");
    const fb = await next("b's create");
    leaderCommits(fa);
    leaderCommits(fb); // NodeExists: an error txn with b's session and cxid
    assertEquals((await ca).err, 0);
    assertEquals((await cb).err, ErrorCode.NodeExists);

    // a's read waits for a's forwarded write; b's watch fires for another server's txn.
    await b.exists("/y", true);
    const before = a.arrivals.length;
    const set = a.setData("/x", "a2");
    const get = a.getData("/x");
    const fs = await next("a's setData");
    // The read reached the server and waits behind the write.
    await waitFor("a's read queued", () => front.final.waiting(a.session.sessionId) === 2, 5000, 5);
    assertEquals(a.arrivals.length, before, "nothing answered before the write commits");
    leaderCommits(fs);
    await set;
    assertEquals((await get).data, "a2");
    commit((7n << 56n) | 1n, 1, {
      type: OpCode.create,
      record: {
        path: "/y",
        data: new Uint8Array(),
        acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
        ephemeral: false,
        parentCVersion: 3,
      },
    } as Txn);
    await b.waitEvent((e) => e.path === "/y");

    const sync = a.call(OpCode.sync, (w) => w.ustring("/x"));
    const fy = await next("a's sync");
    assertEquals(fy.type, OpCode.sync);
    front.syncDone({ sessionId: fy.sessionId, cxid: fy.cxid });
    assertEquals((await sync).err, 0);
    await a.drop();
    await b.drop();
  } finally {
    await p.stop();
  }
});
