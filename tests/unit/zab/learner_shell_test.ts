// LearnerShell on real sockets and a real data dir, against a fake leader that
// replays what a Java 3.8.0 leader sent in the recorded SNAP sync
// (fixtures/zab/snap-leader.bin): the shell must read the raw SNAP body off the
// quorum stream, snapshot it at NEWLEADER, write currentEpoch, send the
// NEWLEADER ACK first after NEWLEADER, and leave the leader's image on disk
// node by node. A SNAP cut off mid-body must change nothing on disk
// (ZOOKEEPER-3642). And the 3.8 connect rule: 5 tries, then one `done`.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import { restore } from "../../../src/persistence/datadir.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { FileZabLog } from "../../../src/zab/file_zab_log.ts";
import { CONNECT_TRIES, LearnerShell } from "../../../src/zab/learner_shell.ts";
import { makeZxid, PacketType as T } from "../../../src/zab/packet_types.ts";
import { parseProposal } from "../../../src/zab/packets.ts";
import { QuorumStreamParser } from "../../../src/zab/quorum_stream.ts";
import { settleAfterRole } from "../../../src/zab/zab_log.ts";
import { parseCapture, readFixtureCapture } from "../../support/zab_golden_check.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { encodeTxnEntry } from "../../../src/persistence/records.ts";
import type { ZabLogTxn } from "../../../src/zab/zab_log.ts";

/** A create of /n<counter> at zxid, as a txn entry. */
function create(zxid: bigint): ZabLogTxn {
  const w = new Writer(128);
  const header = { clientId: 0x42n, cxid: 1, zxid, time: 1_700_000_000_000, type: OpCode.create };
  const txn: Txn = {
    type: OpCode.create,
    record: {
      path: `/n${zxid & 0xffffffffn}`,
      data: null,
      acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      ephemeral: false,
      parentCVersion: -1,
    },
  };
  encodeTxnEntry(w, header, txn, null);
  return { zxid, entry: w.toBytes() };
}

const DIR = new URL("../../../fixtures/zab", import.meta.url).pathname;

