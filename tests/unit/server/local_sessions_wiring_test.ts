// The session trackers wired into the server's roles, as 3.8 runs sessions in
// an ensemble (LearnerZooKeeperServer, LeaderZooKeeperServer,
// QuorumZooKeeperServer.checkUpgradeSession). With localSessionsEnabled a new
// session is local: no createSession goes to the leader or into a proposal;
// its first ephemeral create sends a createSession (cxid 0, no authinfo)
// ahead of the create; closing it sends nothing. A learner's stat counts the
// client requests it forwarded and has no answer for yet. A forwarded
// createSession of a closing session is a SessionExpired error txn, and the
// client whose createSession failed gets no session. Here the test plays the
// leader (for a learner) or the learners and Zab (for a leader).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ErrorCode, OpCode } from "../../../src/jute/constants.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { decodeTxnEntry } from "../../../src/persistence/records.ts";
import { serverIdOfSession } from "../../../src/server/sessions/ids.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { waitFor } from "../../support/wait.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { startTestLedFollower, startTestZabLeader } from "../../support/inproc_roles.ts";

const LOCAL = ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=true"];
const EPHEMERAL = 1;

/** A zkt server in a follower's role (sid 2) whose leader is this test. */
const learner = (lines: string[]) => startTestLedFollower(lines, { serverId: 2 });

Deno.test("learner with localSessionsEnabled: a new session is local (nothing forwarded, this server's id); reads and writes work; the first ephemeral create forwards createSession (cxid 0) first; a local close forwards nothing", async () => {
  const l = await learner(LOCAL);
  try {
    const a = await ZkClient.connect(l.p.port);
    const id = a.session.sessionId;
    assertEquals(serverIdOfSession(id), 2n, "the id is this server's");
    assertEquals(l.sent, [], "no createSession to the leader");
    assertEquals([l.s.sessions.localCount, l.s.sessions.globalCount], [1, 0]);

    const made = a.create("/p", "x");
    const fp = await l.next("the persistent create");
    assertEquals([fp.type, fp.sessionId], [OpCode.create, id]);
    l.leaderCommits(fp);
    assertEquals((await made).err, 0);
    assertEquals((await a.getData("/p")).data, "x");

    const eph = a.create("/e", "", EPHEMERAL);
    const up = await l.next("the upgrade");
    assertEquals([up.type, up.sessionId, up.cxid, up.authinfo], [
      OpCode.createSession,
      id,
      0,
      null,
    ]);
    const fe = await l.next("the ephemeral create");
    assertEquals([fe.type, fe.sessionId], [OpCode.create, id]);
    // stat's Outstanding: the client's create waits on the leader (the upgrade has no client).
    assertEquals(l.s.fourLetterView().outstanding, 1);
    l.leaderCommits(up);
    l.leaderCommits(fe);
    assertEquals((await eph).err, 0);
    assertEquals(l.s.db.tree.get("/e")?.stat.ephemeralOwner, id);
    assertEquals(l.front.sessions.isGlobalSession(id), true);
    assertEquals(l.s.fourLetterView().outstanding, 0);

    const b = await ZkClient.connect(l.p.port);
    assertEquals(await b.close(), 0);
    assertEquals(l.sent, [], "a local close is not forwarded");
    assertEquals(l.s.sessions.localCount, 0);
    await a.drop();
  } finally {
    await l.p.stop();
  }
});

Deno.test("learner: a client whose forwarded createSession comes back as an error txn (SessionExpired) gets no session", async () => {
  const l = await learner([]);
  try {
    const c = ZkClient.connect(l.p.port);
    const r = await l.next("the createSession");
    assertEquals(r.type, OpCode.createSession);
    l.commit(r.sessionId, 0, { type: OpCode.error, record: { err: ErrorCode.SessionExpired } });
    const client = await c;
    assertEquals([client.session.sessionId, client.session.timeOut], [0n, 0]);
    await client.drop();
  } finally {
    await l.p.stop();
  }
});

/** A zkt server leading (sid 3, its tracker the leader's); proposals are recorded, commits applied on demand. */
const leader = (lines: string[]) => startTestZabLeader(lines, { serverId: 3 }, true);

const ops = (proposed: Uint8Array[]) =>
  proposed.map((e) => {
    const { header } = decodeTxnEntry(e);
    return [header.clientId, header.cxid, header.type];
  });

Deno.test("leader with localSessionsEnabled: a client's session is local (no proposal); an ephemeral create proposes createSession (cxid 0) then the create; a learner cannot revalidate a local session", async () => {
  const { p, proposed, commitAll } = await leader(LOCAL);
  try {
    const a = await ZkClient.connect(p.port);
    const id = a.session.sessionId;
    assertEquals(proposed.length, 0, "no createSession proposed");
    assertEquals(p.server.revalidateSession(1n, id, 6000), false, "local: not valid elsewhere");
    const eph = a.create("/e", "", EPHEMERAL);
    await waitFor("two proposals", () => proposed.length === 2, 5000, 5);
    assertEquals(ops(proposed), [[id, 0, OpCode.createSession], [id, 1, OpCode.create]]);
    commitAll();
    assertEquals((await eph).err, 0);
    assertEquals(p.server.revalidateSession(1n, id, 6000), true, "global now");
    await a.drop();
  } finally {
    await p.stop();
  }
});

Deno.test("leader: a learner's createSession for a session that is closing is a SessionExpired error txn", async () => {
  const { p, proposed } = await leader([]);
  try {
    const S = (2n << 56n) | 9n;
    const timeout = new Writer(4).int(6000).toBytes();
    const fwd = (cxid: number, type: number, body: Uint8Array) =>
      p.server.forwarded(2n, { sessionId: S, cxid, type, body, authInfo: [] });
    fwd(0, OpCode.createSession, timeout);
    fwd(1, OpCode.closeSession, new Uint8Array());
    fwd(0, OpCode.createSession, timeout);
    assertEquals(ops(proposed), [
      [S, 0, OpCode.createSession],
      [S, 1, OpCode.closeSession],
      [S, 0, OpCode.error],
    ]);
    const last = decodeTxnEntry(proposed[2]).txn as { record: { err: number } };
    assertEquals(last.record.err, ErrorCode.SessionExpired);
  } finally {
    await p.stop();
  }
});

Deno.test("learner: stat's Outstanding counts the client requests forwarded to the leader and not yet answered (3.8's requests in process)", async () => {
  const l = await learner([]);
  try {
    const c = ZkClient.connect(l.p.port);
    l.leaderCommits(await l.next("the createSession"));
    const a = await c;
    const made = a.create("/x", "");
    const fw = await l.next("the create");
    assertEquals(/Outstanding: 1\n/.test(await fourLetter(l.p.port, "stat")), true);
    l.leaderCommits(fw);
    assertEquals((await made).err, 0);
    assertEquals(/Outstanding: 0\n/.test(await fourLetter(l.p.port, "stat")), true);
    await a.drop();
  } finally {
    await l.p.stop();
  }
});
