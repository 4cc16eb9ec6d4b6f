// Malformed jute input is always a DecodeError carrying the byte offset: never
// a RangeError or TypeError from a view, never an allocation sized by an
// untrusted length.
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../../src/jute/errors.ts";
import * as proto from "../../../src/jute/proto.ts";
import { DEFAULT_MAX_BUFFER, Reader } from "../../../src/jute/reader.ts";
import { encode, Writer } from "../../../src/jute/writer.ts";
import { golden, GOLDENS } from "./golden_values.ts";
import { RECORDS } from "./records.ts";

/** Runs `f` and returns the DecodeError it must throw. */
function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new assert.AssertionError({ message: `expected a DecodeError, got ${e}` });
  }
  throw new assert.AssertionError({ message: "expected a DecodeError, decoding succeeded" });
}

// The readOnly flag is optional on the wire: a connect frame cut right before
// it is a complete frame from an old client.
const OPTIONAL_TAIL = new Set(["ConnectRequestReadOnly", "ConnectResponseReadOnly"]);

for (const c of GOLDENS) {
  Deno.test(`truncated ${c.name}: every shorter prefix of ZooKeeper's bytes is a DecodeError within the prefix`, () => {
    const bytes = golden(c.name);
    for (let n = 0; n < bytes.length; n++) {
      if (OPTIONAL_TAIL.has(c.name) && n === bytes.length - 1) {
        assert.equal("readOnly" in (c.read(new Reader(bytes.subarray(0, n))) as object), false);
        continue;
      }
      const e = decodeError(() => c.read(new Reader(bytes.subarray(0, n))));
      assert.ok(e.offset >= 0 && e.offset <= n, `${c.name}[0..${n}) offset ${e.offset}`);
      assert.match(e.message, /at offset \d+$/);
      assert.doesNotMatch(e.message, /\n/);
    }
  });
}

