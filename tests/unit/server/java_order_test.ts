// Child lists and ephemerals come out in Java HashSet order (golden lines
// printed by Java 17 for the same insertions).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  cloneCapacity,
  copyCapacity,
  grownCapacity,
  javaHashSetOrder,
} from "../../../src/server/java_order.ts";

Deno.test("a DataNode's children iterate as Java's HashSet<String>(8) after adds and removes", () => {
  const set = new Set<string>();
  let cap = 8;
  const add = (s: string) => {
    set.add(s);
    cap = grownCapacity(set.size, cap);
  };
  for (let i = 0; i < 20; i++) add(`node-${(i * 7919) % 1000}`);
  for (const s of ["zookeeper", "a", "b"]) add(s);
  for (let i = 0; i < 10; i++) set.delete(`node-${(i * 7919) % 1000}`);
  assertEquals(
    javaHashSetOrder(set, cap).join(","),
    "a,b,node-190,zookeeper,node-704,node-947,node-109,node-623,node-866,node-28,node-542,node-785,node-461",
  );
});

Deno.test("a copied HashSet (getEphemerals) iterates by the copy's table size", () => {
  const items = Array.from({ length: 30 }, (_, i) => `/app/lock-${String(i).padStart(10, "0")}`);
  const source = javaHashSetOrder(items, grownCapacity(items.length, 16));
  const order = javaHashSetOrder(source, copyCapacity(items.length));
  const java = [
    7,
    29,
    8,
    9,
    3,
    25,
    4,
    26,
    5,
    27,
    6,
    28,
    21,
    0,
    22,
    1,
    23,
    2,
    24,
    20,
    18,
    19,
    14,
    15,
    16,
    17,
    10,
    11,
    12,
    13,
  ];
  assertEquals(order, java.map((i) => items[i]));
});

Deno.test("a cloned HashSet (DataTree.getEphemerals) is sized without the 16 minimum", () => {
  // Java 17: s = new HashSet<>(); add "/c/g0000000004", "/c0000000010"; s.clone()
  assertEquals(
    javaHashSetOrder(javaHashSetOrder(["/c/g0000000004", "/c0000000010"], 16), cloneCapacity(2)),
    ["/c0000000010", "/c/g0000000004"],
  );
  // Java 17: 11 adds of "/x/n" + i*37 into new HashSet<>(), then clone().
  const items = Array.from({ length: 11 }, (_, i) => `/x/n${i * 37}`);
  const source = javaHashSetOrder(items, grownCapacity(items.length, 16));
  assertEquals(
    javaHashSetOrder(source, cloneCapacity(items.length)).join(","),
    "/x/n74,/x/n296,/x/n0,/x/n185,/x/n370,/x/n333,/x/n37,/x/n222,/x/n111,/x/n259,/x/n148",
  );
  assertEquals([1, 2, 3, 12, 13].map(cloneCapacity), [2, 4, 8, 32, 32]);
});
