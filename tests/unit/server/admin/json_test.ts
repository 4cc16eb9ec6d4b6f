// The AdminServer's JSON printer: Jackson's INDENT_OUTPUT layout, exact longs,
// Java doubles; and the exact-integer parser `zkt conns --admin` reads it with
// (src/inspect/json_exact.ts).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import {
  double,
  javaDoubleString,
  jsonString,
  type JValue,
  toJacksonJson,
} from "../../../../src/server/admin/json.ts";
import { parseJsonExact } from "../../../../src/inspect/json_exact.ts";

Deno.test("Jackson layout: nested objects indent by two, arrays inline, empty containers spaced", () => {
  const v = new Map<string, JValue>([
    ["connections", [new Map<string, JValue>([["a", 1], ["b", "x"]])]],
    ["secure_connections", []],
    ["current_config", {}],
    ["expiry_time_to_session_ids", new Map([["2882000", [72057782214590464n]]])],
    ["command", "dump"],
    ["error", null],
  ]);
  assertEquals(
    toJacksonJson(v),
    `{
  "connections" : [ {
    "a" : 1,
    "b" : "x"
  } ],
  "secure_connections" : [ ],
  "current_config" : { },
  "expiry_time_to_session_ids" : {
    "2882000" : [ 72057782214590464 ]
  },
  "command" : "dump",
  "error" : null
}`,
  );
});

Deno.test("Map keys keep insertion order even when integer-like (plain objects would reorder)", () => {
  const m = new Map<string, JValue>([["9", 1], ["1", 2]]);
  assertEquals(toJacksonJson(m), '{\n  "9" : 1,\n  "1" : 2\n}');
});

Deno.test("session ids above 2^53 print exactly, as Jackson prints Java longs", () => {
  assertEquals(toJacksonJson([72057782214590464n, -1n]), "[ 72057782214590464, -1 ]");
  assertEquals(parseJsonExact("[ 72057782214590464, 7, 2.5 ]"), [72057782214590464n, 7, 2.5]);
});

Deno.test("doubles print as Java's Double.toString", () => {
  const cases: [number, string][] = [
    [0, "0.0"],
    [2.2, "2.2"],
    [5, "5.0"],
    [0.001, "0.001"],
    [0.0001, "1.0E-4"],
    [1.5e-5, "1.5E-5"],
    [9999999, "9999999.0"],
    [1e7, "1.0E7"],
    [12345678.9, "1.23456789E7"],
    [-3, "-3.0"],
    [NaN, "NaN"],
  ];
  for (const [x, s] of cases) assertEquals(javaDoubleString(x), s, String(x));
  assertEquals(
    toJacksonJson({ avg_latency: double(0), b: 2.5 }),
    '{\n  "avg_latency" : 0.0,\n  "b" : 2.5\n}',
  );
});

Deno.test("strings escape quotes, backslashes and control characters as Jackson does", () => {
  assertEquals(jsonString('a"b\\c\nd\te\u0001é'), '"a\\"b\\\\c\\nd\\te\\u0001é"');
});

const jvalue: fc.Arbitrary<JValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.string(),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value as fc.Arbitrary<JValue>;

/** What the reader gives back: bigints within 2^53 as numbers, beyond it as bigints. */
function normal(v: JValue): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(normal);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, normal(e as JValue)]));
  }
  return v;
}

Deno.test("property: printed JSON parses back to the same value (standard JSON, exact longs)", () => {
  fc.assert(
    fc.property(jvalue, (v) => {
      assertEquals(parseJsonExact(toJacksonJson(v)), normal(v));
    }),
    { numRuns: 500 },
  );
});
