// Zab payloads: the byte examples of zab-3.8.md §2, each builder's bytes read
// back by its parser, and the payloads a Java peer chokes on (null where it
// wraps data unchecked) never produced.
import assert from "node:assert/strict";
import fc from "fast-check";
import { readQuorumPacket, writeQuorumPacket } from "../../../src/jute/quorum.ts";
import { Reader } from "../../../src/jute/reader.ts";
import { encode, Writer } from "../../../src/jute/writer.ts";
import { writeTxnHeader } from "../../../src/jute/txn.ts";
import { ZabProtocolError } from "../../../src/zab/errors.ts";
import { PacketType } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const bytesOf = (p: P.QuorumPacket) => encode(writeQuorumPacket, p);
const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const epoch = fc.bigInt({ min: 0n, max: 0x7fffffffn });

function zabError(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e) => e instanceof ZabProtocolError && pattern.test(e.message));
}

Deno.test("FOLLOWERINFO for sid 2, acceptedEpoch 1 is zab-3.8.md's 40 bytes with a 20-byte LearnerInfo", () => {
  const p = P.learnerInfoPacket(PacketType.FOLLOWERINFO, 1n, {
    serverid: 2n,
    protocolVersion: 0x10000,
    configVersion: 0n,
  });
  assert.equal(
    hex(bytesOf(p)),
    "0000000b" + "0000000100000000" + "00000014" + "0000000000000002" + "00010000" +
      "0000000000000000" + "ffffffff",
  );
  assert.deepEqual(P.parseLearnerInfo(p), {
    observer: false,
    acceptedEpoch: 1n,
    serverid: 2n,
    protocolVersion: 0x10000,
    configVersion: 0n,
  });
});

Deno.test("UPTODATE carries zxid -1; an empty PING reply has 0-length data, never null", () => {
  assert.equal(
    hex(bytesOf(P.upToDatePacket())),
    "0000000c" + "ff".repeat(8) + "ffffffff" + "ffffffff",
  );
  assert.equal(
    hex(bytesOf(P.pingReplyPacket(0x100000003n, []))),
    "00000005" + "0000000100000003" + "00000000" + "ffffffff",
  );
  assert.equal(P.pingPacket(5n).data, null, "the leader's PING has null data");
});

Deno.test("SYNC's zxid is 0 and LEADERINFO/ACKEPOCH data are 4-byte ints", () => {
  assert.equal(P.syncPacket().zxid, 0n);
  assert.equal(hex(P.leaderInfoPacket(3n).data!), "00010000");
  assert.equal(P.leaderInfoPacket(3n).zxid, 0x300000000n);
  assert.equal(hex(P.ackEpochPacket(0x200000005n, -1).data!), "ffffffff");
});

Deno.test("a short LearnerInfo reads what is there, as LearnerHandler does; null data has no sid", () => {
  const p = { type: PacketType.OBSERVERINFO, zxid: 0x700000000n, data: null, authinfo: null };
  assert.deepEqual(P.parseLearnerInfo(p), { observer: true, acceptedEpoch: 7n, serverid: null });
  const w = new Writer().long(9n).int(0x10000);
  const short = P.parseLearnerInfo({ ...p, data: w.toBytes() });
  assert.equal(short.serverid, 9n);
  assert.equal(short.protocolVersion, 0x10000);
  assert.equal(short.configVersion, undefined);
  zabError(() => P.parseLearnerInfo({ ...p, data: new Uint8Array(7) }), /LearnerInfo is 7 bytes/);
});

Deno.test("parsers name the packet they expected and the size they needed", () => {
  zabError(() => P.parseLeaderInfo(P.diffPacket(0n)), /expected LEADERINFO, got DIFF/);
  zabError(
    () => P.parseAckEpoch({ ...P.ackEpochPacket(0n, 1), data: null }),
    /ACKEPOCH: null data/,
  );
  zabError(
    () => P.parseTouches({ ...P.pingPacket(0n), data: new Uint8Array(13) }),
    /touch table is 13 bytes, not a multiple of 12/,
  );
  zabError(
    () => P.parseRevalidateReply({ ...P.revalidateReplyPacket(1n, true), data: new Uint8Array(8) }),
    /REVALIDATE: data is 8 bytes/,
  );
  zabError(
    () => P.parseRequest({ ...P.syncPacket(), type: PacketType.REQUEST }),
    /REQUEST: null data/,
  );
  zabError(
    () => P.parseProposal(P.proposalPacket(1n, new Uint8Array(31))),
    /PROPOSAL: data is 31 bytes, expected a TxnHeader/,
  );
});

