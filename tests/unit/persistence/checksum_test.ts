import assert from "node:assert/strict";
import fc from "fast-check";
import { Adler32, adler32 } from "../../../src/persistence/adler32.ts";
import { crc32 } from "../../../src/data/crc32.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("adler32 matches the RFC 1950 reference values", () => {
  assert.equal(adler32(new Uint8Array(0)), 1);
  assert.equal(adler32(ascii("Wikipedia")), 0x11e60398);
  // Long input exercises the deferred modulo (NMAX) path.
  assert.equal(adler32(new Uint8Array(100_000).fill(0xff)), 0x149a302c);
});

Deno.test("adler32 over chunks equals adler32 of the whole", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(20_000), (bytes, cut) => {
    const c = Math.min(cut, bytes.length);
    const a = new Adler32().update(bytes.subarray(0, c)).update(bytes.subarray(c)).value();
    assert.equal(a, adler32(bytes));
  }));
});

Deno.test("crc32 matches java.util.zip.CRC32's check value", () => {
  assert.equal(crc32(ascii("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});
