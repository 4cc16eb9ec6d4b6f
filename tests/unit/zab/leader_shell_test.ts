// The leader shell on loopback with scripted learners (Java 3.8's packet
// rules): a SNAP is a raw stream outside any packet, so whatever the cores
// send that learner while it streams (NEWLEADER, live PROPOSAL/COMMIT, PINGs)
// must wait for the end marker — one PING inside the stream corrupts it for a
// Java learner — while the other learners keep getting PINGs and proposals
// commit. Plus the registration rules: a first packet that is not
// FOLLOWERINFO/OBSERVERINFO, or an unknown sid, closes that connection only.
import assert from "node:assert/strict";
import { MajorityQuorum } from "../../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../../src/config/types.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import { encodeTxnEntry } from "../../../src/persistence/records.ts";
import { FileZabLog } from "../../../src/zab/file_zab_log.ts";
import { committedWindowFromLog, lastGap } from "../../../src/zab/leader_log.ts";
import { LeaderShell, type LeaderShellOptions } from "../../../src/zab/leader_shell.ts";
import { makeZxid, packetName, PacketType } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";
import { QuorumConn } from "../../../src/zab/quorum_conn.ts";
import { waitFor } from "../../support/wait.ts";

function srv(id: number): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 0 }],
    electionAddrs: [{ host: "127.0.0.1", port: 0 }],
    type: "participant",
  };
}
const QV = new MajorityQuorum([srv(1), srv(2), srv(3)]);

function createEntry(zxid: bigint, path: string, data: Uint8Array, cversion: number): Uint8Array {
  const w = new Writer(256 + data.length);
  encodeTxnEntry(w, { clientId: 0n, cxid: 0, zxid, time: 0, type: OpCode.create }, {
    type: OpCode.create,
    record: {
      path,
      data,
      acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      ephemeral: false,
      parentCVersion: cversion,
    },
  }, null);
  return w.toBytes();
}

/** A leader's data dir holding `n` creates of `size` bytes each in epoch 1. */
async function leaderLog(dir: string, n: number, size: number): Promise<FileZabLog> {
  const zl = await FileZabLog.open({ dataDir: dir, forceSync: false });
  const data = new Uint8Array(size).fill(120);
  const txns = [];
  for (let i = 1; i <= n; i++) {
    const zxid = makeZxid(1, i);
    txns.push({ zxid, entry: createEntry(zxid, `/n${i}`, data, i) });
  }
  await zl.append(txns);
  for (const t of txns) zl.apply(t);
  await zl.writeAcceptedEpoch(1n);
  await zl.writeCurrentEpoch(1n);
  return zl;
}

/** A scripted learner: registers, then the test drives it. */
async function learner(port: number, sid: bigint): Promise<QuorumConn> {
  const q = new QuorumConn(await Deno.connect({ hostname: "127.0.0.1", port }));
  q.send(P.learnerInfoPacket(PacketType.FOLLOWERINFO, 1n, {
    serverid: sid,
    protocolVersion: 0x10000,
    configVersion: 0n,
  }));
  return q;
}

/** The next packet, which must be `type`; PINGs before it are skipped except before the first sync packet (a Java learner exits on those). */
async function expectPacket(q: QuorumConn, type: number): Promise<P.QuorumPacket> {
  const strict = type === PacketType.LEADERINFO || type === PacketType.DIFF ||
    type === PacketType.SNAP || type === PacketType.TRUNC;
  let p = await q.read();
  while (!strict && p !== null && p.type === PacketType.PING) p = await q.read();
  assert.ok(p !== null, `EOF, expected ${packetName(type)}`);
  assert.equal(packetName(p.type), packetName(type));
  return p;
}

async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const prev = setLogSink(() => {});
  try {
    return await f();
  } finally {
    setLogSink(prev);
  }
}

/** An empty leader log in dir. */
const emptyLog = (dir: string) => FileZabLog.open({ dataDir: dir, forceSync: false });

/**
 * Runs fn, logging muted, with a started LeaderShell as sid 1 of QV on loopback
 * (tickTime 100, initLimit 50, syncLimit 20 unless `opts` of its log say
 * otherwise) over the log `openLog` makes in a temp dir; then stops the
 * shell, closes the log and removes the dir.
 */
