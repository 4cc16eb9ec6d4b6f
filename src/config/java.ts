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

/** String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order in which java.util.Properties (a ConcurrentHashMap since Java 9)
 * iterates keys loaded in `keys` order: bins in index order, appends at a bin's
 * tail, and the resize split that reverses the nodes before a bin's last run.
 * ZooKeeper walks its config in this order, so it decides which error it reports
 * first and the order of servers that share a HashMap bucket. (Bins of 8+ keys
 * would become trees in Java; zoo.cfg files never get near that.)
 */
export function javaPropertiesOrder(keys: Iterable<string>): string[] {
  return javaConcurrentHashMapOrder(keys, (k) => k, javaStringHash);
}

/**
 * The iteration order of a ConcurrentHashMap (or its key set) after inserting
 * `items` in order; `key` decides equality (a repeated key keeps its first place)
 * and `hashCode` is the Java hashCode of the item.
 */
export function javaConcurrentHashMapOrder<T>(
  items: Iterable<T>,
  key: (item: T) => string,
  hashCode: (item: T) => number,
): T[] {
  type Entry = { item: T; hash: number };
  const spread = (h: number) => (h ^ (h >>> 16)) & 0x7fffffff;
  let n = 16;
  let table: Entry[][] = Array.from({ length: n }, () => []);
  let size = 0;
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    const hash = spread(hashCode(item));
    table[hash & (n - 1)].push({ item, hash });
    size++;
    if (size >= n - (n >>> 2)) {
      const next: Entry[][] = Array.from({ length: 2 * n }, () => []);
      for (let i = 0; i < n; i++) {
        const bin = table[i];
        if (bin.length === 0) continue;
        let last = 0;
        for (let j = 1; j < bin.length; j++) {
          if ((bin[j].hash & n) !== (bin[last].hash & n)) last = j;
        }
        const lo: Entry[] = [];
        const hi: Entry[] = [];
        const runBitHigh = (bin[last].hash & n) !== 0;
        (runBitHigh ? hi : lo).push(...bin.slice(last));
        for (let j = 0; j < last; j++) ((bin[j].hash & n) === 0 ? lo : hi).unshift(bin[j]);
        next[i] = lo;
        next[i + n] = hi;
      }
      table = next;
      n *= 2;
    }
  }
  return table.flat().map((e) => e.item);
}
