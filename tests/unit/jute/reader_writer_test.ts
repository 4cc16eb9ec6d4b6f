// The primitives under every record: Writer grows without losing bytes,
// patches length prefixes in place, and hands out copies or views as
// documented; Reader decodes each primitive exactly as BinaryInputArchive
// does (big-endian, signed) and refuses what it cannot represent.
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../../src/jute/errors.ts";
import { Reader } from "../../../src/jute/reader.ts";
import { encode, Writer } from "../../../src/jute/writer.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  assert.fail("expected a DecodeError");
}

Deno.test("Writer grows from its smallest size across many writes and keeps every byte in order", () => {
  const w = new Writer(1); // clamped to 16 bytes, so it must double many times
  const want: number[] = [];
  for (let i = 0; i < 5000; i++) {
    w.int(i);
    want.push((i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff);
    if (i % 7 === 0) {
      w.byte(-1).boolean(true);
      want.push(0xff, 1);
    }
  }
  assert.equal(w.pos, want.length);
  assert.deepEqual(w.toBytes(), Uint8Array.from(want));
});

Deno.test("Writer grows for one write much larger than its buffer (raw, buffer, string)", () => {
  const big = new Uint8Array(100_000).map((_, i) => i * 31);
  const w = new Writer(16).int(7).raw(big).buffer(big).ustring("é".repeat(40_000));
  const r = new Reader(w.toBytes(), 1 << 20);
  assert.equal(r.int(), 7);
  assert.deepEqual(r.raw(big.length), big);
  assert.deepEqual(r.buffer(), big);
  assert.equal(r.string(), "é".repeat(40_000));
  assert.ok(r.done);
});

Deno.test("any sequence of primitive writes reads back in order, whatever the initial size", () => {
  type Op =
    | { k: "int"; v: number }
    | { k: "long"; v: bigint }
    | { k: "bool"; v: boolean }
    | { k: "byte"; v: number }
    | { k: "buf"; v: Uint8Array | null }
    | { k: "str"; v: string | null };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((v) => ({ k: "int" as const, v })),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((v) => ({ k: "long" as const, v })),
    fc.boolean().map((v) => ({ k: "bool" as const, v })),
    fc.integer({ min: -128, max: 127 }).map((v) => ({ k: "byte" as const, v })),
    fc.option(fc.uint8Array({ maxLength: 80 }), { nil: null }).map((v) => ({
      k: "buf" as const,
      v,
    })),
    fc.option(fc.string({ unit: "grapheme", maxLength: 30 }), { nil: null })
      .map((v) => ({ k: "str" as const, v })),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 64 }), fc.array(op, { maxLength: 60 }), (size, ops) => {
      const w = new Writer(size);
      for (const o of ops) {
        if (o.k === "int") w.int(o.v);
        else if (o.k === "long") w.long(o.v);
        else if (o.k === "bool") w.boolean(o.v);
        else if (o.k === "byte") w.byte(o.v);
        else if (o.k === "buf") w.buffer(o.v);
        else w.ustring(o.v);
      }
      const r = new Reader(w.toBytes());
      for (const o of ops) {
        const got = o.k === "int"
          ? r.int()
          : o.k === "long"
          ? r.long()
          : o.k === "bool"
          ? r.boolean()
          : o.k === "byte"
          ? r.byte()
          : o.k === "buf"
          ? r.buffer()
          : r.ustring();
        assert.deepEqual(got, o.v);
      }
      assert.ok(r.done);
    }),
    { numRuns: 300 },
  );
});

Deno.test("patchInt overwrites a reserved length prefix in place, also after the buffer grew", () => {
  const w = new Writer(16);
  const at = w.pos;
  w.int(0); // reserved
  const body = new Uint8Array(1000).fill(0xab);
  w.raw(body);
  w.patchInt(at, w.pos - at - 4);
  const r = new Reader(w.toBytes());
  assert.equal(r.int(), 1000);
  assert.deepEqual(r.raw(1000), body);
  // Negative values are written two's complement, like any int.
  assert.equal(hex(new Writer().int(0).patchInt(0, -2).toBytes()), "fffffffe");
  // patchInt does not move pos.
  assert.equal(w.pos, 1004);
});

