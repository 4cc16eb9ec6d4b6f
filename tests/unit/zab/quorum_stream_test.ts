// The quorum port has no frame length: packets are back-to-back jute records
// and a SNAP packet is followed by a raw snapshot body and "BenWasHere"
// (zab-3.8.md §1, §3.9). These guard the incremental parser: any split of the
// bytes gives the same packets, every length is bounded with one clear error,
// and the SNAP body is read by persistence's snapshot reader.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { type SnapEntry, type SnapNode, snapshotBytes } from "../../../src/persistence/snapshot.ts";
import { ZabProtocolError } from "../../../src/zab/errors.ts";
import { PacketType } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";
import {
  encodePacket,
  QUORUM_MAX_LENGTH,
  QuorumStreamParser,
  receiveSnap,
  snapStreamChunks,
} from "../../../src/zab/quorum_stream.ts";

const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const idArb = fc.record({
  scheme: fc.string({ minLength: 1 }),
  id: fc.string({ unit: "grapheme" }),
});
const packetArb: fc.Arbitrary<QuorumPacket> = fc.record({
  type: fc.integer({ min: -5, max: 25 }),
  zxid: long,
  data: fc.option(fc.uint8Array({ maxLength: 80 }), { nil: null }),
  authinfo: fc.option(fc.array(idArb, { maxLength: 3 }), { nil: null }),
}).filter((p) => p.type !== PacketType.SNAP);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Feeds bytes cut at the given points and collects every packet. */
function parseCut(bytes: Uint8Array, cuts: number[]): QuorumPacket[] {
  const parser = new QuorumStreamParser();
  const out: QuorumPacket[] = [];
  let prev = 0;
  for (const c of [...cuts.sort((a, b) => a - b), bytes.length]) {
    parser.feed(bytes.subarray(prev, c));
    prev = c;
    out.push(...parser.drain());
  }
  parser.finish();
  return out;
}

