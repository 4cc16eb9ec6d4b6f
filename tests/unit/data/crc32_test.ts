import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32 as zlibCrc32 } from "node:zlib";
import { Crc32, crc32 } from "../../../src/data/crc32.ts";

Deno.test("crc32 equals zlib's CRC-32 for any bytes, whole or in ranges and chunks", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const want = zlibCrc32(bytes) >>> 0;
      assert.equal(crc32(bytes), want);
      const cut = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const split = new Crc32().update(bytes.subarray(0, cut)).updateRange(
        bytes,
        cut,
        bytes.length,
      );
      assert.equal(split.value(), want);
      const lo = Math.min(cut, b % (bytes.length + 1));
      const hi = Math.max(cut, b % (bytes.length + 1));
      assert.equal(
        new Crc32().updateRange(bytes, lo, hi).value(),
        zlibCrc32(bytes.subarray(lo, hi)) >>> 0,
      );
    }),
    { numRuns: 500 },
  );
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926); // the standard check value
});
