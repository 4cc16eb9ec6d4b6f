// Four-letter words on the client port, in 3.8's shapes; the whitelist; a
// server in LOOKING mode answers "not serving" and refuses sessions.
import assert, { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { parseCons } from "../../../src/inspect/cons.ts";
import { hexId } from "../../../src/server/session_id.ts";
import type { ServerMode } from "../../../src/server/server_options.ts";
import { fourLetter, modeOf } from "../../support/four_letter.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("srvr, stat, cons, conf, mntr, isro, dirs, envi print 3.8's shapes", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/e", "", 1);
    await c.getData("/e", true);
    const srvr = await fourLetter(s.port, "srvr");
    match(
      srvr,
      /^Zookeeper version: 3\.8\.0-.*, built on .*\nLatency min\/avg\/max: \d+\/[\d.]+\/\d+\nReceived: \d+\nSent: \d+\nConnections: \d+\nOutstanding: 0\nZxid: 0x[0-9a-f]+\nMode: standalone\nNode count: 6\n$/,
    );
    assertEquals(modeOf(srvr), "standalone");
    const stat = await fourLetter(s.port, "stat");
    match(
      stat,
      /\nClients:\n( \/127\.0\.0\.1:\d+\[1\]\(queued=\d+,recved=\d+,sent=\d+\)\n)+ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)\n\n/,
    );
    const cons = parseCons(await fourLetter(s.port, "cons"));
    const mine = cons.find((e) => e.sessionId === hexId(c.session.sessionId));
    assert(mine, "cons lists the session");
    assertEquals(mine.lastOperation, "GETD");
    const conf = await fourLetter(s.port, "conf");
    assertEquals(
      conf.split("\n").filter(Boolean).map((l) => l.split("=")[0]),
      [
        "clientPort",
        "secureClientPort",
        "dataDir",
        "dataDirSize",
        "dataLogDir",
        "dataLogSize",
        "tickTime",
        "maxClientCnxns",
        "minSessionTimeout",
        "maxSessionTimeout",
        "clientPortListenBacklog",
        "serverId",
      ],
    );
    const mntr = new Map(
      (await fourLetter(s.port, "mntr")).trim().split("\n").map((l) =>
        l.split("\t") as [string, string]
      ),
    );
    assertEquals(mntr.get("zk_server_state"), "standalone");
    assertEquals(mntr.get("zk_znode_count"), "6");
    assertEquals(mntr.get("zk_ephemerals_count"), "1");
    assertEquals(mntr.get("zk_watch_count"), "1");
    assertEquals(await fourLetter(s.port, "isro"), "rw");
    assertEquals(await fourLetter(s.port, "ruok"), "imok");
    match(await fourLetter(s.port, "dirs"), /^datadir_size: \d+\nlogdir_size: \d+\n$/);
    match(await fourLetter(s.port, "envi"), /^Environment:\nzookeeper\.version=3\.8\.0-/);
  } finally {
    await c.close();
    await s.stop();
  }
});

Deno.test("wchs, wchc, wchp and dump list watches, sessions and ephemerals", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/e", "", 1);
    await c.exists("/e", true);
    await c.getChildren("/", true);
    const sid = hexId(c.session.sessionId);
    // Data watches only, as 3.8's DataTree reports them (the child watch on / is left out;
    // strings from Debian's 3.8.0 for the same steps).
    assertEquals(
      await fourLetter(s.port, "wchs"),
      "1 connections watching 1 paths\nTotal watches:1\n",
    );
    assertEquals(await fourLetter(s.port, "wchc"), `${sid}\n\t/e\n\n`);
    assertEquals(await fourLetter(s.port, "wchp"), `/e\n\t${sid}\n\n`);
    const dump = await fourLetter(s.port, "dump");
    match(
      dump,
      /^SessionTracker dump:\nSession Sets \(1\)\/\(1\):\n1 expire at .* UTC \d{4}:\n\t0x[0-9a-f]+\n/,
    );
    assert(dump.includes(`ephemeral nodes dump:\nSessions with Ephemerals (1):\n${sid}:\n\t/e\n`));
  } finally {
    await c.close();
    await s.stop();
  }
});

