import assert from "node:assert/strict";
import fc from "fast-check";
import { nodeDigest, nodeDigestOfRecord } from "../../../src/data/digest.ts";
import type { StatPersisted } from "../../../src/jute/data.ts";
import { writeStatPersisted } from "../../../src/jute/data.ts";
import { Writer } from "../../../src/jute/writer.ts";

const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const time = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const statArb: fc.Arbitrary<StatPersisted> = fc.record({
  czxid: long,
  mzxid: long,
  ctime: time,
  mtime: time,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  pzxid: long,
});
// ASCII, accented, non-BMP (jute writes those as surrogate pairs) and /zookeeper/ paths.
const pathArb = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^(\/[a-z0-9._-]{1,6}){1,4}$/),
  fc.array(fc.constantFrom("a", "é", "😀", "中", "z"), { minLength: 1, maxLength: 6 })
    .map((cs) => "/" + cs.join("")),
  fc.stringMatching(/^\/zookeeper\/[a-z]{1,6}$/),
);

Deno.test("a node digest taken from a snapshot record's bytes equals nodeDigest of the decoded node", () => {
  fc.assert(
    fc.property(
      pathArb,
      fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
      statArb,
      fc.nat({ max: 7 }),
      (path, data, stat, pad) => {
        const w = new Writer();
        w.raw(new Uint8Array(pad));
        const pathStart = w.pos + 4;
        w.ustring(path);
        const pathLength = w.pos - pathStart;
        w.buffer(data).long(0n);
        const statStart = w.pos;
        writeStatPersisted(w, stat);
        const bytes = w.toBytes();
        assert.equal(
          nodeDigestOfRecord(path, bytes, pathStart, pathLength, data, statStart),
          nodeDigest(path === "" ? "/" : path, data, stat),
        );
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("nodeDigest hashes times as the 64-bit longs ZooKeeper writes, negative ones too", () => {
  const stat: StatPersisted = {
    czxid: 5n,
    mzxid: 6n,
    ctime: -1,
    mtime: 2 ** 40 + 3,
    version: 1,
    cversion: 2,
    aversion: 3,
    ephemeralOwner: 0n,
    pzxid: 7n,
  };
  // The same stat with times given as the bigint the file holds, via the record path.
  const w = new Writer();
  w.ustring("/a").buffer(null).long(0n);
  const statStart = w.pos;
  writeStatPersisted(w, stat);
  const bytes = w.toBytes();
  assert.deepEqual([...bytes.subarray(statStart + 16, statStart + 24)], Array(8).fill(0xff));
  assert.equal(
    nodeDigestOfRecord("/a", bytes, 4, 2, null, statStart),
    nodeDigest("/a", null, stat),
  );
});
