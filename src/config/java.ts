// Java number parsing and HashMap iteration order, so zkt reads and prints what
// ZooKeeper (a Java program) reads and prints.

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Integer.parseInt: optional sign, decimal digits, no blanks; undefined when Java would throw. */
export function javaParseInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= INT_MIN && n <= INT_MAX ? n : undefined;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Long.parseLong(s, radix) for radix 10 or 16; undefined when Java would throw. */
export function javaParseLong(s: string, radix: 10 | 16 = 10): bigint | undefined {
  const re = radix === 10 ? /^([+-]?)([0-9]+)$/ : /^([+-]?)([0-9a-fA-F]+)$/;
  const m = re.exec(s);
  if (!m) return undefined;
  const mag = BigInt((radix === 16 ? "0x" : "") + m[2]);
  const v = m[1] === "-" ? -mag : mag;
  return v >= LONG_MIN && v <= LONG_MAX ? v : undefined;
}

/** Long.toHexString: the unsigned 64-bit hex form of a long. */
export function javaLongToHex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** HashMap's bucket index for a java.lang.Long key in a table of `cap` buckets. */
function longBucket(id: number, cap: number): number {
  const v = BigInt.asUintN(64, BigInt(id));
  const h = Number(BigInt.asIntN(32, (v ^ (v >> 32n)) & 0xffffffffn)) | 0;
  return (h ^ (h >>> 16)) & (cap - 1);
}

/**
 * The order in which a java.util.HashMap<Long, ?> filled with `ids` iterates.
 * ZooKeeper prints quorum configs by iterating such maps, so /zookeeper/config
 * text depends on it. Ids that share a bucket keep the order given (ZooKeeper
 * inserts them in Properties order, which we approximate by the order given).
 */
export function javaHashMapOrder(ids: Iterable<number>): number[] {
  const list = [...ids];
  let cap = 16;
  while (list.length > cap * 0.75) cap *= 2;
  return list
    .map((id, i) => ({ id, i, b: longBucket(id, cap) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.id);
}