Deno.test("crst and srst reset counters", async () => {
  const s = await startInProc();
  try {
    assertEquals(await fourLetter(s.port, "crst"), "Connection stats reset.\n");
    assertEquals(await fourLetter(s.port, "srst"), "Server stats reset.\n");
    match(await fourLetter(s.port, "srvr"), /\nReceived: 1\n/);
  } finally {
    await s.stop();
  }
});

Deno.test("words outside 4lw.commands.whitelist are refused; srvr always works", async () => {
  const s = await startInProc(["4lw.commands.whitelist=ruok"]);
  try {
    assertEquals(
      await rawWord(s.port, "stat"),
      "stat is not executed because it is not in the whitelist.\n",
    );
    assertEquals(await fourLetter(s.port, "ruok"), "imok");
    assertEquals(modeOf(await fourLetter(s.port, "srvr")), "standalone");
  } finally {
    await s.stop();
  }
});

Deno.test("the mode comes from outside: LOOKING answers 'not serving' and refuses sessions", async () => {
  let mode: ServerMode = "looking";
  const s = await startInProc([], { mode: () => mode });
  try {
    assertEquals(
      await fourLetter(s.port, "srvr"),
      "This ZooKeeper instance is not currently serving requests\n",
    );
    assertEquals(await fourLetter(s.port, "isro"), "null");
    let refused = false;
    try {
      await ZkClient.connect(s.port);
    } catch {
      refused = true;
    }
    assert(refused, "no session while LOOKING");
    mode = "follower";
    assertEquals(modeOf(await fourLetter(s.port, "srvr")), "follower");
    const c = await ZkClient.connect(s.port);
    await c.close();
  } finally {
    await s.stop();
  }
});

/** Sends a word and reads until the server closes (no interpretation of refusals). */
async function rawWord(port: number, word: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(word));
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("hash prints the tree digest every 128 zxids", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await Promise.all(Array.from({ length: 130 }, (_, i) => c.create(`/h${i}`)));
    const text = await fourLetter(s.port, "hash");
    match(text, /^80: -?\d+\n$/);
  } finally {
    await c.close();
    await s.stop();
  }
});

Deno.test("leaving serving mode drops established clients", async () => {
  let mode: ServerMode = "follower";
  const s = await startInProc([], { mode: () => mode });
  try {
    const c = await ZkClient.connect(s.port);
    mode = "looking";
    await c.exists("/").catch(() => {});
    await c.ended();
    assert(c.closed);
  } finally {
    await s.stop();
  }
});

Deno.test("a quorum peer can add its own lines to conf, mntr and srvr", async () => {
  const s = await startInProc([], {
    mode: () => "leader",
    extraFourLetter: () => ({
      conf: [["initLimit", 10]],
      monitor: [["followers", 2]],
      stat: ["Proposal sizes last/min/max: -1/-1/-1"],
    }),
  });
  try {
    match(await fourLetter(s.port, "conf"), /\nserverId=\d+\ninitLimit=10\n$/);
    match(await fourLetter(s.port, "mntr"), /\nzk_followers\t2\n$/);
    const srvr = await fourLetter(s.port, "srvr");
    assertEquals(modeOf(srvr), "leader");
    match(srvr, /\nNode count: 5\nProposal sizes last\/min\/max: -1\/-1\/-1\n$/);
  } finally {
    await s.stop();
  }
});

Deno.test("gtmk prints the trace mask (306 by default); stmk sets it from 8 more bytes", async () => {
  const s = await startInProc();
  try {
    assertEquals(await rawWord(s.port, "gtmk"), "306");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    const msg = new Uint8Array(12);
    msg.set(new TextEncoder().encode("stmk"));
    new DataView(msg.buffer).setBigInt64(4, 18n);
    await conn.write(msg);
    const buf = new Uint8Array(64);
    let text = "";
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    assertEquals(text, "18");
    assertEquals(await rawWord(s.port, "gtmk"), "18");
  } finally {
    await s.stop();
  }
});