Deno.test("learner shell: a recorded Java SNAP sync, replayed by a fake leader, leaves the leader's image on disk node by node, NEWLEADER ACK first", async () => {
  const snap = (await parseCapture(await readFixtureCapture(DIR))).find((c) => c.label === "snap")!;
  const leaderPackets = snap.leader.packets.map((p) => p.packet);
  const epoch = leaderPackets.find((p) => p.type === T.LEADERINFO)!.zxid >> 32n;
  const proposals = leaderPackets.filter((p) => p.type === T.PROPOSAL).map((p) =>
    parseProposal(p).header.zxid
  );
  const committed = leaderPackets.filter((p) => p.type === T.COMMIT).map((p) => p.zxid);
  const dir = await Deno.makeTempDir({ prefix: "zkt-learner-shell-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sent: QuorumPacket[] = [];
  const leader = (async () => {
    const c = await listener.accept();
    const parser = new QuorumStreamParser({ name: "learner" });
    const buf = new Uint8Array(65536);
    let wrote = false;
    // Everything the Java leader sent, once our learner has said FOLLOWERINFO.
    while (true) {
      const n = await c.read(buf);
      if (n === null) break;
      parser.feed(buf.slice(0, n));
      for (const p of parser.drain()) sent.push(p);
      if (!wrote && sent.length > 0) {
        wrote = true;
        let off = 0;
        while (off < snap.leaderBytes.length) off += await c.write(snap.leaderBytes.subarray(off));
      }
      const acked = new Set(sent.filter((p) => p.type === T.ACK).map((p) => p.zxid));
      if (proposals.every((z) => acked.has(z)) && acked.has(makeZxid(epoch, 0))) break;
    }
    c.close();
  })();
  const zl = await FileZabLog.open({ dataDir: dir });
  const applied: bigint[] = [];
  const shell = new LearnerShell({
    sid: 1n,
    observer: false,
    leaderSid: 3n,
    leaderAddrs: [{ host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }],
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    zabLog: zl,
    hooks: { onApply: (t) => applied.push(t.zxid) },
  });
  try {
    shell.start();
    const end = await shell.done;
    await leader;
    assertEquals([end.served, end.syncMode, end.reason], [
      true,
      "SNAP",
      "the leader closed the connection",
    ]);
    const types = sent.map((p) => p.type);
    assertEquals(types.slice(0, 3), [T.FOLLOWERINFO, T.ACKEPOCH, T.ACK]);
    // The first packet after NEWLEADER is its ACK; UPTODATE's ACK is the second ACK of epoch start.
    assertEquals(sent[2].zxid, makeZxid(epoch, 0));
    const proposalAcks = sent.filter((p) => p.type === T.ACK && (p.zxid & 0xffffffffn) !== 0n);
    assertEquals(proposalAcks.map((p) => p.zxid), proposals, "one ACK per proposal, in order");
    assertEquals(applied, committed.filter((z) => proposals.includes(z)));
    await settleAfterRole(zl, end.memory);
    await zl.close();
    const r = await restore(dir);
    const snapZxid = leaderPackets.find((p) => p.type === T.SNAP)!.zxid;
    assertEquals(r.lastProcessedZxid, proposals.at(-1) ?? snapZxid);
    assertEquals(r.digestMismatch, null);
    // The image on disk is the leader's, node by node.
    const nodes = snap.leader.snaps[0].entries.filter((e) => e.kind === "node");
    assertEquals(r.tree.size, nodes.length);
    for (const n of nodes) {
      const mine = r.tree.get(n.path);
      assertEquals([n.path, mine?.stat, mine?.data ?? null], [n.path, n.stat, n.data], n.path);
    }
    assertEquals((await Deno.readTextFile(`${dir}/version-2/currentEpoch`)).trim(), `${epoch}`);
  } finally {
    listener.close();
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learner shell: with no leader listening it tries 5 times (3.8's connect rule), then ends once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-learner-shell-" });
  const zl = await FileZabLog.open({ dataDir: dir });
  let tries = 0;
  const shell = new LearnerShell({
    sid: 1n,
    observer: false,
    leaderSid: 3n,
    leaderAddrs: [{ host: "127.0.0.1", port: 1 }],
    tickTime: 100,
    initLimit: 10,
    syncLimit: 5,
    zabLog: zl,
    connect: () => {
      tries++;
      return Promise.reject(new Error("Connection refused"));
    },
  });
  try {
    shell.start();
    const end = await shell.done;
    assertEquals(tries, CONNECT_TRIES);
    assertEquals(end.served, false);
    assertEquals(end.reason.startsWith("cannot connect to leader 3"), true, end.reason);
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learner shell: a SNAP cut off mid-body ends the link asking for a reload, and the data dir is untouched (ZOOKEEPER-3642)", async () => {
  const snap = (await parseCapture(await readFixtureCapture(DIR))).find((c) => c.label === "snap")!;
  const body = snap.leader.snaps[0];
  // Everything up to the middle of the SNAP body, then EOF.
  const cut = snap.leaderBytes.subarray(0, Math.floor((body.bodyStart + body.bodyEnd) / 2));
  const dir = await Deno.makeTempDir({ prefix: "zkt-learner-shell-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const leader = (async () => {
    const c = await listener.accept();
    await c.read(new Uint8Array(4096));
    let off = 0;
    while (off < cut.length) off += await c.write(cut.subarray(off));
    c.close();
  })();
  const zl = await FileZabLog.open({ dataDir: dir });
  // Logged txns past the SNAP's zxid (0x10000000d): only a whole image supersedes them.
  const last = 0x100000012n;
  await zl.append(Array.from({ length: 18 }, (_, i) => create(0x100000001n + BigInt(i))));
  await zl.fastForward();
  const before = [...Deno.readDirSync(`${dir}/version-2`)].map((e) => e.name).sort();
  const shell = new LearnerShell({
    sid: 1n,
    observer: false,
    leaderSid: 3n,
    leaderAddrs: [{ host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }],
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    zabLog: zl,
  });
  try {
    shell.start();
    const end = await shell.done;
    await leader;
    assertEquals([end.served, end.syncMode, end.memory], [false, "SNAP", "reload"]);
    await settleAfterRole(zl, end.memory);
    assertEquals([zl.lastLoggedZxid, zl.lastAppliedZxid, zl.tree.has("/n18")], [last, last, true]);
    const after = [...Deno.readDirSync(`${dir}/version-2`)].map((e) => e.name).sort();
    assertEquals(after, before);
    assertEquals((await restore(dir)).lastProcessedZxid, last);
  } finally {
    listener.close();
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learner shell: garbage from the leader ends the link with one log line naming the leader and why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-learner-shell-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const leader = (async () => {
    const c = await listener.accept();
    await c.read(new Uint8Array(4096));
    // LEADERINFO's type and zxid, then a data length of -16.
    const bad = new Uint8Array(16);
    const v = new DataView(bad.buffer);
    v.setInt32(0, T.LEADERINFO);
    v.setBigInt64(4, makeZxid(1, 0));
    v.setInt32(12, -16);
    await c.write(bad);
    // Hold the socket open: the learner must close it.
    await c.read(new Uint8Array(16)).catch(() => null);
    c.close();
  })();
  const zl = await FileZabLog.open({ dataDir: dir });
  const lines: string[] = [];
  const old = setLogSink((l) => lines.push(l));
  try {
    const shell = new LearnerShell({
      sid: 1n,
      observer: false,
      leaderSid: 3n,
      leaderAddrs: [{ host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }],
      tickTime: 2000,
      initLimit: 10,
      syncLimit: 5,
      zabLog: zl,
    });
    shell.start();
    const end = await shell.done;
    await leader;
    assertEquals([end.served, end.phase], [false, "left"]);
    assertEquals(/data length -16 is negative/.test(end.reason), true, end.reason);
    const about = lines.filter((l) => / - (WARN|INFO) .*(Closing|Leaving)/.test(l));
    assertEquals(about.length, 1, about.join("\n"));
    assertEquals(/leader 3 at 127\.0\.0\.1:\d+: .*negative/.test(about[0]), true, about[0]);
  } finally {
    setLogSink(old);
    listener.close();
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});
