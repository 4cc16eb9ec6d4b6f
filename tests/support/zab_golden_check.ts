// What real Zab traffic between Apache ZooKeeper 3.8 peers must show, checked
// on a capture (fixtures/zab or a live one): every packet parses, re-encodes
// byte for byte, and carries the fields zab-3.8.md §2/§3 describe.
import assert from "node:assert/strict";
import { OpCode } from "../../src/jute/constants.ts";
import { Writer } from "../../src/jute/writer.ts";
import { DataTree } from "../../src/data/tree.ts";
import { decodeTxnEntry, encodeTxnEntry } from "../../src/persistence/records.ts";
import { snapshotBodyChunks } from "../../src/persistence/snapshot.ts";
import { PacketType } from "../../src/zab/packet_types.ts";
import * as P from "../../src/zab/packets.ts";
import { encodePacket } from "../../src/zab/quorum_stream.ts";
import { joined } from "./recording_proxy.ts";
import { type ParsedStream, parseStream } from "./zab_golden.ts";
import type { ZabCapture } from "./zab_capture.ts";

/** One connection parsed both ways. */
export interface ParsedConn {
  label: string;
  learner: ParsedStream;
  leader: ParsedStream;
  learnerBytes: Uint8Array;
  leaderBytes: Uint8Array;
}

/** Reads fixtures/zab into a capture. */
export async function readFixtureCapture(dir: string): Promise<ZabCapture> {
  const facts = JSON.parse(await Deno.readTextFile(`${dir}/capture.json`));
  const conns = [];
  for (const label of ["fresh-diff", "diff-history", "snap", "observer", "trunc"] as const) {
    conns.push({
      label,
      learner: await Deno.readFile(`${dir}/${label}-learner.bin`),
      leader: await Deno.readFile(`${dir}/${label}-leader.bin`),
    });
  }
  return { conns, facts };
}

/** Parses every stream of a capture strictly (a partial packet at the end fails). */
export async function parseCapture(cap: ZabCapture): Promise<ParsedConn[]> {
  const out = [];
  for (const c of cap.conns) {
    out.push({
      label: c.label,
      learner: await parseStream(c.learner, `${c.label} learner`),
      leader: await parseStream(c.leader, `${c.label} leader`),
      learnerBytes: c.learner,
      leaderBytes: c.leader,
    });
  }
  return out;
}

const types = (s: ParsedStream) => s.packets.map((p) => p.packet.type);
/** Types without PINGs, which a Java leader interleaves from NEWLEADER on (zab-3.8.md §6.3). */
const unpinged = (s: ParsedStream) => types(s).filter((t) => t !== PacketType.PING);
const ofType = (s: ParsedStream, t: number) =>
  s.packets.map((p) => p.packet).filter((p) => p.type === t);
const T = PacketType;

/** Every packet, the SNAP body and every txn entry re-encode to the captured bytes. */
export function checkReencoding(c: ParsedConn): void {
  for (const [s, bytes] of [[c.learner, c.learnerBytes], [c.leader, c.leaderBytes]] as const) {
    const rebuilt: Uint8Array[] = [];
    let at = 0;
    for (const p of s.packets) {
      assert.deepEqual(
        encodePacket(p.packet),
        bytes.subarray(p.start, p.end),
        `${c.label}: ${P.describePacket(p.packet)} at ${p.start} re-encodes byte for byte`,
      );
      const snap = s.snaps.find((x) => x.bodyStart === p.end);
      rebuilt.push(encodePacket(p.packet));
      at = p.end;
      if (snap) {
        rebuilt.push(snapBodyOf(snap.entries), new Writer().ustring("BenWasHere").toBytes());
        at = snap.end;
      }
      if (p.packet.type === T.PROPOSAL || p.packet.type === T.INFORM) {
        const e = decodeTxnEntry(p.packet.data!);
        const w = new Writer();
        encodeTxnEntry(w, e.header, e.txn, e.digest);
        assert.deepEqual(
          w.toBytes(),
          p.packet.data,
          `${c.label}: txn entry of ${P.describePacket(p.packet)}`,
        );
      }
    }
    assert.equal(at, bytes.length, `${c.label}: every byte is in a packet or a SNAP body`);
    assert.deepEqual(
      joined(rebuilt),
      bytes,
      `${c.label}: the whole stream re-encodes byte for byte`,
    );
  }
}

/** Loads SNAP records into a tree and writes its body again (Java's order is the tree's). */
function snapBodyOf(entries: ParsedStream["snaps"][number]["entries"]): Uint8Array {
  const tree = new DataTree({ empty: true });
  for (const e of entries) {
    if (e.kind === "session") tree.sessions.set(e.id, e.timeout);
    else if (e.kind === "acl") tree.acls.load(e.ref, e.acls);
    else if (e.kind === "node") {
      assert.ok(tree.loadNode(e.path, e.data, e.acl, e.stat, e.digest), `parent of ${e.path}`);
    }
  }
  return joined([...snapshotBodyChunks(tree)]);
}