function withShell(
  opts: (zl: FileZabLog) => Partial<LeaderShellOptions>,
  fn: (shell: LeaderShell) => Promise<void>,
  openLog: (dir: string) => Promise<FileZabLog> = emptyLog,
): Promise<void> {
  return quiet(async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-leader-shell-" });
    const zl = await openLog(dir);
    const shell = new LeaderShell({
      myid: 1n,
      qv: QV,
      addrs: [{ host: "127.0.0.1", port: 0 }],
      tickTime: 100,
      initLimit: 50,
      syncLimit: 20,
      zabLog: zl,
      ...opts(zl),
    });
    try {
      shell.start();
      await fn(shell);
    } finally {
      await shell.stop("test over");
      await zl.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** A learner past LEADERINFO with nothing logged: ACKEPOCH, the empty DIFF, NEWLEADER, its ACK, UPTODATE. */
async function syncByEmptyDiff(f: QuorumConn): Promise<void> {
  f.send(P.ackEpochPacket(0n, 0));
  await expectPacket(f, PacketType.DIFF);
  const nl = await expectPacket(f, PacketType.NEWLEADER);
  f.send(P.ackPacket(nl.zxid));
  await expectPacket(f, PacketType.UPTODATE);
}

Deno.test({
  name:
    "leader shell: packets for a learner receiving a SNAP (NEWLEADER, live PROPOSAL/COMMIT, PINGs) wait for the stream's end marker, while another follower keeps getting PINGs and proposals commit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => {
    const last = makeZxid(1, 2000);
    const commits: bigint[] = [];
    return withShell(
      () => ({ windowSize: 500, host: { commit: (t) => commits.push(t.zxid) } }),
      async (shell) => {
        const conns: QuorumConn[] = [];
        try {
          const port = shell.ports[0];

          // Sid 2 is up to date: an empty DIFF, and with it the epoch is established.
          const b = await learner(port, 2n);
          conns.push(b);
          const li = await expectPacket(b, PacketType.LEADERINFO);
          assert.equal(li.zxid, makeZxid(2, 0));
          b.send(P.ackEpochPacket(last, 1));
          assert.equal((await expectPacket(b, PacketType.DIFF)).zxid, last);
          await expectPacket(b, PacketType.NEWLEADER);
          b.send(P.ackPacket(makeZxid(2, 0)));
          await expectPacket(b, PacketType.UPTODATE);
          await waitFor("the epoch", () => shell.phase === "established");
          let pingsToB = 0;
          let snapStarted = false;
          let pingsDuringSnap = 0;
          const bLoop = (async () => {
            while (true) {
              const p = await b.read().catch(() => null);
              if (p === null) return;
              if (p.type === PacketType.PING) {
                pingsToB++;
                if (snapStarted) pingsDuringSnap++;
                b.send(P.pingReplyPacket(p.zxid, []));
              } else if (p.type === PacketType.PROPOSAL) b.send(P.ackPacket(p.zxid));
            }
          })();

          // Sid 3 has nothing: older than the 500 kept, so SNAP. It does not read yet.
          const a = await learner(port, 3n);
          conns.push(a);
          await expectPacket(a, PacketType.LEADERINFO);
          a.send(P.ackEpochPacket(0n, 0));
          snapStarted = true;
          // A proposal while the stream is stalled: sid 2's ACK commits it.
          const zxid = shell.propose((z) => createEntry(z, "/live", new Uint8Array(3), 2001));
          assert.equal(zxid, makeZxid(2, 1));
          await waitFor("the live proposal to commit", () => commits.includes(zxid));
          await waitFor(
            "sid 2 to get PINGs while sid 3's SNAP is stalled",
            () => pingsDuringSnap >= 3,
          );

          // Now sid 3 reads: the SNAP, the whole body and marker, then the packets held back.
          assert.equal((await expectPacket(a, PacketType.SNAP)).zxid, last);
          let nodes = 0;
          await a.receiveSnap((e) => {
            if (Array.isArray(e)) nodes += e.length;
          });
          assert.ok(nodes >= 2000, `${nodes} nodes in the SNAP`);
          const after: string[] = [];
          let p = await a.read();
          // Everything after the marker parses as packets: NEWLEADER first, no PING before it.
          while (p !== null && p.type !== PacketType.NEWLEADER) {
            after.push(packetName(p.type));
            p = await a.read();
          }
          assert.deepEqual(after, [], "packets before NEWLEADER");
          const rest: string[] = [];
          for (let i = 0; i < 2; i++) {
            const q = await a.read();
            assert.ok(q !== null);
            if (q.type !== PacketType.PING) {
              rest.push(`${packetName(q.type)} ${q.zxid.toString(16)}`);
            } else i--;
          }
          assert.deepEqual(rest, [`PROPOSAL ${zxid.toString(16)}`, `COMMIT ${zxid.toString(16)}`]);
          a.send(P.ackPacket(makeZxid(2, 0)));
          await expectPacket(a, PacketType.UPTODATE);
          assert.equal(shell.phase, "established");
          assert.ok(pingsToB >= pingsDuringSnap);
          b.close();
          await bLoop;
        } finally {
          for (const c of conns) c.close();
        }
      },
      (dir) => leaderLog(dir, 2000, 8192), // a 16 MiB image: more than socket buffers hold
    );
  },
});

Deno.test({
  name:
    "leader shell: a connection whose first packet is not FOLLOWERINFO/OBSERVERINFO, or whose sid is not in the configuration, is closed and the leader keeps waiting",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withShell(() => ({}), async (shell) => {
      const port = shell.ports[0];
      const f = await learner(port, 2n);
      await expectPacket(f, PacketType.LEADERINFO);
      await syncByEmptyDiff(f);
      // The epoch is decided: a late joiner would get LEADERINFO at once; these get EOF.
      const bad = new QuorumConn(await Deno.connect({ hostname: "127.0.0.1", port }));
      bad.send(P.pingReplyPacket(0n, []));
      assert.equal(await bad.read(), null, "closed after a PING as first packet");
      const stranger = await learner(port, 9n);
      assert.equal(await stranger.read(), null, "closed: sid 9 is not a member");
      // The follower carries on.
      const zxid = shell.propose((z) => createEntry(z, "/x", new Uint8Array(1), 1));
      assert.equal((await expectPacket(f, PacketType.PROPOSAL)).zxid, zxid);
      assert.equal(shell.phase, "established");
      for (const c of [bad, stranger, f]) c.close();
    }),
});

Deno.test({
  name:
    "leader shell: a leader restarted on its data dir DIFFs a learner from its logged history (3.8 fills committedLog at log replay) instead of sending a SNAP",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withShell(
      (zl) => ({ history: () => committedWindowFromLog(zl.logDir, zl.lastLoggedZxid) }),
      async (shell) => {
        const f = await learner(shell.ports[0], 2n);
        await expectPacket(f, PacketType.LEADERINFO);
        f.send(P.ackEpochPacket(makeZxid(1, 50), 1));
        assert.equal((await expectPacket(f, PacketType.DIFF)).zxid, makeZxid(1, 100));
        for (let i = 51; i <= 100; i++) {
          assert.equal((await expectPacket(f, PacketType.PROPOSAL)).zxid, makeZxid(1, i));
          assert.equal((await expectPacket(f, PacketType.COMMIT)).zxid, makeZxid(1, i));
        }
        await expectPacket(f, PacketType.NEWLEADER);
        f.close();
      },
      async (dir) => {
        await (await leaderLog(dir, 100, 16)).close();
        // Reopened: the log's in-memory window is empty.
        const zl = await emptyLog(dir);
        assert.equal(zl.committedWindow().length, 0);
        return zl;
      },
    ),
});

/** A leader log in dir: 30 txns of epoch 1, closed, reopened for 3 of epoch 2 (a second file), closed. */
async function twoEpochLog(dir: string) {
  await (await leaderLog(dir, 30, 4)).close();
  const again = await emptyLog(dir);
  const epoch2 = [1, 2, 3].map((i) => ({
    zxid: makeZxid(2, i),
    entry: createEntry(makeZxid(2, i), `/m${i}`, new Uint8Array(1), 30 + i),
  }));
  await again.append(epoch2);
  await again.close();
  return { again, epoch2 };
}

Deno.test("committedWindowFromLog: the last txns across log files, in zxid order, up to the last zxid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-leader-log-" });
  try {
    // A second log file: a new epoch after a restart.
    const { again, epoch2: more } = await twoEpochLog(dir);
    const w = await committedWindowFromLog(again.logDir, makeZxid(2, 3), 10);
    assert.deepEqual(
      w.map((t) => t.zxid),
      [...Array.from({ length: 7 }, (_, i) => makeZxid(1, 24 + i)), ...more.map((t) => t.zxid)],
    );
    assert.deepEqual(w.at(-1)!.entry, more[2].entry);
    const upTo = await committedWindowFromLog(again.logDir, makeZxid(1, 30), 5);
    assert.deepEqual(upTo.map((t) => t.zxid), [26, 27, 28, 29, 30].map((c) => makeZxid(1, c)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("committedWindowFromLog: stops at a received snapshot's gap, never DIFFs across txns the log lacks (nemesis seed 2806)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-leader-log-" });
  try {
    const { again, epoch2: tail } = await twoEpochLog(dir);
    // Without a marker the two files join as one history.
    const joined = await committedWindowFromLog(again.logDir, makeZxid(2, 3), 10, again.snapDir);
    assert.equal(joined.length, 10);
    // As a learner that took a SNAP at (1, 50) from another leader and logged on
    // after it: the log lacks (1, 31) to (1, 50), and the snapshot marks the gap.
    const snap = `${again.snapDir}/snapshot.${makeZxid(1, 50).toString(16)}`;
    await Deno.writeFile(snap, new Uint8Array());
    const w = await committedWindowFromLog(again.logDir, makeZxid(2, 3), 10, again.snapDir);
    assert.deepEqual(w.map((t) => t.zxid), tail.map((t) => t.zxid));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lastGap: the first txn after the last gap, by zxid numbering or a snapshot strictly between two logged txns", () => {
  const t = (e: number, c: number) => ({ zxid: makeZxid(e, c), entry: new Uint8Array() });
  const txns = [t(1, 1), t(1, 2), t(2, 1), t(2, 2)];
  assert.equal(lastGap(txns, []), 0);
  assert.equal(lastGap(txns, [makeZxid(1, 2), makeZxid(2, 1)]), 0, "snapshots at logged txns");
  assert.equal(lastGap(txns, [makeZxid(1, 9)]), 2);
  assert.equal(lastGap(txns, [makeZxid(0, 5), makeZxid(1, 9)]), 2);
  // Zxids alone: an epoch's txns are 1, 2, 3, ...; a later epoch starts at 1.
  assert.equal(lastGap([t(3, 1), t(3, 0x40b), t(4, 0x156)], []), 2, "epoch 4 lacks 1..0x155");
  assert.equal(lastGap([t(1, 1), t(1, 3), t(1, 4)], []), 1, "a hole inside an epoch");
  assert.equal(lastGap([t(1, 1), t(1, 2), t(1, 2)], []), 2, "a txn logged twice");
  assert.equal(lastGap([t(1, 7), t(3, 1), t(3, 2)], []), 0, "an epoch with no txns between");
});

Deno.test({
  name:
    "leader shell: a learner's malformed packet (ACKEPOCH with null data) closes that learner only; the leader establishes its epoch with another",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withShell(() => ({}), async (shell) => {
      const port = shell.ports[0];
      const bad = await learner(port, 3n);
      const f = await learner(port, 2n);
      await expectPacket(bad, PacketType.LEADERINFO);
      await expectPacket(f, PacketType.LEADERINFO);
      bad.send({ type: PacketType.ACKEPOCH, zxid: 0n, data: null, authinfo: null });
      assert.equal(await bad.read(), null, "the malformed learner is closed");
      await syncByEmptyDiff(f);
      assert.equal(shell.phase, "established");
      for (const c of [bad, f]) c.close();
    }),
});

Deno.test({
  name:
    "leader shell: a TCP client that never sends FOLLOWERINFO is closed after initLimit*tickTime while the established leader carries on",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withShell(() => ({ tickTime: 50, initLimit: 6, syncLimit: 40 }), async (shell) => {
      let silent: Deno.Conn | null = null;
      try {
        const port = shell.ports[0];
        const f = await learner(port, 2n);
        await expectPacket(f, PacketType.LEADERINFO);
        await syncByEmptyDiff(f);
        const pings = (async () => {
          while (true) {
            const p = await f.read().catch(() => null);
            if (p === null) return;
            if (p.type === PacketType.PING) f.send(P.pingReplyPacket(p.zxid, []));
          }
        })();
        silent = await Deno.connect({ hostname: "127.0.0.1", port });
        // A deadline, not a wait: the read ends when the leader closes the socket.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const outcome = await Promise.race([
          silent.read(new Uint8Array(8)).catch(() => null).then((r) =>
            r === null ? "closed" : "data"
          ),
          new Promise<string>((r) => timer = setTimeout(() => r("still open after 5 s"), 5_000)),
        ]).finally(() => clearTimeout(timer));
        assert.equal(outcome, "closed");
        assert.equal(shell.phase, "established");
        f.close();
        await pings;
      } finally {
        try {
          silent?.close();
        } catch { /* closed */ }
      }
    }),
});
