// Property: for every jute record, any value written and read back is the same
// value, the reader consumes exactly the bytes written, and writing it again
// gives the same bytes.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Reader } from "../../../src/jute/reader.ts";
import { encode } from "../../../src/jute/writer.ts";
import { RECORDS } from "./records.ts";

for (const rec of RECORDS) {
  Deno.test(`jute ${rec.name}: write then read gives the same value and consumes every byte`, () => {
    fc.assert(
      fc.property(rec.arb, (v) => {
        const bytes = encode(rec.write, v);
        const r = new Reader(bytes);
        const back = rec.read(r);
        assert.deepEqual(back, v);
        assert.equal(r.pos, bytes.length, "reader stopped before the end");
        assert.deepEqual(encode(rec.write, back), bytes);
      }),
      { numRuns: 150 },
    );
  });
}

Deno.test("every record table entry has a distinct name", () => {
  const names = RECORDS.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
});