Deno.test("toBytes is a copy that later writes do not change; peek is a view of the same bytes", () => {
  const w = new Writer(16).int(1);
  const copy = w.toBytes();
  const view = w.peek();
  assert.deepEqual(copy, view);
  w.reset().int(2);
  assert.equal(hex(copy), "00000001");
  assert.equal(hex(view), "00000002", "peek shares the writer's buffer");
  copy[0] = 0xff;
  assert.equal(hex(w.peek()), "00000002");
});

Deno.test("reset empties the writer and keeps writing from offset 0", () => {
  const w = new Writer().ustring("hello").long(5n);
  w.reset();
  assert.equal(w.pos, 0);
  assert.equal(w.toBytes().length, 0);
  w.int(-1);
  assert.equal(hex(w.toBytes()), "ffffffff");
});

Deno.test("encode gives the bytes of one record, whatever the size hint", () => {
  const write = (w: Writer, v: string) => void w.ustring(v);
  for (const size of [0, 1, 16, 4096]) {
    assert.equal(hex(encode(write, "/zk", size)), "000000032f7a6b");
  }
});

Deno.test("primitives are big-endian and signed as in Java's DataOutput", () => {
  const w = new Writer()
    .int(-2)
    .long(-2n)
    .long(0x0102030405060708n)
    .long(1700000000123)
    .byte(-128)
    .boolean(true)
    .boolean(false)
    .buffer(null)
    .ustring(null)
    .vector(null, (x, v: number) => x.int(v))
    .vector([], (x, v: number) => x.int(v))
    .buffer(new Uint8Array(0))
    .ustring("");
  assert.equal(
    hex(w.toBytes()),
    "fffffffe" + "fffffffffffffffe" + "0102030405060708" + "0000018bcfe5687b" + "80" + "01" + "00" +
      "ffffffff".repeat(3) + "00000000".repeat(3),
  );
});

Deno.test("Writer.long wraps a bigint to 64 bits as Java's long cast does", () => {
  assert.equal(hex(new Writer().long(1n << 64n).toBytes()), "0000000000000000");
  assert.equal(hex(new Writer().long((1n << 63n) + 1n).toBytes()), "8000000000000001");
});

Deno.test("Reader reads an input that is a subarray of a larger buffer at the right offset", () => {
  const outer = unhex("deadbeef" + "00000001" + "ffffffffffffffff" + "cafe");
  const r = new Reader(outer.subarray(4, 16));
  assert.equal(r.int(), 1);
  assert.equal(r.long(), -1n);
  assert.ok(r.done);
  assert.equal(r.remaining, 0);
  const e = decodeError(() => r.int());
  assert.equal(e.offset, 12, "offsets count from the start of the subarray");
});

Deno.test("Reader.boolean reads any non-zero byte as true, as DataInputStream.readBoolean", () => {
  const r = new Reader(unhex("00017f80ff"));
  assert.deepEqual([r.boolean(), r.boolean(), r.boolean(), r.boolean(), r.boolean()], [
    false,
    true,
    true,
    true,
    true,
  ]);
});

Deno.test("Reader.byte is signed", () => {
  const r = new Reader(unhex("7f80ff"));
  assert.deepEqual([r.byte(), r.byte(), r.byte()], [127, -128, -1]);
});

Deno.test("longNumber accepts exactly the safe integers and refuses the rest at the long's offset", () => {
  const ok = [
    0,
    1,
    -1,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1700000000123,
    -4294967296,
  ];
  for (const v of ok) {
    const r = new Reader(new Writer().long(v).toBytes());
    assert.equal(r.longNumber(), v);
    assert.ok(r.done);
  }
  const bad = [1n << 53n, -(1n << 53n), -(1n << 53n) - 1n, (1n << 63n) - 1n, -(1n << 63n)];
  for (const v of bad) {
    const r = new Reader(new Writer().int(0).long(v).toBytes());
    r.int();
    const e = decodeError(() => r.longNumber());
    assert.equal(e.offset, 4, `${v}`);
    assert.match(e.reason, new RegExp(`long ${v} is outside the safe integer range`));
    assert.equal(r.pos, 4, "a refused long is not consumed");
  }
});