/** Every builder with arbitraries for its inputs and the parser that reads it back. */
const CASES: [string, fc.Arbitrary<[P.QuorumPacket, unknown, (p: P.QuorumPacket) => unknown]>][] = [
  [
    "LEADERINFO",
    epoch.map((
      e,
    ) => [P.leaderInfoPacket(e), { epoch: e, protocolVersion: 0x10000 }, P.parseLeaderInfo]),
  ],
  [
    "ACKEPOCH",
    fc.tuple(long, int).map(([z, e]) => [
      P.ackEpochPacket(z, e),
      { lastLoggedZxid: z, epoch: e },
      P.parseAckEpoch,
    ]),
  ],
  [
    "NEWLEADER",
    fc.tuple(epoch, fc.string({ unit: "grapheme" })).map(([e, qv]) => [
      P.newLeaderPacket(e, qv),
      { zxid: e << 32n, quorumVerifier: qv },
      P.parseNewLeader,
    ]),
  ],
  [
    "PING reply",
    fc.array(fc.record({ sessionId: long, timeout: int }), { maxLength: 20 }).map((t) => [
      P.pingReplyPacket(1n, t),
      t,
      P.parseTouches,
    ]),
  ],
  [
    "REVALIDATE",
    fc.tuple(long, int).map(([id, to]) => [
      P.revalidatePacket(id, to),
      { sessionId: id, timeout: to },
      P.parseRevalidate,
    ]),
  ],
  [
    "REVALIDATE reply",
    fc.tuple(long, fc.boolean()).map(([id, ok]) => [
      P.revalidateReplyPacket(id, ok),
      { sessionId: id, valid: ok },
      P.parseRevalidateReply,
    ]),
  ],
  [
    "REQUEST",
    fc.record({
      sessionId: long,
      cxid: int,
      type: int,
      body: fc.uint8Array({ maxLength: 64 }),
      authinfo: fc.option(
        fc.array(fc.record({ scheme: fc.string(), id: fc.string() }), { maxLength: 3 }),
        { nil: null },
      ),
    }).map((r) => [P.requestPacket(r), r, P.parseRequest]),
  ],
  [
    "COMMITANDACTIVATE",
    fc.tuple(long, long).map(([z, sid]) => [
      P.commitAndActivatePacket(z, sid),
      { zxid: z, leaderSid: sid, txnEntry: null },
      P.parseActivate,
    ]),
  ],
  [
    "INFORMANDACTIVATE",
    fc.tuple(long, long, fc.uint8Array({ maxLength: 40 })).map(([z, sid, t]) => [
      P.informAndActivatePacket(z, sid, t),
      { zxid: z, leaderSid: sid, txnEntry: t },
      P.parseActivate,
    ]),
  ],
  [
    "PROPOSAL",
    fc.record({ clientId: long, cxid: int, zxid: long, time: fc.integer({ min: 0 }), type: int })
      .chain((h) =>
        fc.uint8Array({ maxLength: 40 }).map((rest) => {
          const entry = new Writer();
          writeTxnHeader(entry, h);
          entry.raw(rest);
          const bytes = entry.toBytes();
          return [P.proposalPacket(h.zxid, bytes), { txnEntry: bytes, header: h }, P.parseProposal];
        })
      ),
  ],
];

for (const [name, arb] of CASES) {
  Deno.test(`${name}: built, encoded as a QuorumPacket, read back and parsed gives the input`, () => {
    fc.assert(
      fc.property(arb, ([packet, expected, parse]) => {
        const bytes = bytesOf(packet);
        const back = readQuorumPacket(new Reader(bytes));
        assert.deepEqual(parse(back), expected);
        assert.deepEqual(bytesOf(back), bytes);
      }),
      { numRuns: 100 },
    );
  });
}

Deno.test("describePacket gives one log line with the type name and unsigned zxid", () => {
  assert.equal(P.describePacket(P.upToDatePacket()), "UPTODATE zxid=0xffffffffffffffff data=null");
  assert.equal(
    P.describePacket(
      P.requestPacket({
        sessionId: 1n,
        cxid: 2,
        type: 1,
        body: new Uint8Array(4),
        authinfo: [{ scheme: "ip", id: "127.0.0.1" }],
      }),
    ),
    "REQUEST zxid=0xffffffffffffffff data=20B authinfo=ip:127.0.0.1",
  );
});
