// Znode data packed into slabs: every owner always reads its own bytes, large
// data keeps its own buffer, and a churning set of owners keeps the slabs at
// most about twice the live data (compaction moves survivors out).
import assert from "node:assert/strict";
import fc from "fast-check";
import { type DataOwner, DataSlabs } from "../../../src/data/data_slabs.ts";
import { DataTree } from "../../../src/data/tree.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

Deno.test("placed data is a copy in a shared slab; null, empty and large data are kept as given", () => {
  const slabs = new DataSlabs(1024, 256);
  const a: DataOwner = { data: null };
  const b: DataOwner = { data: null };
  const src = bytes(100, 7);
  a.data = slabs.place(a, src);
  b.data = slabs.place(b, bytes(50, 9));
  assert.deepEqual(a.data, src);
  assert.notEqual(a.data, src);
  assert.equal(a.data!.buffer, b.data!.buffer, "one slab for both");
  src.fill(0);
  assert.equal(a.data![0], 7, "a copy, not a view of the caller's bytes");
  const big = bytes(300, 1);
  const empty = new Uint8Array(0);
  assert.equal(slabs.place({ data: null }, big), big);
  assert.equal(slabs.place({ data: null }, empty), empty);
  assert.equal(slabs.place({ data: null }, null), null);
  assert.deepEqual(slabs.stats(), { slabs: 1, live: 150, used: 150 });
});

Deno.test("a slab that is mostly dead moves its live data to the current slab and is dropped", () => {
  const slabs = new DataSlabs(1000, 500);
  const owners = Array.from({ length: 10 }, (_, i) => {
    const o: DataOwner = { data: null };
    o.data = slabs.place(o, bytes(100, i));
    return o;
  });
  const first = owners[0].data!.buffer;
  // A new slab becomes current; then 6 of the 10 in the first one are released.
  const late: DataOwner = { data: null };
  late.data = slabs.place(late, bytes(100, 99));
  assert.notEqual(late.data!.buffer, first);
  for (const o of owners.slice(0, 6)) {
    slabs.release(o, o.data);
    o.data = null;
  }
  for (const [i, o] of owners.entries()) {
    if (i < 6) continue;
    assert.notEqual(o.data!.buffer, first, `owner ${i} still in the old slab`);
    assert.deepEqual(o.data, bytes(100, i));
  }
  assert.deepEqual(slabs.stats(), { slabs: 1, live: 500, used: 500 });
});

Deno.test("a tree under random creates, setData and deletes reads back its data and keeps its digest", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom("create", "set", "delete"),
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 0, max: 3000 }),
        ),
        { maxLength: 400 },
      ),
      (ops) => {
        const t = new DataTree();
        const model = new Map<string, Uint8Array>();
        let zxid = 1n;
        for (const [op, k, len] of ops) {
          const path = `/n${k}`;
          const data = bytes(len, (k * 7 + len) & 0xff);
          if (op === "create" && !model.has(path)) {
            t.createNode(path, data, null, 0n, -1, zxid++, 1);
            model.set(path, data);
          } else if (op === "set" && model.has(path)) {
            t.setData(path, data, 1, zxid++, 2);
            model.set(path, data);
          } else if (op === "delete" && model.has(path)) {
            t.deleteNode(path, zxid++);
            model.delete(path);
          }
        }
        for (const [path, data] of model) assert.deepEqual(t.get(path)?.data, data, path);
        // The digest kept incrementally matches one computed from the bytes.
        assert.equal(t.digest, t.computeDigest());
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("under random churn every owner keeps its bytes and slabs hold at most 2x the live data plus one slab", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 300 })), {
        maxLength: 600,
      }),
      (ops) => {
        const slabs = new DataSlabs(1000, 400);
        const owners = Array.from({ length: 31 }, () => ({ data: null }) as DataOwner);
        const model: (Uint8Array | null)[] = owners.map(() => null);
        for (const [i, len] of ops) {
          const o = owners[i];
          slabs.release(o, o.data);
          // Length 0 stands for "deleted": the owner drops its data.
          const next = len === 0 ? null : bytes(len, (i + len) & 0xff);
          o.data = slabs.place(o, next);
          model[i] = next;
          const s = slabs.stats();
          assert.ok(s.used <= 2 * s.live + 1000, `used ${s.used}, live ${s.live}`);
        }
        owners.forEach((o, i) => assert.deepEqual(o.data, model[i], `owner ${i}`));
      },
    ),
    { numRuns: 200 },
  );
});
