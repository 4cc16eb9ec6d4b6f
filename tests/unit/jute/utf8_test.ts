// Strings are encoded as ZooKeeper's BinaryOutputArchive encodes them: UTF-8,
// except that a non-BMP character is two 3-byte surrogate sequences. Reading
// accepts that form and standard 4-byte UTF-8 alike.
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeJuteString, encodeJuteString, maxEncodedLength } from "../../../src/jute/utf8.ts";

function enc(s: string): Uint8Array {
  const out = new Uint8Array(maxEncodedLength(s));
  return out.subarray(0, encodeJuteString(s, out));
}

/** ZooKeeper's per-UTF-16-unit encoding, written plainly as the reference. */
function javaBytes(s: string): number[] {
  const out: number[] = [];
  for (const unit of Array.from({ length: s.length }, (_, i) => s.charCodeAt(i))) {
    if (unit < 0x80) out.push(unit);
    else if (unit < 0x800) out.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f));
    else out.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
  }
  return out;
}

Deno.test("any string encodes to the bytes ZooKeeper's writer produces, and decodes back", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const bytes = enc(s);
      assert.deepEqual([...bytes], javaBytes(s));
      assert.equal(decodeJuteString(bytes), s);
    }),
    { numRuns: 500 },
  );
});

Deno.test("standard UTF-8 (4-byte non-BMP, from kazoo or the C client) decodes to the same string", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      assert.equal(decodeJuteString(new TextEncoder().encode(s)), s);
    }),
    { numRuns: 500 },
  );
});

Deno.test("a string without surrogates is plain UTF-8", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme-composite", maxLength: 40 }), (s) => {
      fc.pre(!/[\ud800-\udfff]/.test(s));
      assert.deepEqual(enc(s), new TextEncoder().encode(s));
    }),
  );
});

Deno.test("decoding a long non-ASCII string in the slow path keeps every character", () => {
  const s = "\u{1f980}\u00e9".repeat(20000);
  assert.equal(decodeJuteString(enc(s)), s);
});

Deno.test("short ASCII strings (the fast path) decode exactly as UTF-8; a bad byte is still found", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ min: 0, max: 0x7f, maxLength: 70 }),
      fc.nat(),
      (ascii, at) => {
        assert.equal(decodeJuteString(ascii), new TextDecoder().decode(ascii));
        // One invalid byte (0xff) anywhere: reported at its offset, not decoded.
        const p = ascii.length === 0 ? 0 : at % ascii.length;
        const bad = Uint8Array.from(ascii);
        if (bad.length > 0) bad[p] = 0xff;
        else return;
        assert.equal(decodeJuteString(bad), p);
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(decodeJuteString(new TextEncoder().encode("/a/\u00e9")), "/a/\u00e9");
});
