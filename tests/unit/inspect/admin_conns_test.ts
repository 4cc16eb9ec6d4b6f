// `zkt conns` over an AdminServer: connections read from /commands/connections
// match what cons says, the quorum side (election links, learner links, vote)
// is shown from quorum_connections + election, a zkt peer's AdminServer is
// found from its conf reply, and unreachable AdminServers exit 1 saying so.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  adminBase,
  adminUrlFromConf,
  consFromAdmin,
  quorumFromAdmin,
} from "../../../src/inspect/admin_client.ts";
import { parseCons } from "../../../src/inspect/cons.ts";
import { formatQuorum, voteText } from "../../../src/inspect/quorum_format.ts";
import { startAdminServer } from "../../../src/server/admin/admin_server.ts";
import type { QuorumView } from "../../../src/server/admin/quorum_view.ts";
import { zkt } from "../../support/cli.ts";
import { freePort } from "../../support/ports.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("adminBase accepts host:port, URLs and a trailing /commands", () => {
  assertEquals(adminBase("127.0.0.1:8080"), "http://127.0.0.1:8080");
  assertEquals(adminBase("http://h:1/commands/"), "http://h:1");
  assertEquals(adminBase("https://h:1/zk"), "https://h:1/zk");
});

Deno.test("adminUrlFromConf: zkt's conf lines name the AdminServer; a wildcard bind uses the host", () => {
  assertEquals(
    adminUrlFromConf("clientPort=2181\nadmin.serverAddress=0.0.0.0\nadmin.serverPort=8081\n", "h1"),
    "http://h1:8081",
  );
  assertEquals(
    adminUrlFromConf("admin.serverAddress=10.0.0.5\nadmin.serverPort=9\n", "h1"),
    "http://10.0.0.5:9",
  );
  assertEquals(adminUrlFromConf("clientPort=2181\ndataDir=/x\n", "h1"), undefined); // Apache ZooKeeper
});

Deno.test("consFromAdmin keeps 64-bit session ids exact, as hex like cons prints them", () => {
  const [e] = consFromAdmin({
    connections: [{
      remote_socket_address: "127.0.0.1:37280",
      interest_ops: 1,
      outstanding_requests: 0,
      packets_received: 9,
      packets_sent: 9,
      session_id: 72057782214590464n,
      last_operation: "GETC",
      established: 1795375104087,
      session_timeout: 10000,
      last_cxid: 8,
      last_zxid: 4,
      last_response_time: 2871693,
      last_latency: 0,
      min_latency: 0,
      avg_latency: 2,
      max_latency: 7,
    }],
    secure_connections: [],
  });
  assertEquals(e.sessionId, "0x" + 72057782214590464n.toString(16));
  assertEquals([e.lastCxid, e.lastZxid, e.maxLatency], ["0x8", "0x4", 7]);
});

