// The columnar node store: lookups by path, child lists in insertion order,
// data in shared slabs (compacted when mostly dead), and frozen copies that
// stay as they were while the store goes on changing — checked against a
// plain Map model under random operations.
import assert from "node:assert/strict";
import fc from "fast-check";
import { NodeStore, NONE } from "../../../src/data/node_store.ts";
import { DataTree } from "../../../src/data/tree.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

Deno.test("lookups resolve every component; names, data and child order read back", () => {
  const s = new NodeStore(2); // tiny, so the columns grow several times
  const root = s.add(NONE, "");
  const a = s.add(root, "a");
  const b = s.add(a, "b");
  const c = s.add(a, "ç/?"); // not ASCII: UTF-8 bytes in the name slab
  s.setData(b, bytes(100, 7));
  s.setData(c, bytes(5000, 3)); // large: its own buffer
  s.setData(a, new Uint8Array(0));
  assert.equal(s.lookup(root, "/"), root);
  assert.equal(s.lookup(root, ""), root);
  assert.equal(s.lookup(root, "/a/b"), b);
  assert.equal(s.child(a, "ç/?"), c);
  assert.equal(s.lookup(root, "/a/b/"), NONE, "a trailing slash names an empty component");
  assert.equal(s.lookup(root, "a/b"), NONE, "relative paths name nothing");
  assert.equal(s.lookup(root, "/a/x"), NONE);
  assert.deepEqual(s.childNames(a), ["b", "ç/?"]);
  assert.equal(s.name(c), "ç/?");
  assert.deepEqual(s.data(b), bytes(100, 7));
  assert.deepEqual(s.data(c), bytes(5000, 3));
  assert.deepEqual(s.data(a), new Uint8Array(0));
  assert.equal(s.data(root), null);
  assert.deepEqual([...s.walk(root)].map(([p]) => p), ["", "/a", "/a/b", "/a/ç/?"]);
  s.remove(b);
  assert.equal(s.lookup(root, "/a/b"), NONE);
  assert.deepEqual(s.childNames(a), ["ç/?"]);
  assert.equal(s.cols.kids[a], 1);
  assert.equal(s.size, 3);
});

Deno.test("under random adds, removes and setData the store agrees with a Map model; a frozen copy does not move", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom("add", "remove", "set", "freeze"),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 1500 }),
        ),
        { maxLength: 500, size: "max" },
      ),
      (ops) => {
        const s = new NodeStore(4, 2000); // 2000-byte slabs: compaction happens
        const root = s.add(NONE, "");
        // Two levels: /pK and /pK/cJ, so removes of parents wait for their children.
        const model = new Map<string, Uint8Array | null>();
        let frozen: { image: ReturnType<NodeStore["freeze"]>; paths: Map<string, string> } | null =
          null;
        const picture = (r: ReturnType<NodeStore["freeze"]>) =>
          new Map([...r.walk(root)].map(([p, id]) => [p, JSON.stringify([...(r.data(id) ?? [])])]));
        for (const [op, k, len] of ops) {
          const parent = `/p${k % 5}`;
          const path = k < 5 ? parent : `${parent}/c${k}`;
          const id = s.lookup(root, path);
          assert.equal(id !== NONE, model.has(path), `lookup ${path}`);
          if (op === "add" && id === NONE) {
            const pid = path === parent ? root : s.lookup(root, parent);
            if (pid === NONE) continue;
            const n = s.add(pid, path.substring(path.lastIndexOf("/") + 1));
            const data = len % 7 === 0 ? null : bytes(len, k);
            s.setData(n, data);
            model.set(path, data);
          } else if (op === "remove" && id !== NONE && s.cols.kids[id] === 0) {
            s.remove(id);
            model.delete(path);
          } else if (op === "set" && id !== NONE) {
            const data = bytes(len, k + 1);
            s.setData(id, data);
            model.set(path, data);
          } else if (op === "freeze") {
            const image = s.freeze();
            frozen = { image, paths: picture(image) };
          }
          const st = s.slabStats();
          assert.ok(st.used <= 2 * st.live + 2000, `slabs: used ${st.used}, live ${st.live}`);
        }
        assert.equal(s.size, model.size + 1);
        for (const [path, data] of model) {
          assert.deepEqual(s.data(s.lookup(root, path)), data, path);
        }
        const kids = [...model.keys()].filter((p) => p.lastIndexOf("/") === 0).sort();
        assert.deepEqual(s.childNames(root).map((n) => `/${n}`).sort(), kids);
        if (frozen) assert.deepEqual(picture(frozen.image), frozen.paths, "the frozen copy moved");
      },
    ),
    { numRuns: 150 },
  );
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
        { maxLength: 400, size: "max" },
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
