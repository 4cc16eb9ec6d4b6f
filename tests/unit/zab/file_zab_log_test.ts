// FileZabLog: the data dir under a Zab learner. Group commit (one write and
// one fsync per batch), TRUNC (exactly the txns up to the zxid survive, and no
// snapshot taken after it), a received SNAP (replaces the tree, supersedes the
// log after it, and txns its fuzzy image holds are not logged twice), and
// memory meeting the disk after a role (fast-forward, reload).
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { setFatalExit } from "../../../src/log/fatal.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { listLogs, listSnapshots, restore } from "../../../src/persistence/datadir.ts";
import { decodeTxnEntry, encodeTxnEntry } from "../../../src/persistence/records.ts";
import { readTxnLog } from "../../../src/persistence/txnlog.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { FileZabLog } from "../../../src/zab/file_zab_log.ts";
import { committedWindowFromLog, loggedHistory } from "../../../src/zab/leader_log.ts";
import {
  QuorumStreamParser,
  receiveSnap,
  snapStreamChunks,
} from "../../../src/zab/quorum_stream.ts";
import type { ZabLogTxn } from "../../../src/zab/zab_log.ts";

const E1 = 1n << 32n;

/** A create of /n<counter> at zxid, as a txn entry. */
function create(zxid: bigint): ZabLogTxn {
  const w = new Writer(128);
  const header = {
    clientId: 0x42n,
    cxid: 1,
    zxid,
    time: 1_700_000_000_000,
    type: OpCode.create,
  };
  const txn: Txn = {
    type: OpCode.create,
    record: {
      path: `/n${zxid & 0xffffffffn}`,
      data: new TextEncoder().encode(`v${zxid}`),
      acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      ephemeral: false,
      parentCVersion: -1,
    },
  };
  encodeTxnEntry(w, header, txn, null);
  return { zxid, entry: w.toBytes() };
}

const txns = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => create(E1 + BigInt(from + i)));

