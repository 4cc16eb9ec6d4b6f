// Java HashSet<String> iteration order, so child lists and a closing session's
// ephemerals come out in the order ZooKeeper 3.8 sends them: buckets in index
// order (hash ^ hash >>> 16, masked by the table size), insertion order inside
// a bucket (a resize splits buckets without reordering them).
import { javaStringHash } from "../config/java.ts";

/** The table size a HashSet reaches after holding `size` elements, from `initial` (a power of two). */
export function grownCapacity(size: number, initial: number): number {
  let cap = initial;
  while (size > cap * 0.75) cap *= 2;
  return cap;
}

/**
 * The table size of `set.clone()` for a set of n elements (HashMap.clone
 * pre-sizes to tableSizeFor(n / 0.75 + 1), with no minimum of 16).
 */
export function cloneCapacity(n: number): number {
  const want = Math.floor(Math.fround(Math.fround(n / 0.75) + 1));
  let cap = 1;
  while (cap < want) cap *= 2;
  return cap;
}

/** The table size of `new HashSet<>(collection of size n)`. */
export function copyCapacity(n: number): number {
  const want = Math.max(Math.floor(n / 0.75) + 1, 16);
  let cap = 1;
  while (cap < want) cap *= 2;
  return cap;
}

function bucket(s: string, cap: number): number {
  const h = javaStringHash(s);
  return (h ^ (h >>> 16)) & (cap - 1);
}

/** Elements (in insertion order) in the order a HashSet with table size `cap` iterates them. */
export function javaHashSetOrder(items: Iterable<string>, cap: number): string[] {
  return [...items]
    .map((s, i) => ({ s, i, b: bucket(s, cap) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.s);
}
