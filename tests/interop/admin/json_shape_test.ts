// The shape comparison the interop test relies on tells longs from doubles,
// sees key order and missing keys, and compares data-keyed maps by entries.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { shapeDiff, shapeOf } from "./json_shape.ts";

Deno.test("shapeDiff: 2 vs 2.0, renamed or reordered keys, and nested arrays differ", () => {
  assertEquals(shapeDiff(shapeOf('{"a":2}'), shapeOf('{"a":2.0}')), [".a: long vs double"]);
  assertEquals(shapeDiff(shapeOf('{"a":1,"b":1}'), shapeOf('{"b":1,"a":1}')).length, 1);
  assertEquals(shapeDiff(shapeOf('{"a":[{"x":1}]}'), shapeOf('{"a":[{"y":1}]}')).length, 1);
  assertEquals(shapeDiff(shapeOf('{"a":[]}'), shapeOf('{"a":[{"y":1}]}')), []);
});

Deno.test("shapeDiff: maps keyed by data compare entry counts and value shapes only", () => {
  const keyed = new Set([".m"]);
  assertEquals(shapeDiff(shapeOf('{"m":{"123":[1]}}'), shapeOf('{"m":{"456":[2]}}'), keyed), []);
  assertEquals(shapeDiff(shapeOf('{"m":{"1":[1]}}'), shapeOf('{"m":{}}'), keyed).length, 1);
  assertEquals(
    shapeDiff(shapeOf('{"m":{"1":[1]}}'), shapeOf('{"m":{"2":["x"]}}'), keyed).length,
    1,
  );
});
