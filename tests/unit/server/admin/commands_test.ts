// AdminServer commands over a live in-process server: the replies carry the
// state a client created (sessions, ephemerals, watches) under 3.8's keys, the
// quorum commands answer from a QuorumView, and errors take 3.8's shapes.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { handleAdminRequest } from "../../../../src/server/admin/admin_server.ts";
import {
  type AdminSources,
  NOT_SERVING,
  primaryNames,
} from "../../../../src/server/admin/commands.ts";
import { parseJsonExact } from "../../../../src/inspect/json_exact.ts";
import type { QuorumView } from "../../../../src/server/admin/quorum_view.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";
import { ZkClient } from "../../../support/zk_client.ts";

type Obj = Record<string, unknown>;

async function get(src: AdminSources, name: string): Promise<{ status: number; body: Obj }> {
  const res = await handleAdminRequest(new URL(`http://x/commands/${name}`), src);
  assertEquals(res.headers.get("content-type"), "application/json");
  return { status: res.status, body: parseJsonExact(await res.text()) as Obj };
}

async function withSession(
  f: (src: AdminSources, c: ZkClient, s: Awaited<ReturnType<typeof startInProc>>) => Promise<void>,
): Promise<void> {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/e", "", 1);
    await c.create("/x", "");
    await c.getData("/x", true);
    await c.exists("/e", true);
    await f({ view: () => s.server.fourLetterView() }, c, s);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
}

Deno.test("connections lists the session with 3.8's keys; the 64-bit session id is exact", async () => {
  await withSession(async (src, c) => {
    const { status, body } = await get(src, "connections");
    assertEquals(status, 200);
    const conns = body.connections as Obj[];
    assertEquals(conns.length, 1);
    assertEquals(Object.keys(conns[0]), [
      "remote_socket_address",
      "interest_ops",
      "outstanding_requests",
      "packets_received",
      "packets_sent",
      "session_id",
      "last_operation",
      "established",
      "session_timeout",
      "last_cxid",
      "last_zxid",
      "last_response_time",
      "last_latency",
      "min_latency",
      "avg_latency",
      "max_latency",
    ]);
    assertEquals(BigInt(conns[0].session_id as bigint), c.session.sessionId);
    assert(
      c.session.sessionId > BigInt(Number.MAX_SAFE_INTEGER),
      "standalone ids have 0x01 on top",
    );
    assert(/^127\.0\.0\.1:\d+$/.test(conns[0].remote_socket_address as string));
    assertEquals(body.secure_connections, []);
    assertEquals(Object.keys(body).slice(-2), ["command", "error"]);
    assertEquals([body.command, body.error], ["connections", null]);
  });
});

Deno.test("dump, watches, watches_by_path and watch_summary show the client's ephemeral and watches", async () => {
  await withSession(async (src, c) => {
    const id = c.session.sessionId;
    const dump = (await get(src, "dump")).body;
    assertEquals(dump.session_id_to_ephemeral_paths, { [String(id)]: ["/e"] });
    const expiry = dump.expiry_time_to_session_ids as Record<string, unknown[]>;
    assertEquals(Object.values(expiry).flat(), [id]);
    const watched = (await get(src, "watches")).body.session_id_to_watched_paths as Obj;
    assertEquals(Object.keys(watched), [String(id)]);
    assertEquals((watched[String(id)] as string[]).sort(), ["/e", "/x"]);
    assertEquals((await get(src, "watches_by_path")).body.path_to_session_ids, {
      "/e": [id],
      "/x": [id],
    });
    const ws = (await get(src, "watch_summary")).body;
    assertEquals([ws.num_connections, ws.num_paths, ws.num_total_watches], [1, 2, 2]);
  });
});

Deno.test("aliases answer under the primary name; stat has brief connections", async () => {
  await withSession(async (src) => {
    const { body } = await get(src, "stat");
    assertEquals(body.command, "stats");
    const conns = body.connections as Obj[];
    assertEquals(Object.keys(conns[0]), [
      "remote_socket_address",
      "interest_ops",
      "outstanding_requests",
      "packets_received",
      "packets_sent",
    ]);
    assertEquals((await get(src, "mntr")).body.command, "monitor");
    assertEquals((await get(src, "conf")).body.command, "configuration");
  });
});

Deno.test("monitor keeps mntr's values with Jackson's types (doubles stay doubles)", async () => {
  await withSession(async (src) => {
    const res = await handleAdminRequest(new URL("http://x/commands/monitor"), src);
    const text = await res.text();
    const body = parseJsonExact(text) as Obj;
    assertEquals(body.znode_count, 7); // "", /, /zookeeper, /zookeeper/quota, /zookeeper/config, /e, /x
    assertEquals(body.ephemerals_count, 1);
    assertEquals(body.watch_count, 2);
    assertEquals(body.server_state, "standalone");
    assert(/"avg_latency" : \d+\.\d+/.test(text), "avg_latency is printed as a double");
  });
});