/** The handshake and broadcast facts of zab-3.8.md §2/§3, as the capture shows them. */
export function checkFields(conns: ParsedConn[], cap: ZabCapture): void {
  const [fresh, history, snap, observer, trunc] = conns;
  const moved = BigInt(cap.facts.movedSession);

  // Discovery: FOLLOWERINFO with a 20-byte LearnerInfo, LEADERINFO int 0x10000, ACKEPOCH int.
  for (const c of conns) {
    const first = c.learner.packets[0].packet;
    assert.equal(first.data?.length, 20, `${c.label}: LearnerInfo is 20 bytes`);
    const hello = P.parseLearnerInfo(first);
    const isObserver = c.label === "observer";
    assert.equal(first.type, isObserver ? T.OBSERVERINFO : T.FOLLOWERINFO);
    assert.equal(hello.observer, isObserver);
    const isTrunc = c.label === "trunc";
    const sid = isObserver
      ? cap.facts.observerSid
      : isTrunc
      ? cap.facts.truncLearnerSid
      : cap.facts.learnerSid;
    assert.equal(hello.serverid, BigInt(sid));
    // The TRUNC connection is to the leader of the next epoch.
    const epoch = isTrunc ? 2n : 1n;
    assert.equal(hello.protocolVersion, 0x10000);
    assert.equal(hello.configVersion, 0n);
    assert.equal(first.authinfo, null);
    const li = P.parseLeaderInfo(c.leader.packets[0].packet);
    assert.deepEqual(li, { epoch, protocolVersion: 0x10000 }, `${c.label}: LEADERINFO`);
    assert.equal(c.learner.packets[1].packet.type, T.ACKEPOCH);
    const nl = ofType(c.leader, T.NEWLEADER)[0];
    assert.equal(nl.zxid, epoch << 32n, `${c.label}: NEWLEADER zxid = makeZxid(newEpoch, 0)`);
    const qv = P.parseNewLeader(nl).quorumVerifier.split("\n");
    assert.deepEqual(qv.map((l) => l.split("=")[0]), [
      "server.1",
      "server.2",
      "server.3",
      "server.4",
      "version",
    ]);
    assert.ok(qv.slice(0, 3).every((l) => l.endsWith(":participant")), qv.join("|"));
    assert.ok(qv[3].endsWith(":observer"), qv[3]);
    assert.equal(qv[4], "version=0");
    // NEWLEADER and UPTODATE are each ACKed with makeZxid(e,0); UPTODATE is -1. A 3.8.0
    // learner may ACK synced proposals before its NEWLEADER ACK (ZOOKEEPER-4646/4685: its
    // log writer races the ACK), so the NEWLEADER ACK need not be the first ACK.
    const acks = ofType(c.learner, T.ACK);
    assert.equal(ofType(c.leader, T.UPTODATE)[0].zxid, -1n);
    assert.equal(
      acks.filter((a) => a.zxid === nl.zxid).length,
      2,
      `${c.label}: NEWLEADER and UPTODATE ACKs`,
    );
    const sync = c.leader.packets[1].packet.type;
    assert.ok([T.DIFF, T.TRUNC, T.SNAP].includes(sync as 13), `${c.label}: first sync packet`);
  }

  // Connection 1: fresh dirs everywhere → empty DIFF(0); epoch newly accepted → ACKEPOCH 0.
  assert.deepEqual(unpinged(fresh.leader).slice(0, 4), [
    T.LEADERINFO,
    T.DIFF,
    T.NEWLEADER,
    T.UPTODATE,
  ]);
  assert.equal(fresh.leader.packets[1].packet.zxid, 0n);
  assert.deepEqual(P.parseAckEpoch(fresh.learner.packets[1].packet), {
    lastLoggedZxid: 0n,
    epoch: 0,
  });

  // PING: the leader's has null data and its lastProposed zxid; the reply echoes it, with a touch table.
  const pings = ofType(fresh.leader, T.PING);
  assert.ok(
    pings.length > 0 && pings.every((p) => p.data === null),
    "leader PINGs carry null data",
  );
  const replies = ofType(fresh.learner, T.PING);
  assert.ok(
    replies.length > 0 && replies.every((p) => p.data !== null),
    "PING replies are never null",
  );
  assert.ok(replies.every((r) => pings.some((p) => p.zxid === r.zxid)), "replies echo the zxid");
  const touched = replies.flatMap(P.parseTouches);
  assert.ok(
    touched.some((t) => t.sessionId === moved && t.timeout === 10000),
    "moved session touched",
  );

  // REVALIDATE both ways, matched by session id.
  const [reval] = ofType(fresh.learner, T.REVALIDATE);
  assert.deepEqual(P.parseRevalidate(reval), { sessionId: moved, timeout: 10000 });
  assert.equal(reval.zxid, -1n);
  const [answer] = ofType(fresh.leader, T.REVALIDATE);
  assert.equal(answer.data?.length, 9, "REVALIDATE reply: long id + 1-byte boolean");
  assert.deepEqual(P.parseRevalidateReply(answer), { sessionId: moved, valid: true });

  // REQUEST: the client's session and cxid, op codes as sent, and its auth Ids incl. ip:.
  const reqs = ofType(fresh.learner, T.REQUEST).map(P.parseRequest);
  assert.deepEqual(reqs.map((r) => r.type), [
    OpCode.create,
    OpCode.setData,
    OpCode.sync,
    OpCode.create,
    OpCode.create,
  ]);
  assert.ok(reqs.every((r) => r.sessionId === moved));
  assert.deepEqual(reqs.map((r) => r.cxid), [1, 2, 3, 4, 5]);
  for (const r of reqs) {
    assert.ok(r.authinfo !== null, "a write carries the client's auth Ids");
    assert.ok(r.authinfo.some((i) => i.scheme === "ip" && i.id === "127.0.0.1"), "ip: Id");
    assert.ok(
      r.authinfo.some((i) => i.scheme === "digest" && i.id.startsWith("golden:")),
      "digest Id",
    );
  }
  assert.ok(ofType(fresh.learner, T.REQUEST).every((p) => p.zxid === -1n));

  // Broadcast: PROPOSAL zxid = TxnHeader zxid; COMMIT in the same order; the follower ACKs each.
  const props = ofType(fresh.leader, T.PROPOSAL);
  const commits = ofType(fresh.leader, T.COMMIT);
  assert.deepEqual(commits.map((c) => c.zxid), props.map((p) => p.zxid));
  for (const p of props) {
    const { header } = P.parseProposal(p);
    assert.equal(header.zxid, p.zxid);
    assert.ok(ofType(fresh.learner, T.ACK).some((a) => a.zxid === p.zxid), `ACK of ${p.zxid}`);
  }
  // The failing create is an error txn (type -1) with the client's session and cxid, and no digest.
  const errors = props.map((p) => decodeTxnEntry(p.data!)).filter((e) => e.header.type === -1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].header.clientId, moved);
  assert.equal(errors[0].header.cxid, 5);
  assert.equal(errors[0].digest, null, "ZooKeeper 3.8 sends an error txn without a TxnDigest");
  const digests = props.map((p) => decodeTxnEntry(p.data!)).filter((e) => e.header.type !== -1);
  assert.ok(digests.every((e) => e.digest?.version === 2), "other txns carry a version-2 digest");
  // SYNC (zxid 0) comes right after the COMMIT of the setData sent before it (PINGs aside).
  const plain = fresh.leader.packets.map((p) => p.packet).filter((p) => p.type !== T.PING);
  const syncAt = plain.findIndex((p) => p.type === T.SYNC);
  assert.equal(plain[syncAt].zxid, 0n);
  const setData = props.find((p) => P.parseProposal(p).header.type === OpCode.setData)!;
  assert.deepEqual(plain[syncAt - 1], P.commitPacket(setData.zxid));

  // Connection 2: restart with history → ACKEPOCH -1 (epoch already accepted), DIFF(last),
  // PROPOSAL/COMMIT pairs for what the learner missed, then NEWLEADER.
  const ae = P.parseAckEpoch(history.learner.packets[1].packet);
  assert.equal(ae.epoch, -1);
  assert.equal(
    ae.lastLoggedZxid,
    commits.at(-1)!.zxid,
    "ACKEPOCH: the last zxid the learner logged",
  );
  const h = types(history.leader);
  const nlAt = h.indexOf(T.NEWLEADER);
  const pairs = history.leader.packets.slice(2, nlAt).map((p) => p.packet);
  assert.equal(pairs.length, 2 * cap.facts.leaderWritesBeforeDiff);
  pairs.forEach((p, i) => {
    assert.equal(p.type, i % 2 === 0 ? T.PROPOSAL : T.COMMIT);
    assert.equal(p.zxid, ae.lastLoggedZxid + BigInt(1 + (i >> 1)));
  });
  assert.equal(
    history.leader.packets[1].packet.zxid,
    pairs.at(-1)!.zxid,
    "DIFF carries the last zxid",
  );

  // Connection 3: wiped data dir → FOLLOWERINFO zxid 0, SNAP(leader's zxid), the body, BenWasHere.
  assert.equal(snap.learner.packets[0].packet.zxid, 0n);
  assert.deepEqual(P.parseAckEpoch(snap.learner.packets[1].packet), {
    lastLoggedZxid: 0n,
    epoch: 0,
  });
  assert.deepEqual(unpinged(snap.leader).slice(0, 4), [
    T.LEADERINFO,
    T.SNAP,
    T.NEWLEADER,
    T.UPTODATE,
  ]);
  assert.equal(snap.leader.packets[1].packet.zxid, history.leader.packets[1].packet.zxid);
  assert.equal(snap.leader.snaps.length, 1);
  const body = snap.leader.snaps[0].entries;
  const paths = body.flatMap((e) => e.kind === "node" ? [e.path] : []);
  assert.equal(paths[0], "", "the root's path is the empty string");
  for (const p of ["/zab-golden", "/zab-golden/eph", "/zookeeper", "/zookeeper/config"]) {
    assert.ok(paths.includes(p), `${p} in the SNAP body`);
  }
  assert.ok(paths.indexOf("/zab-golden") < paths.indexOf("/zab-golden/eph"), "pre-order");
  const eph = body.find((e) => e.kind === "node" && e.path === "/zab-golden/eph");
  assert.equal(eph?.kind === "node" && eph.stat.ephemeralOwner, moved);
  assert.ok(body.some((e) => e.kind === "session" && e.id === moved), "global session in SNAP");

  // The observer: INFORM (the PROPOSAL's very bytes) for every write after UPTODATE, never
  // a PROPOSAL or COMMIT then, and no ACK but those of NEWLEADER and UPTODATE.
  const upAt = observer.leader.packets.findIndex((p) => p.packet.type === T.UPTODATE);
  const live = observer.leader.packets.slice(upAt + 1).map((p) => p.packet);
  assert.ok(!live.some((p) => p.type === T.PROPOSAL || p.type === T.COMMIT));
  const informs = live.filter((p) => p.type === T.INFORM);
  assert.ok(informs.length >= props.length, "an INFORM for every write");
  const proposed = new Map(
    conns.slice(0, 3).flatMap((c) => ofType(c.leader, T.PROPOSAL)).map((p) => [p.zxid, p.data]),
  );
  for (const i of informs) {
    assert.equal(P.parseProposal(i).header.zxid, i.zxid);
    if (proposed.has(i.zxid)) assert.deepEqual(i.data, proposed.get(i.zxid), "INFORM = PROPOSAL");
  }
  assert.ok(
    ofType(observer.learner, T.ACK).every((a) => a.zxid === 1n << 32n),
    "observers never ACK proposals",
  );
  // Its client's createSession is forwarded with null authinfo (not even ip:), the create with ip:.
  const fromObserver = ofType(observer.learner, T.REQUEST).map(P.parseRequest);
  assert.deepEqual(fromObserver.map((r) => r.type), [OpCode.createSession, OpCode.create]);
  const [session, create] = fromObserver;
  assert.equal(session.authinfo, null);
  assert.deepEqual([...session.body], [0, 0, 0x27, 0x10], "createSession body: int timeout");
  assert.equal(session.cxid, 0);
  assert.equal(create.sessionId, session.sessionId);
  assert.ok(create.authinfo?.some((i) => i.scheme === "ip" && i.id === "127.0.0.1"));
  // An empty touch table is 0 bytes, never null.
  assert.ok(ofType(observer.learner, T.PING).some((p) => p.data?.length === 0));

  // TRUNC: old leader 3 logged a txn nobody else has; the new leader (epoch 2) truncates it
  // to its own last committed zxid, inclusive, then NEWLEADER.
  assert.equal(trunc.learner.packets[0].packet.zxid, 1n << 32n, "FOLLOWERINFO: acceptedEpoch 1");
  const lost = P.parseAckEpoch(trunc.learner.packets[1].packet);
  assert.equal(lost.epoch, 1, "ACKEPOCH: the learner's currentEpoch");
  assert.deepEqual(unpinged(trunc.leader).slice(0, 4), [
    T.LEADERINFO,
    T.TRUNC,
    T.NEWLEADER,
    T.UPTODATE,
  ]);
  const truncTo = trunc.leader.packets[1].packet;
  assert.deepEqual(
    truncTo,
    P.truncPacket(lost.lastLoggedZxid - 1n),
    "TRUNC to the last committed zxid",
  );
  assert.equal(truncTo.zxid, ofType(snap.leader, T.SNAP)[0].zxid, "= what the last SNAP carried");
}