async function withLog(f: (zl: FileZabLog, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zl = await FileZabLog.open({ dataDir: dir });
  try {
    await f(zl, dir);
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("file zab log: an empty data dir gets snapshot.0, so logs of a new epoch restore", async () => {
  await withLog(async (zl, dir) => {
    assertEquals((await listSnapshots(`${dir}/version-2`)).map((s) => s.zxid), [0n]);
    await zl.append(txns(1, 3));
    assertEquals((await restore(dir)).lastProcessedZxid, E1 + 3n);
  });
});

Deno.test("file zab log: appends in one turn share one write and one fsync (group commit)", async () => {
  await withLog(async (zl, dir) => {
    const done = [zl.append(txns(1, 2)), zl.append(txns(3, 3)), zl.append(txns(4, 6))];
    await Promise.all(done);
    assertEquals(zl.stats, { batches: 1, txns: 6, syncs: 1 });
    assertEquals(zl.lastLoggedZxid, E1 + 6n);
    // Logged, not applied: the tree changes only at commit.
    assertEquals(zl.lastAppliedZxid, 0n);
    assertEquals((await restore(dir)).lastProcessedZxid, E1 + 6n);
  });
});

Deno.test("file zab log: truncate keeps exactly the txns up to the zxid and drops later snapshots", async () => {
  await withLog(async (zl, dir) => {
    await zl.append(txns(1, 10));
    for (const t of txns(1, 8)) zl.apply(t);
    assertEquals(await zl.takeSnapshot({ fsync: true }), E1 + 8n);
    await zl.truncate(E1 + 5n);
    assertEquals([zl.lastLoggedZxid, zl.lastAppliedZxid], [E1 + 5n, E1 + 5n]);
    assertEquals(zl.tree.has("/n5"), true);
    assertEquals(zl.tree.has("/n6"), false);
    assertEquals((await listSnapshots(`${dir}/version-2`)).map((s) => s.zxid), [0n]);
    // The next PROPOSALs continue the log after the truncation point.
    await zl.append(txns(6, 7));
    const r = await restore(dir);
    assertEquals([r.lastProcessedZxid, r.tree.has("/n7"), r.tree.has("/n8")], [
      E1 + 7n,
      true,
      false,
    ]);
  });
});

Deno.test("file zab log: a received SNAP replaces the tree, supersedes the log after it, and its fuzzy overlap is not logged twice", async () => {
  await withLog(async (zl, dir) => {
    await zl.append(txns(1, 9));
    // The leader's image at 0x100000006 (it lacks this log's 7..9).
    const leader = new DataTree();
    for (const t of txns(1, 6)) applyTxn(leader, ...decode(t));
    const parser = new QuorumStreamParser();
    for (const part of snapStreamChunks(leader)) parser.feed(part);
    assertEquals(parser.next()?.zxid, E1 + 6n);
    await zl.loadSnapshot(E1 + 6n, (on) => receiveSnap(parser, () => Promise.resolve(null), on));
    assertEquals([zl.lastLoggedZxid, zl.lastAppliedZxid, zl.tree.digest], [
      E1 + 6n,
      E1 + 6n,
      leader.digest,
    ]);
    // The leader forwards from before the image's zxid: 5 and 6 are in it already.
    await zl.append(txns(5, 8));
    for (const t of txns(5, 8)) zl.apply(t);
    await zl.takeSnapshot({ fsync: true });
    const logged: bigint[] = [];
    for (const l of await listLogs(`${dir}/version-2`)) {
      for await (const e of readTxnLog(l.path)) if (e.kind === "txn") logged.push(e.header.zxid);
    }
    assertEquals(logged, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((c) => E1 + c));
    const r = await restore(dir);
    assertEquals([r.lastProcessedZxid, r.tree.digest], [E1 + 8n, zl.tree.digest]);
  });
});

Deno.test("file zab log: after a role, fast-forward applies the logged txns memory lacks; reload restores from disk", async () => {
  await withLog(async (zl) => {
    await zl.append(txns(1, 5));
    for (const t of txns(1, 3)) zl.apply(t);
    assertEquals(zl.committedWindow().map((t) => t.zxid), [1n, 2n, 3n].map((c) => E1 + c));
    assertEquals(await zl.fastForward(), 2);
    assertEquals(zl.lastAppliedZxid, E1 + 5n);
    // A half-loaded image is thrown away: reload brings back what the disk holds.
    zl.apply(create(E1 + 6n));
    await zl.reload();
    assertEquals([zl.lastAppliedZxid, zl.tree.has("/n6")], [E1 + 5n, false]);
  });
});

function decode(t: ZabLogTxn) {
  const d = decodeTxnEntry(t.entry);
  return [d.header, d.txn] as const;
}

Deno.test("file zab log: after about snapCount txns the log rolls and the tree is snapshotted; a restore still reaches the last logged txn", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zl = await FileZabLog.open({ dataDir: dir, snapCount: 10, random: () => 0 });
  try {
    // Commits lag the log by 2, as on a follower.
    for (let i = 1; i <= 30; i++) {
      await zl.append(txns(i, i));
      if (i > 2) zl.apply(create(E1 + BigInt(i - 2)));
    }
    await zl.close();
    const snaps = (await listSnapshots(`${dir}/version-2`)).map((s) => s.zxid);
    assertEquals(snaps.length > 1, true, `snapshots ${snaps}`);
    assertEquals((await listLogs(`${dir}/version-2`)).length > 1, true);
    const r = await restore(dir);
    assertEquals([r.lastProcessedZxid, r.snapshot?.zxid === snaps[0]], [E1 + 30n, true]);
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file zab log: a quorum peer's /zookeeper/config holds the local quorum config as 3.8's peers keep it (version -1, outside the digest), also after a SNAP and a reload", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const text = "server.1=127.0.0.1:2888:3888:participant\nversion=0";
  const zl = await FileZabLog.open({
    dataDir: dir,
    configNode: { text, version: 0n },
    now: () => 7,
  });
  const check = (why: string) => {
    const n = zl.tree.get("/zookeeper/config")!;
    assertEquals(new TextDecoder().decode(n.data ?? new Uint8Array()), text, why);
    assertEquals([n.stat.version, n.stat.mzxid, n.stat.mtime], [-1, 0n, 7], why);
  };
  try {
    check("restored");
    // Outside the digest: an empty tree with the config node digests as one without it.
    assertEquals(zl.tree.digest, new DataTree().digest);
    await zl.append(txns(1, 3));
    const leader = new DataTree();
    for (const t of txns(1, 3)) applyTxn(leader, ...decode(t));
    const parser = new QuorumStreamParser();
    for (const part of snapStreamChunks(leader)) parser.feed(part);
    parser.next();
    await zl.loadSnapshot(E1 + 3n, (on) => receiveSnap(parser, () => Promise.resolve(null), on));
    check("after a SNAP");
    assertEquals(zl.tree.digest, leader.digest);
    await zl.reload();
    check("after reload");
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs f with fatal() recording exit codes instead of exiting. */
async function recordingExits(f: (exits: number[]) => Promise<void>): Promise<void> {
  const exits: number[] = [];
  const prev = setFatalExit((code) => exits.push(code));
  try {
    await f(exits);
  } finally {
    setFatalExit(prev);
  }
}

Deno.test("file zab log: a learner's sync snapshot that cannot be written exits 10, as 3.8's takeSnapshot does (not a SNAP retried forever)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zl = await FileZabLog.open({ dataDir: `${dir}/data`, dataLogDir: `${dir}/log` });
  try {
    await recordingExits(async (exits) => {
      // The snapshot directory is gone: the write fails with an I/O error.
      await Deno.remove(`${dir}/data`, { recursive: true });
      await rejects(zl.takeSnapshot({ fsync: true }));
      assertEquals(exits, [10]);
    });
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file zab log: a snapshot after snapCount txns that cannot be written exits 10, as 3.8's SyncRequestProcessor snapshot does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zl = await FileZabLog.open({
    dataDir: `${dir}/data`,
    dataLogDir: `${dir}/log`,
    snapCount: 4,
    random: () => 0,
  });
  try {
    await recordingExits(async (exits) => {
      await Deno.remove(`${dir}/data`, { recursive: true });
      for (let i = 1; i <= 4; i++) await zl.append(txns(i, i));
      // The snapshot is written in the background after the roll.
      for (let t = 0; exits.length === 0 && t < 200; t++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assertEquals(exits, [10]);
    });
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file zab log: fast-forward after a role takes the logged txns from memory, not the log files (a role change stays fast however long the log)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zl = await FileZabLog.open({ dataDir: `${dir}/data`, dataLogDir: `${dir}/log` });
  try {
    await zl.append(txns(1, 5));
    for (const t of txns(1, 3)) zl.apply(t);
    // The log files are out of reach: only memory can supply txns 4 and 5.
    await Deno.rename(`${dir}/log`, `${dir}/log-moved`);
    assertEquals(await zl.fastForward(), 2);
    assertEquals([zl.lastAppliedZxid, zl.tree.has("/n5")], [E1 + 5n, true]);
    await Deno.rename(`${dir}/log-moved`, `${dir}/log`);
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file zab log: loggedTail holds every txn logged after the snapshot a restore started from, plus those logged since; loggedHistory equals the files' window", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-zablog-" });
  const zxids = (ts: readonly ZabLogTxn[] | null) => ts?.map((t) => t.zxid) ?? null;
  let zl = await FileZabLog.open({ dataDir: dir });
  try {
    await zl.writeAcceptedEpoch(1n);
    await zl.writeCurrentEpoch(1n);
    await zl.append(txns(1, 30));
    for (const t of txns(1, 30)) zl.apply(t);
    // A fresh log: everything since zxid 0 is in memory.
    assertEquals(zl.loggedTail(500)?.length, 30);
    const fromFiles = async (n: number) =>
      zxids(await committedWindowFromLog(zl.logDir, zl.lastLoggedZxid, n));
    assertEquals(zxids(await loggedHistory(zl, 20)), await fromFiles(20));
    await zl.close();
    // Restarted: the replay from snapshot.0 went through all 30.
    zl = await FileZabLog.open({ dataDir: dir });
    assertEquals(zl.loggedTail(500)?.length, 30);
    // A snapshot at 30, then 15 more: after a restart memory holds only those 15.
    await zl.takeSnapshot({ fsync: true });
    await zl.append(txns(31, 45));
    await zl.close();
    zl = await FileZabLog.open({ dataDir: dir });
    assertEquals(zxids(zl.loggedTail(10)), zxids(txns(36, 45)));
    assertEquals(zl.loggedTail(20), null);
    assertEquals(zxids(await loggedHistory(zl, 20)), zxids(txns(26, 45)));
    assertEquals(zxids(await loggedHistory(zl, 20)), await fromFiles(20));
    // A TRUNC rewrites the log under memory: the tail is what the new replay read.
    await zl.truncate(E1 + 40n);
    assertEquals(zxids(zl.loggedTail(5)), zxids(txns(36, 40)));
    assertEquals(zl.loggedTail(20), null);
  } finally {
    await zl.close();
    await Deno.remove(dir, { recursive: true });
  }
});
