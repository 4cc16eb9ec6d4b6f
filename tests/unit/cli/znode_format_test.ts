import assert from "node:assert/strict";
import fc from "fast-check";
import { hex, znodeJsonLine } from "../../../src/cli/znode_format.ts";
import { nodeKind } from "../../../src/data/node_kind.ts";

const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

Deno.test("znodeJsonLine is one valid JSON line with every field of the znode", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 30 }).map((s) => "/" + s),
      fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
      fc.record({
        czxid: long,
        mzxid: long,
        pzxid: long,
        ctime: fc.integer({ min: 0, max: 2 ** 50 }),
        mtime: fc.integer({ min: 0, max: 2 ** 50 }),
        version: int,
        cversion: int,
        aversion: int,
        ephemeralOwner: long,
      }),
      fc.bigInt({ min: -1n, max: 1n << 40n }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.boolean(),
      (path, data, stat, acl, numChildren, withData) => {
        const line = znodeJsonLine({ path, data, acl, stat, numChildren }, withData);
        assert.ok(line.endsWith("}\n") && !line.slice(0, -1).includes("\n"));
        const o = JSON.parse(line);
        assert.equal(o.type, "znode");
        assert.equal(o.path, path);
        assert.deepEqual(
          [o.czxid, o.mzxid, o.pzxid, o.ephemeralOwner],
          [hex(stat.czxid), hex(stat.mzxid), hex(stat.pzxid), hex(stat.ephemeralOwner)],
        );
        assert.deepEqual(
          [o.ctime, o.mtime, o.version, o.cversion, o.aversion],
          [stat.ctime, stat.mtime, stat.version, stat.cversion, stat.aversion],
        );
        assert.equal(o.kind, nodeKind(stat.ephemeralOwner, true));
        assert.equal(o.dataLength, data?.length ?? 0);
        assert.equal(o.acl, acl.toString());
        assert.equal(o.numChildren, numChildren);
        assert.equal("data" in o, withData);
        if (withData && data === null) assert.equal(o.data, null);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("hex prints ids and zxids unsigned, negative ones as their 64-bit pattern", () => {
  assert.equal(hex(0n), "0x0");
  assert.equal(hex(0x1000000ffn), "0x1000000ff");
  assert.equal(hex(-1n), "0xffffffffffffffff");
  assert.equal(hex(-0x8000000000000000n), "0x8000000000000000");
  assert.equal(hex(255), "0xff");
});
