// The shape of a JSON reply: keys (in order) and value types, with longs and
// doubles told apart by how they are written ("2" vs "2.0"), to compare zkt's
// AdminServer with Apache ZooKeeper's for the same state.

/** A value's shape. */
export type Shape =
  | "long"
  | "double"
  | "string"
  | "boolean"
  | "null"
  | { array: Shape | null }
  | { object: [string, Shape][] };

class Num {
  constructor(readonly kind: "long" | "double") {}
}

function shapeOfValue(v: unknown): Shape {
  if (v instanceof Num) return v.kind;
  if (v === null) return "null";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (Array.isArray(v)) return { array: v.length === 0 ? null : shapeOfValue(v[0]) };
  return {
    object: Object.entries(v as Record<string, unknown>).map(([k, e]) => [k, shapeOfValue(e)]),
  };
}

/** Parses JSON text into its shape. */
export function shapeOf(text: string): Shape {
  return shapeOfValue(JSON.parse(
    text,
    (_k, v, ctx?: { source?: string }) =>
      typeof v === "number" ? new Num(/[.eE]/.test(ctx?.source ?? "") ? "double" : "long") : v,
  ));
}

function show(s: Shape): string {
  if (typeof s === "string") return s;
  if ("array" in s) return `[${s.array === null ? "" : show(s.array)}]`;
  return "{" + s.object.map(([k]) => k).join(",") + "}";
}

/**
 * Differences between two shapes (empty when they match). Objects at the
 * paths in `dataKeyed` are maps keyed by data (session ids, paths, times):
 * there the number of keys and the shape of each value must match, not the
 * keys themselves. An empty array matches any array.
 */
/** Objects 3.8 serializes from a bean's getters (ServerStats): key order varies between runs. */
const BEAN_ORDER = new Set([".server_stats", ".server_stats.client_response_stats"]);

export function shapeDiff(
  a: Shape,
  b: Shape,
  dataKeyed: ReadonlySet<string> = new Set(),
  path = "",
): string[] {
  const at = path || "(top)";
  if (typeof a === "string" || typeof b === "string") {
    return a === b ? [] : [`${at}: ${show(a)} vs ${show(b)}`];
  }
  if ("array" in a || "array" in b) {
    if (!("array" in a) || !("array" in b)) return [`${at}: ${show(a)} vs ${show(b)}`];
    if (a.array === null || b.array === null) return [];
    return shapeDiff(a.array, b.array, dataKeyed, path + "[]");
  }
  if (dataKeyed.has(path)) {
    if (a.object.length !== b.object.length) {
      return [`${at}: ${a.object.length} entries vs ${b.object.length}`];
    }
    return a.object.flatMap(([, s], i) => shapeDiff(s, b.object[i][1], dataKeyed, path + ".*"));
  }
  const ka = a.object.map(([k]) => k);
  const kb = b.object.map(([k]) => k);
  if (BEAN_ORDER.has(path)) {
    // Jackson lists a bean's getters in reflection order, which the JVM does
    // not fix: the same 3.8 build prints these keys in different orders.
    ka.sort();
    kb.sort();
  }
  if (ka.join(",") !== kb.join(",")) return [`${at}: keys ${ka.join(",")} vs ${kb.join(",")}`];
  const bs = new Map(b.object);
  return a.object.flatMap(([k, s]) => shapeDiff(s, bs.get(k)!, dataKeyed, `${path}.${k}`));
}