Deno.test("stat_reset and connection_stat_reset zero the counters they name", async () => {
  await withSession(async (src) => {
    assert(((await get(src, "srvr")).body.server_stats as Obj).packets_received as number > 0);
    await get(src, "stat_reset");
    assertEquals(((await get(src, "srvr")).body.server_stats as Obj).packets_received, 0);
    await get(src, "crst");
    const c = ((await get(src, "cons")).body.connections as Obj[])[0];
    assertEquals([c.packets_received, c.max_latency], [0, 0]);
  });
});

Deno.test("an unknown command is a 404 with 3.8's error body", async () => {
  await withSession(async (src) => {
    const { status, body } = await get(src, "nope");
    assertEquals(status, 404);
    assertEquals(body, { command: "nope", error: "Unknown command: nope" });
  });
});

Deno.test("standalone: leader says not initialized, voting_view is empty, zabstate is blank", async () => {
  await withSession(async (src) => {
    assertEquals((await get(src, "leader")).body, {
      error: "server is not initialized",
      command: "leader",
    });
    assertEquals((await get(src, "voting_view")).body.current_config, {});
    const z = (await get(src, "zabstate")).body;
    assertEquals([z.voting, z.zabstate], [false, ""]);
    const q = (await get(src, "quorum_connections")).body;
    assertEquals([q.election_connections, q.learner_connections], [[], []]);
    assertEquals((await get(src, "election")).body.current_vote, null);
  });
});

Deno.test("a server that is not serving refuses server-bound commands and monitor, not env", async () => {
  await withSession(async (_src, _c, s) => {
    const src: AdminSources = { view: () => ({ ...s.server.fourLetterView(), serving: false }) };
    assertEquals((await get(src, "cons")).body, { command: "cons", error: NOT_SERVING });
    assertEquals((await get(src, "environment")).body.error, null);
    // 3.8 has no monitor values before its ZooKeeperServer runs; zkt answers as mntr does.
    assertEquals((await get(src, "monitor")).body, { command: "monitor", error: NOT_SERVING });
  });
});

/** A follower's view: linked to the leader (3), one election link down. */
function followerView(): QuorumView {
  const vote = {
    leader: 3n,
    zxid: 0x100000005n,
    electionEpoch: 2n,
    peerEpoch: 1n,
    state: "following" as const,
  };
  return {
    myid: 2n,
    currentVote: vote,
    leaderId: 3n,
    leaderAddress: "127.0.0.1:2890",
    isLeader: false,
    zabState: "broadcast",
    voting: true,
    quorumAddress: "127.0.0.1:2889",
    electionAddress: "127.0.0.1:3889",
    clientAddress: "127.0.0.1:2182",
    votingView: [3n, 1n, 2n].map((sid) => ({
      sid,
      serverAddresses: [`127.0.0.1:${2887 + Number(sid)}`],
      electionAddresses: [`127.0.0.1:${3887 + Number(sid)}`],
      clientAddress: `127.0.0.1:${2180 + Number(sid)}`,
      learnerType: "participant" as const,
    })),
    electionLinks: [
      {
        sid: 3n,
        address: "127.0.0.1:3890",
        up: true,
        initiator: "peer",
        sendQueue: 0,
        lastSent: { ...vote, state: "looking", atMs: 1000 },
        lastReceived: { ...vote, state: "leading", atMs: 1001 },
      },
      {
        sid: 1n,
        address: "127.0.0.1:3888",
        up: false,
        initiator: null,
        sendQueue: 1,
        lastSent: null,
        lastReceived: null,
      },
    ],
    learnerLinks: [{
      sid: 3n,
      role: "leader",
      address: "127.0.0.1:2890",
      state: "broadcast",
      lastAckedZxid: 0x100000005n,
      queued: 0,
      pingLatencyMs: 1,
    }],
    lastElectionTimeMs: 212,
  };
}

Deno.test("with a QuorumView: leader, voting_view and zabstate answer as a 3.8 quorum peer", async () => {
  await withSession(async (src) => {
    const q = { ...src, quorum: followerView };
    assertEquals((await get(q, "leader")).body, {
      is_leader: false,
      leader_id: 3,
      leader_ip: "127.0.0.1:2890",
      command: "leader",
      error: null,
    });
    const vv = (await get(q, "voting_view")).body.current_config as Obj;
    assertEquals(Object.keys(vv), ["1", "2", "3"]);
    assertEquals(vv["2"], {
      server_addresses: ["127.0.0.1:2889"],
      election_addresses: ["127.0.0.1:3889"],
      client_address: "127.0.0.1:2182",
      learner_type: "participant",
    });
    const z = (await get(q, "zabstate")).body;
    assertEquals(Object.keys(z), [
      "myid",
      "is_leader",
      "quorum_address",
      "election_address",
      "client_address",
      "voting",
      "last_zxid",
      "zab_epoch",
      "zab_counter",
      "zabstate",
      "command",
      "error",
    ]);
    assertEquals([z.myid, z.zabstate, z.voting], [2, "broadcast", true]);
  });
});