function zabError(f: () => unknown, pattern: RegExp): ZabProtocolError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ZabProtocolError, `expected ZabProtocolError, got ${e}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return e;
  }
  assert.fail("expected a ZabProtocolError");
}

Deno.test("back-to-back packets split at random points parse to the same packets and re-encode to the same bytes", () => {
  fc.assert(
    fc.property(
      fc.array(packetArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (packets, rawCuts) => {
        const bytes = concat(packets.map((p) => encodePacket(p)));
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const back = parseCut(bytes, cuts);
        // A null Id id reads as "" (jute readId); the generator makes none.
        assert.deepEqual(back, packets);
        assert.deepEqual(concat(back.map((p) => encodePacket(p))), bytes);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("a packet split at every single byte, or fed one byte at a time, parses the same", () => {
  const packets = [
    P.requestPacket({
      sessionId: 0x1000000abcn,
      cxid: 7,
      type: 1,
      body: new Uint8Array([1, 2, 3]),
      authinfo: [{ scheme: "ip", id: "127.0.0.1" }, { scheme: "digest", id: "u:h\u00e9" }],
    }),
    P.pingReplyPacket(0x100000002n, [{ sessionId: 5n, timeout: 30000 }]),
    P.upToDatePacket(),
  ];
  const bytes = concat(packets.map((p) => encodePacket(p)));
  for (let i = 0; i <= bytes.length; i++) {
    assert.deepEqual(parseCut(bytes, [i]), packets, `cut ${i}`);
  }
  assert.deepEqual(parseCut(bytes, Array.from({ length: bytes.length }, (_, i) => i)), packets);
});

Deno.test("lengths are bounded: negative or above jute.maxbuffer+extrasize is one error naming the field", () => {
  const head = (dataLen: number) => new Writer().int(2).long(1n).int(dataLen).toBytes();
  const parse = (b: Uint8Array) => {
    const p = new QuorumStreamParser({ name: "127.0.0.1:4242" });
    p.feed(b);
    return p.next();
  };
  zabError(
    () => parse(head(-2)),
    /^127\.0\.0\.1:4242: data length -2 is negative at stream offset 12/,
  );
  zabError(
    () => parse(head(0x7fffffff)),
    new RegExp(`data length 2147483647 exceeds the limit ${QUORUM_MAX_LENGTH} at stream offset 12`),
  );
  // The limit is checked before the bytes arrive: no 2 GiB buffer is waited for.
  assert.equal(parse(head(QUORUM_MAX_LENGTH)), null, "a 2 MiB packet is legal, just incomplete");
  const auth = (n: number) => new Writer().int(1).long(-1n).int(-1).int(n).toBytes();
  zabError(() => parse(auth(-7)), /authinfo length -7 is negative/);
  zabError(() => parse(auth(QUORUM_MAX_LENGTH + 1)), /authinfo length \d+ exceeds the limit/);
  const nullScheme = new Writer().int(1).long(-1n).int(-1).int(1).int(-1).int(-1).toBytes();
  zabError(() => parse(nullScheme), /authinfo\[0\]\.scheme is null/);
  const badUtf8 = new Writer().int(1).long(-1n).int(-1).int(1).int(2).raw(
    new Uint8Array([0xc3, 0x28]),
  )
    .int(0).toBytes();
  zabError(() => parse(badUtf8), /invalid UTF-8 in authinfo\[0\]\.scheme/);
});

Deno.test("a stream that ends inside a packet is one error saying how far the packet got", () => {
  const bytes = encodePacket(P.proposalPacket(0x100000001n, new Uint8Array(40)));
  const parser = new QuorumStreamParser({ name: "peer 3" });
  parser.feed(encodePacket(P.commitPacket(1n)));
  parser.feed(bytes.subarray(0, 30));
  assert.equal([...parser.drain()].length, 1);
  zabError(
    () => parser.finish(),
    /^peer 3: stream ended inside packet 2 at stream offset \d+: 30 bytes/,
  );
});

Deno.test("the encoder refuses data a Java reader would reject", () => {
  zabError(
    () => encodePacket(P.proposalPacket(1n, new Uint8Array(QUORUM_MAX_LENGTH + 1))),
    /PROPOSAL: data length 2097151 exceeds the limit 2097150/,
  );
});

/** A tree with sessions, two ACLs and a few nodes, as a leader would SNAP it. */
function sampleTree(): DataTree {
  const t = new DataTree();
  t.sessions.set(0x100000001n, 30000);
  t.sessions.set(0x200000007n, 4000);
  t.createNode("/a", new Uint8Array([1, 2]), null, 0n, -1, 1n, 1000);
  t.createNode(
    "/a/b",
    null,
    [{ perms: 1, id: { scheme: "digest", id: "u:x" } }],
    0x100000001n,
    -1,
    2n,
    1001,
  );
  t.createNode("/c", new Uint8Array(3000).fill(7), null, 0n, -1, 3n, 1002);
  t.lastProcessedZxid = 3n;
  return t;
}

type Rec = SnapEntry | SnapNode[];
const flat = (rs: Rec[]) => rs.flatMap((r) => Array.isArray(r) ? r : [r]);

/** Parses a leader->learner byte stream fed in the given chunks; SNAP bodies go through receiveSnap. */
async function parseWithSnap(
  chunks: Uint8Array[],
): Promise<{ packets: QuorumPacket[]; snap: Rec[] }> {
  const parser = new QuorumStreamParser({ name: "leader" });
  const queue = [...chunks];
  const more = () => Promise.resolve(queue.shift() ?? null);
  const packets: QuorumPacket[] = [];
  const snap: Rec[] = [];
  while (true) {
    const p = parser.next();
    if (p !== null) {
      packets.push(p);
      if (p.type === PacketType.SNAP) await receiveSnap(parser, more, (e) => void snap.push(e));
      continue;
    }
    const c = await more();
    if (c === null) break;
    parser.feed(c);
  }
  parser.finish();
  return { packets, snap };
}

Deno.test("a SNAP stream (packet, snapshot body, BenWasHere) then NEWLEADER parses at any split", async () => {
  const tree = sampleTree();
  const after = [P.newLeaderPacket(1n, "server.1=x\nversion=0"), P.pingPacket(2n)];
  const bytes = concat([
    encodePacket(P.diffPacket(0n)),
    ...snapStreamChunks(tree, 64),
    ...after.map((p) => encodePacket(p)),
  ]);
  const whole = await parseWithSnap([bytes]);
  assert.deepEqual(whole.packets.map((p) => p.type), [
    PacketType.DIFF,
    PacketType.SNAP,
    PacketType.NEWLEADER,
    PacketType.PING,
  ]);
  assert.equal(whole.packets[1].zxid, 3n, "SNAP carries the image's lastProcessedZxid");
  const recs = flat(whole.snap);
  assert.deepEqual(
    recs.filter((r) => r.kind === "session").map((r) => r.kind === "session" && r.id),
    [
      0x100000001n,
      0x200000007n,
    ],
  );
  const nodes = recs.filter((r) => r.kind === "node") as SnapNode[];
  assert.deepEqual(nodes.map((n) => n.path), [...tree.walk()].map(([p]) => p));
  for (const n of nodes) assert.deepEqual(n.stat, tree.get(n.path === "" ? "/" : n.path)?.stat);
  for (const step of [1, 7, 100, 1000]) {
    const chunks = [];
    for (let i = 0; i < bytes.length; i += step) chunks.push(bytes.slice(i, i + step));
    const got = await parseWithSnap(chunks);
    assert.deepEqual(got.packets, whole.packets, `chunks of ${step}`);
    assert.deepEqual(
      flat(got.snap).map((r) => r.kind === "node" ? r.path : r.kind),
      recs.map((r) => r.kind === "node" ? r.path : r.kind),
    );
  }
});

Deno.test("a SNAP body with a wrong end marker or cut short is one ZabProtocolError", async () => {
  const body = concat([...snapStreamChunks(sampleTree())]);
  const marker = new Writer().ustring("BenWasHere").toBytes();
  const wrong = concat([
    body.subarray(0, body.length - marker.length),
    new Writer().ustring("BenWasGone").toBytes(),
  ]);
  await assert.rejects(
    parseWithSnap([wrong]),
    (e) =>
      e instanceof ZabProtocolError &&
      /SNAP stream ends with "BenWasGone", expected "BenWasHere"/.test(e.message),
  );
  await assert.rejects(
    parseWithSnap([body.subarray(0, body.length - 20)]),
    (e) =>
      e instanceof ZabProtocolError && /SNAP stream from leader: file ends inside/.test(e.message),
  );
});

Deno.test("the SNAP body reader never waits for bytes past the marker: the leader sends nothing until the NEWLEADER ACK", async () => {
  const bytes = concat([
    ...snapStreamChunks(sampleTree(), 64),
    encodePacket(P.newLeaderPacket(1n, "")),
  ]);
  const parser = new QuorumStreamParser({ name: "leader" });
  parser.feed(bytes);
  let asked = 0;
  // A socket with nothing more to read: a read that never completes.
  const more = () => {
    asked++;
    return new Promise<Uint8Array | null>(() => {});
  };
  assert.equal(parser.next()?.type, PacketType.SNAP);
  const done = receiveSnap(parser, more, () => {});
  const timeout = new Promise<"stuck">((r) => {
    const t = setTimeout(() => r("stuck"), 2000);
    Deno.unrefTimer(t);
  });
  assert.notEqual(await Promise.race([done.then(() => "done"), timeout]), "stuck");
  assert.equal(asked, 0);
  assert.equal(parser.next()?.type, PacketType.NEWLEADER);
});

Deno.test("the SNAP body is the snapshot file's bytes without the 16-byte header and the seal", () => {
  const tree = sampleTree();
  const file = snapshotBytes(tree, 0n, null);
  const stream = concat([...snapStreamChunks(tree, 100)]);
  const packet = encodePacket(P.snapPacket(tree.lastProcessedZxid));
  const marker = new Writer().ustring("BenWasHere").toBytes();
  assert.deepEqual(stream.subarray(0, packet.length), packet);
  const body = stream.subarray(packet.length, stream.length - marker.length);
  // The seal: Adler-32 as a long, then the string "/".
  assert.deepEqual(body, file.subarray(16, file.length - 13));
  assert.deepEqual(stream.subarray(stream.length - marker.length), marker);
});