Deno.test("any bytes fed to any record reader give a value or a DecodeError, nothing else", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RECORDS),
      fc.uint8Array({ maxLength: 96 }),
      fc.integer({ min: 0, max: 64 }),
      (rec, bytes, limit) => {
        try {
          rec.read(new Reader(bytes, limit));
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          assert.ok(e.offset >= 0 && e.offset <= bytes.length);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

/** Bytes: an int length prefix (at offset 0) followed by `tail` bytes. */
function lengthThen(len: number, tail = 8): Uint8Array {
  return new Writer().int(len).raw(new Uint8Array(tail)).toBytes();
}

Deno.test("negative lengths other than -1 are refused at the length prefix (buffer, string, vector)", () => {
  for (const len of [-2, -100, -0x80000000]) {
    for (
      const read of [
        (r: Reader) => r.buffer(),
        (r: Reader) => r.ustring(),
        (r: Reader) => r.vector((x) => x.int()),
      ]
    ) {
      const e = decodeError(() => read(new Reader(lengthThen(len))));
      assert.equal(e.offset, 0);
      assert.match(e.reason, /negative .* length/);
    }
  }
});

Deno.test("length 0x7fffffff fails on the length itself, before any allocation or element read", () => {
  const reads: Array<[string, (r: Reader) => unknown]> = [
    ["buffer", (r) => r.buffer()],
    ["bufferView", (r) => r.bufferView()],
    ["string", (r) => r.ustring()],
    ["vector", (r) => r.vector(() => assert.fail("an element was read"))],
  ];
  for (const [what, read] of reads) {
    // Over jute.maxbuffer: refused for the limit.
    let e = decodeError(() => read(new Reader(lengthThen(0x7fffffff))));
    assert.equal(e.offset, 0, what);
    assert.match(e.reason, new RegExp(`length 2147483647 exceeds the limit ${DEFAULT_MAX_BUFFER}`));
    // Even with no limit, a length past the end of the input is refused up front.
    e = decodeError(() => read(new Reader(lengthThen(0x7fffffff), 0x7fffffff)));
    assert.equal(e.offset, 0, what);
    assert.match(e.reason, /runs past the end \(8 bytes left\)/);
  }
});

Deno.test("a huge ACL count inside a CreateRequest fails at that count's offset", () => {
  // path "/a", data null, then acl count 0x7fffffff and nothing more.
  const bytes = new Writer().ustring("/a").buffer(null).int(0x7fffffff).int(0).toBytes();
  for (const limit of [DEFAULT_MAX_BUFFER, 0x7fffffff]) {
    const e = decodeError(() => proto.readCreateRequest(new Reader(bytes, limit)));
    assert.equal(e.offset, 10);
  }
});

Deno.test("a vector count within the limit but beyond the remaining bytes fails before reading elements", () => {
  const bytes = new Writer().int(1000).raw(new Uint8Array(999)).toBytes();
  let calls = 0;
  const e = decodeError(() => new Reader(bytes).vector((x) => (calls++, x.byte())));
  assert.equal(calls, 0);
  assert.equal(e.offset, 0);
});

Deno.test("the Reader's limit applies to every length a record reads", () => {
  const bytes = encode(proto.writeGetDataResponse, {
    data: new Uint8Array(100),
    stat: {
      czxid: 0n,
      mzxid: 0n,
      ctime: 0,
      mtime: 0,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 100,
      numChildren: 0,
      pzxid: 0n,
    },
  });
  assert.equal(proto.readGetDataResponse(new Reader(bytes, 100)).data?.length, 100);
  const e = decodeError(() => proto.readGetDataResponse(new Reader(bytes, 99)));
  assert.match(e.reason, /buffer length 100 exceeds the limit 99/);
});

Deno.test("invalid UTF-8 in a string is a DecodeError at the offending byte", () => {
  const cases: Array<[string, number[], number]> = [
    ["stray continuation byte", [0x2f, 0x80], 1],
    ["0xff", [0x2f, 0x61, 0xff], 2],
    ["overlong '/'", [0xc0, 0xaf], 0],
    ["overlong 3-byte", [0xe0, 0x80, 0xaf], 0],
    ["truncated 2-byte sequence", [0x2f, 0xc3], 1],
    ["truncated 4-byte sequence", [0xf0, 0x9f, 0xa6], 0],
    ["code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["lone high surrogate", [0x2f, 0xed, 0xa0, 0xbe, 0x2f], 1],
    ["lone low surrogate", [0xed, 0xb6, 0x80], 0],
    ["high surrogate then a non-surrogate", [0xed, 0xa0, 0xbe, 0xe6, 0x97, 0xa5], 0],
  ];
  for (const [what, bad, at] of cases) {
    // A GetDataRequest whose path holds the bad bytes, after 4 bytes of length.
    const bytes = new Writer().buffer(Uint8Array.from(bad)).boolean(false).toBytes();
    const e = decodeError(() => proto.readGetDataRequest(new Reader(bytes)));
    assert.equal(e.offset, 4 + at, what);
    assert.match(e.reason, /invalid UTF-8/, what);
  }
});

Deno.test("a time outside the safe integer range is a DecodeError, not a silently rounded number", () => {
  const bytes = new Writer().long(1n).int(0).long(1n).long(1n << 60n).int(1).toBytes();
  const e = decodeError(() => RECORDS.find((r) => r.name === "TxnHeader")!.read(new Reader(bytes)));
  assert.equal(e.offset, 20);
});

Deno.test("a multi with an op type ZooKeeper does not allow is a DecodeError at that header", () => {
  const w = new Writer();
  proto.writeMultiHeader(w, { type: 7, /* setACL */ done: false, err: -1 });
  let e = decodeError(() => proto.readMultiRequest(new Reader(w.toBytes())));
  assert.equal(e.offset, 0);
  assert.match(e.reason, /invalid op type 7/);
  const r = new Writer();
  proto.writeMultiResponse(r, [{ type: 2 }]);
  const bytes = r.toBytes();
  bytes.set([0, 0, 0, 99], 0); // the first result's type
  e = decodeError(() => proto.readMultiResponse(new Reader(bytes)));
  assert.equal(e.offset, 0);
  assert.match(e.reason, /invalid result type 99/);
});

Deno.test("a multi with no end header is a truncation DecodeError", () => {
  const w = new Writer();
  proto.writeMultiRequest(w, [{ type: 2, request: { path: "/a", version: 1 } }]);
  const bytes = w.toBytes().subarray(0, w.pos - 9);
  const e = decodeError(() => proto.readMultiRequest(new Reader(bytes)));
  assert.equal(e.offset, bytes.length);
});