Deno.test("quorum_connections and election expose links, queues, notifications and the vote", async () => {
  await withSession(async (src) => {
    const q = { ...src, quorum: followerView };
    const qc = (await get(q, "quorum_connections")).body;
    const el = qc.election_connections as Obj[];
    assertEquals(el.map((l) => [l.sid, l.state, l.initiator, l.send_queue]), [
      [1, "down", null, 1],
      [3, "up", "peer", 0],
    ]);
    assertEquals(el[1].last_notification_received, {
      leader: 3,
      zxid: "0x100000005",
      election_epoch: 2,
      peer_epoch: 1,
      state: "leading",
      time: 1001,
    });
    assertEquals(qc.learner_connections, [{
      sid: 3,
      role: "leader",
      address: "127.0.0.1:2890",
      state: "broadcast",
      last_acked_zxid: "0x100000005",
      queued: 0,
      ping_latency_ms: 1,
    }]);
    const e = (await get(q, "election")).body;
    assertEquals((e.current_vote as Obj).leader, 3);
    assertEquals([e.my_id, e.leader_id, e.voting_members], [2, 3, [1, 2, 3]]);
  });
});

Deno.test("the /commands index links every primary name, sorted, as 3.8's servlet prints it", async () => {
  const res = await handleAdminRequest(new URL("http://x/commands"), {
    view: () => {
      throw new Error("the index reads no state");
    },
  });
  const text = await res.text();
  const names = [...text.matchAll(/<a href="\/commands\/([a-z_]+)">\1<\/a>\n<br\/>\n/g)].map((m) =>
    m[1]
  );
  assertEquals(names, primaryNames());
  assertEquals(names, [...names].sort());
  for (
    const n of [
      "connections",
      "connection_stat_reset",
      "configuration",
      "dump",
      "environment",
      "get_trace_mask",
      "is_read_only",
      "monitor",
      "ruok",
      "server_stats",
      "stat_reset",
      "stats",
      "watches",
      "watches_by_path",
      "watch_summary",
      "leader",
      "voting_view",
      "last_snapshot",
      "zabstate",
      "quorum_connections",
      "election",
      "set_trace_mask",
      "system_properties",
      "observers",
      "observer_connection_stat_reset",
    ]
  ) assert(names.includes(n), n);
});

Deno.test("set_trace_mask sets what get_trace_mask and gtmk show; a missing or bad traceMask is 3.8's error", async () => {
  await withSession(async (src) => {
    assertEquals((await get(src, "get_trace_mask")).body.tracemask, 306);
    const missing = await get(src, "set_trace_mask");
    assertEquals(Object.keys(missing.body), ["error", "command"]);
    assertEquals(missing.body.error, "setTraceMask requires long traceMask argument");
    const bad = await get(src, "stmk?traceMask=abc");
    assertEquals(bad.body.error, "setTraceMask requires long traceMask argument, got abc");
    const set = await get(src, "stmk?traceMask=7");
    assertEquals(set.body, { tracemask: 7, command: "set_trace_mask", error: null });
    assertEquals((await get(src, "gtmk")).body.tracemask, 7);
  });
});

Deno.test("system_properties lists zkt's own values under 3.8's keys, sorted; observers has none", async () => {
  await withSession(async (src) => {
    const props = (await get(src, "sysp")).body;
    const keys = Object.keys(props).filter((k) => k !== "command" && k !== "error");
    assertEquals(keys, [...keys].sort());
    assertEquals(props["file.separator"], "/");
    assertEquals(props["os.name"], Deno.build.os === "linux" ? "Linux" : Deno.build.os);
    assertEquals(props["user.dir"], Deno.cwd());
    assert(!keys.some((k) => k.startsWith("java.")), "no JVM properties");
    assertEquals((await get(src, "obsr")).body, {
      synced_observers: 0,
      observers: [],
      command: "observers",
      error: null,
    });
    assertEquals((await get(src, "observer_connection_stat_reset")).body, {
      command: "observer_connection_stat_reset",
      error: null,
    });
  });
});

Deno.test("last_snapshot reports the newest snapshot file's zxid (hex) and time in seconds", async () => {
  await withSession(async (src, _c, s) => {
    const at = Date.now();
    const r = (await get({
      ...src,
      lastSnapshot: () => Promise.resolve({ zxid: 0x1an, mtimeMs: at }),
    }, "last_snapshot")).body;
    assertEquals([r.zxid, r.timestamp], ["1a", Math.floor(at / 1000)]);
    assertEquals((await get(src, "lsnp")).body.zxid, "ffffffffffffffff"); // none known: -1 as 3.8
    assert(s.dir.length > 0);
  });
});
