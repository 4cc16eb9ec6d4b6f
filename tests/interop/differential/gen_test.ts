import assert from "node:assert/strict";
import { generate, SLOTS } from "./gen.ts";

Deno.test("the op generator is a pure function of its seed", () => {
  assert.deepEqual(generate(42, 500), generate(42, 500));
  assert.notDeepEqual(generate(42, 500), generate(43, 500));
});

Deno.test("generated sequences only use open session slots and keep one open", () => {
  const open = Array.from({ length: SLOTS }, () => true);
  for (const op of generate(7, 5000)) {
    if (op.k === "open") {
      assert.equal(open[op.s], false);
      open[op.s] = true;
    } else {
      assert.equal(open[op.s], true, `op on closed slot ${op.s}`);
      if (op.k === "close") open[op.s] = false;
    }
    assert.ok(open.some((o) => o));
  }
});

Deno.test("generated sequences cover every op kind", () => {
  const kinds = new Set(generate(1, 3000).map((o) => o.k));
  for (
    const k of [
      "create",
      "createTTL",
      "delete",
      "setData",
      "exists",
      "getData",
      "getChildren",
      "getChildren2",
      "getACL",
      "setACL",
      "check",
      "multi",
      "multiRead",
      "getAllChildrenNumber",
      "getEphemerals",
      "sync",
      "addWatch",
      "removeWatches",
      "addAuth",
      "whoAmI",
      "close",
      "open",
    ]
  ) assert.ok(kinds.has(k as never), `no ${k}`);
});
