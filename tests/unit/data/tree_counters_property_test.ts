// Property: mntr's zk_approximate_data_size (3.8: path lengths plus data
// lengths of every znode) and zk_ephemerals_count, which the tree keeps as it
// changes so mntr never walks 200k znodes, always equal a full walk of the
// tree: after creates, deletes (a parent with children too, as a fuzzy replay
// does), data changes, quota stats rewritten behind the tree's back, snapshot
// loads over existing nodes and session kills.
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataTree } from "../../../src/data/tree.ts";

const PATHS = ["/a", "/b", "/a/x", "/a/yy", "/b/z", "/a/x/q", "/zookeeper/quota/a"];
const QUOTA = ["/zookeeper/quota/a/zookeeper_limits", "/zookeeper/quota/a/zookeeper_stats"];
const OWNERS = [0n, 0x10n, 0x20n];

type Op =
  | { op: "create"; path: string; data: Uint8Array | null; owner: bigint }
  | { op: "delete"; path: string }
  | { op: "set"; path: string; data: Uint8Array | null }
  | { op: "load"; path: string; data: Uint8Array | null; owner: bigint }
  | { op: "kill"; owner: bigint; named: boolean };

const data = fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null });
const anyPath = fc.constantFrom(...PATHS, ...QUOTA);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("create" as const),
    path: anyPath,
    data,
    owner: fc.constantFrom(...OWNERS),
  }),
  fc.record({ op: fc.constant("delete" as const), path: anyPath }),
  fc.record({ op: fc.constant("set" as const), path: anyPath, data }),
  fc.record({
    op: fc.constant("load" as const),
    path: anyPath,
    data,
    owner: fc.constantFrom(...OWNERS),
  }),
  fc.record({
    op: fc.constant("kill" as const),
    owner: fc.constantFrom(...OWNERS),
    named: fc.boolean(),
  }),
);

/** 3.8's definition: key length + data length of every node, plus the root's "/" alias key. */
function walkedSize(t: DataTree): number {
  let n = 1;
  for (const [p, node] of t.walk()) n += p.length + (node.data?.length ?? 0);
  return n;
}

Deno.test("a fresh tree's approximate data size is a fresh ZooKeeper 3.8's: 44", () => {
  // "", "/zookeeper", "/zookeeper/quota", "/zookeeper/config" and the root's
  // alias "/" (3.8 keys the root under both): 0 + 10 + 16 + 17 + 1, no data.
  assert.equal(new DataTree().approximateDataSize(), 44);
});

function walkedEphemerals(t: DataTree): number {
  let n = 0;
  for (const set of t.ephemerals.values()) n += set.size;
  return n;
}

Deno.test("approximate data size and ephemerals count stay equal to a full walk after random ops", () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
      const t = new DataTree();
      let zxid = 1n;
      for (const o of ops) {
        zxid++;
        switch (o.op) {
          case "create":
            t.createNode(o.path, o.data, null, o.owner, -1, zxid, 1000);
            break;
          case "delete":
            // Deletes with children left too: a replay over a fuzzy snapshot does.
            t.deleteNode(o.path, zxid);
            break;
          case "set":
            t.setData(o.path, o.data, 1, zxid, 1000);
            break;
          case "load": {
            const parent = o.path.substring(0, o.path.lastIndexOf("/")) || "/";
            if (!t.has(parent)) break;
            const stat = t.get(o.path)?.stat ?? t.get("/")!.stat;
            t.loadNode(o.path, o.data, -1n, { ...stat, ephemeralOwner: o.owner });
            break;
          }
          case "kill": {
            const owned = [...(t.ephemerals.get(o.owner) ?? [])];
            t.killSession(o.owner, zxid, o.named ? owned.slice(0, 1) : null);
            break;
          }
        }
        assert.equal(t.approximateDataSize(), walkedSize(t));
        assert.equal(t.ephemeralCount, walkedEphemerals(t));
      }
    }),
    { numRuns: 300 },
  );
});