Deno.test("over a live server, /commands/connections and cons list the same sessions", async () => {
  const s = await startInProc();
  const admin = startAdminServer({
    hostname: "127.0.0.1",
    port: 0,
    view: () => s.server.fourLetterView(),
  });
  const clients = [await ZkClient.connect(s.port), await ZkClient.connect(s.port)];
  try {
    const r = await zkt(["conns", "--admin", `127.0.0.1:${admin.addr.port}`, "--json"]);
    assertEquals(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    const viaAdmin = doc.connections.map((c: { sessionId: string }) => c.sessionId).sort();
    const viaCons = parseCons(await fourLetter(s.port, "cons")).map((c) => c.sessionId)
      .filter((x) => x !== undefined).sort();
    assertEquals(viaAdmin, clients.map((c) => "0x" + c.session.sessionId.toString(16)).sort());
    assertEquals(viaAdmin, viaCons);
    assertEquals(doc.quorum.myId, null); // standalone
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await admin.stop();
    await s.stop();
  }
});

function leaderView(now: number): QuorumView {
  const vote = { leader: 1n, zxid: 0x200000003n, electionEpoch: 5n, peerEpoch: 2n };
  return {
    myid: 1n,
    currentVote: { ...vote, state: "leading" },
    leaderId: 1n,
    leaderAddress: "127.0.0.1:2888",
    isLeader: true,
    zabState: "broadcast",
    voting: true,
    quorumAddress: "127.0.0.1:2888",
    electionAddress: "127.0.0.1:3888",
    clientAddress: "127.0.0.1:2181",
    votingView: [1n, 2n, 3n].map((sid) => ({
      sid,
      serverAddresses: [],
      electionAddresses: [],
      clientAddress: "",
      learnerType: "participant",
    })),
    electionLinks: [
      {
        sid: 2n,
        address: "127.0.0.1:3889",
        up: true,
        initiator: "peer",
        sendQueue: 0,
        lastSent: { ...vote, state: "looking", atMs: now - 2000 },
        lastReceived: { ...vote, state: "following", atMs: now - 1000 },
      },
      {
        sid: 3n,
        address: "127.0.0.1:3890",
        up: false,
        initiator: "self",
        sendQueue: 2,
        lastSent: { ...vote, state: "leading", atMs: now - 500 },
        lastReceived: null,
      },
    ],
    learnerLinks: [{
      sid: 2n,
      role: "follower",
      address: "127.0.0.1:2889",
      state: "broadcast",
      lastAckedZxid: 0x200000003n,
      queued: 4,
      pingLatencyMs: 3,
    }],
  };
}

Deno.test("zkt conns --admin shows election links, learner links and the vote of a quorum peer", async () => {
  const s = await startInProc();
  const now = Date.now();
  const admin = startAdminServer({
    hostname: "127.0.0.1",
    port: 0,
    view: () => ({ ...s.server.fourLetterView(), mode: "leader" }),
    quorum: () => leaderView(now),
  });
  try {
    const base = `http://127.0.0.1:${admin.addr.port}`;
    const j = await zkt(["conns", "--admin", base, "--json"]);
    assertEquals(j.code, 0, j.err);
    const q = JSON.parse(j.out).quorum;
    assertEquals(q.myId, "1");
    assertEquals(
      q.election.map((l: { sid: string; state: string; initiator: string; sendQueue: number }) => [
        l.sid,
        l.state,
        l.initiator,
        l.sendQueue,
      ]),
      [["2", "up", "peer", 0], ["3", "down", "self", 2]],
    );
    assertEquals(q.election[0].lastReceived.state, "following");
    assertEquals(q.learners[0], {
      sid: "2",
      role: "follower",
      address: "127.0.0.1:2889",
      state: "broadcast",
      lastAckedZxid: "0x200000003",
      queued: 4,
      pingLatencyMs: 3,
    });
    assertEquals(q.currentVote.leader, "1");
    const t = await zkt(["conns", "--admin", base]);
    assertEquals(t.code, 0, t.err);
    assert(t.out.includes("quorum: myid 1, leader, zab broadcast, leader 1"), t.out);
    assert(
      /^3\s+127\.0\.0\.1:3890\s+down\s+self\s+2\s+leading 1 0x200000003 e5\/2/m.test(t.out),
      t.out,
    );
    assert(
      /^2\s+follower\s+127\.0\.0\.1:2889\s+broadcast\s+0x200000003\s+4\s+3$/m.test(t.out),
      t.out,
    );
    assert(t.out.includes("total: 1/2 election connections up, 2 queued"), t.out);
  } finally {
    await admin.stop();
    await s.stop();
  }
});

Deno.test("formatQuorum: a standalone server says so; votes read state, leader, zxid, epochs, age", () => {
  const q = quorumFromAdmin({ my_id: null, server_state: "standalone" }, {});
  assertEquals(formatQuorum(q, 0), "quorum: none (standalone server)\n");
  assertEquals(
    voteText({
      leader: "3",
      zxid: "0x5",
      electionEpoch: "2",
      peerEpoch: "1",
      state: "leading",
      time: 1000,
    }, 4500),
    "leading 3 0x5 e2/1 (3.5s ago)",
  );
});

Deno.test("zkt conns --admin exits 1 naming the AdminServer keys when nothing answers", async () => {
  const r = await zkt(["conns", "--admin", `http://127.0.0.1:${freePort()}`, "--timeout", "2000"]);
  assertEquals(r.code, 1);
  assert(/cannot reach the AdminServer at http:\/\/127\.0\.0\.1:\d+/.test(r.err), r.err);
  assert(r.err.includes("admin.serverPort"), r.err);
});

Deno.test("a zkt peer whose conf names no AdminServer gets cons and a note on how to see the rest", async () => {
  const s = await startInProc(); // no AdminServer: its conf has no admin.* lines
  const c = await ZkClient.connect(s.port);
  try {
    const r = await zkt(["conns", `127.0.0.1:${s.port}`, "--json"]);
    assertEquals(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assertEquals(doc.quorum, null);
    assert(/AdminServer is off.*admin\.enableServer=true.*--admin/.test(doc.note), doc.note);
    assertEquals(doc.totals.sessions, 1);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});