Deno.test("longNumber agrees with long() on every safe integer", () => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (v) => {
      const bytes = new Writer().long(v).toBytes();
      assert.equal(new Reader(bytes).longNumber(), v);
      assert.equal(new Reader(bytes).long(), BigInt(v));
    }),
  );
});

Deno.test("buffer returns a copy, bufferView a view into the input", () => {
  const bytes = new Writer().buffer(unhex("0102")).buffer(unhex("0304")).toBytes();
  const r = new Reader(bytes);
  const copy = r.buffer()!;
  const view = r.bufferView()!;
  bytes[4] = 0x99;
  bytes[10] = 0x77;
  assert.equal(hex(copy), "0102");
  assert.equal(hex(view), "7704");
  assert.equal(new Reader(unhex("ffffffff")).bufferView(), null);
});

Deno.test("string() refuses a null string at the length's offset; ustring() returns null", () => {
  const bytes = unhex("00000000" + "ffffffff");
  assert.equal(new Reader(bytes.subarray(4)).ustring(), null);
  const r = new Reader(bytes);
  r.int();
  const e = decodeError(() => r.string());
  assert.equal(e.offset, 4);
  assert.match(e.reason, /null string/);
});

Deno.test("vector reads null for -1, an empty list for 0, and elements in order", () => {
  const item = (x: Reader) => x.int();
  assert.equal(new Reader(unhex("ffffffff")).vector(item), null);
  assert.deepEqual(new Reader(unhex("00000000")).vector(item), []);
  assert.deepEqual(new Reader(unhex("00000002" + "00000005" + "fffffffb")).vector(item), [5, -5]);
});

Deno.test("raw reads exactly n bytes and refuses a negative or too large n", () => {
  const r = new Reader(unhex("010203"));
  assert.equal(hex(r.raw(0)), "");
  assert.equal(hex(r.raw(2)), "0102");
  assert.equal(decodeError(() => r.raw(-1)).offset, 2);
  const e = decodeError(() => r.raw(2));
  assert.equal(e.offset, 2);
  assert.match(e.reason, /truncated bytes: need 2 bytes, have 1/);
});

Deno.test("every primitive read past the end is a DecodeError at the current offset, not a RangeError", () => {
  const reads: Array<[string, (r: Reader) => unknown]> = [
    ["int", (r) => r.int()],
    ["long", (r) => r.long()],
    ["longNumber", (r) => r.longNumber()],
    ["boolean", (r) => r.boolean()],
    ["byte", (r) => r.byte()],
    ["buffer", (r) => r.buffer()],
    ["ustring", (r) => r.ustring()],
    ["vector", (r) => r.vector((x) => x.int())],
  ];
  for (const [what, read] of reads) {
    for (let n = 0; n < 8; n++) {
      const r = new Reader(new Uint8Array(n).fill(0x00), 1);
      // Skip what a shorter read may consume first; only count failures.
      try {
        read(r);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `${what} on ${n} bytes threw ${e}`);
        assert.ok(e.offset <= n);
      }
    }
    const e = decodeError(() => read(new Reader(new Uint8Array(0))));
    assert.equal(e.offset, 0, what);
    assert.match(e.message, /^truncated .* at offset 0$/, what);
  }
});

Deno.test("Reader.fail throws a DecodeError at the current offset", () => {
  const r = new Reader(unhex("00000001"));
  r.int();
  const e = decodeError(() => r.fail("bad thing"));
  assert.equal(e.offset, 4);
  assert.equal(e.message, "bad thing at offset 4");
  assert.equal(e.name, "DecodeError");
});
