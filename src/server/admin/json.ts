// JSON as ZooKeeper's AdminServer prints it (Jackson's ObjectMapper with
// INDENT_OUTPUT): `"key" : value`, two-space object indents, arrays inline
// (`[ 1, 2 ]`, `[ {` ... `} ]`), empty containers as `{ }` and `[ ]`, longs
// printed exactly (session ids above 2^53 are bare integers), doubles as Java's
// Double.toString. Pure.

/** A value Jackson prints as a Java double (`0.0`, `2.2`, `1.0E7`) even when integral. */
export class JDouble {
  constructor(readonly value: number) {}
}

/** Wraps a number so it prints as a double. */
export function double(x: number): JDouble {
  return new JDouble(x);
}

/**
 * What the printer takes. Numbers print as longs when they are safe integers
 * and as doubles otherwise; bigints as longs; Maps keep insertion order for any key (plain
 * objects reorder integer-like keys, so maps keyed by ids or times use Map).
 */
export type JValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | JDouble
  | JValue[]
  | Map<string, JValue>
  | { [key: string]: JValue };

/** Java's Double.toString for finite values; NaN/Infinity as Java spells them. */
export function javaDoubleString(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes(".") ? s : s + ".0";
  }
  // Computerized scientific notation: one digit, a point, at least one digit, E, exponent.
  const [mant, exp] = x.toExponential().split("e");
  return (mant.includes(".") ? mant : mant + ".0") + "E" + Number(exp);
}

// Jackson escapes '"', '\\' and control characters (short forms where JSON has them).
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
};

/** A JSON string literal with Jackson's escaping (non-ASCII stays as is). */
export function jsonString(s: string): string {
  return '"' +
    s.replace(
      // deno-lint-ignore no-control-regex
      /["\\\x00-\x1f]/g,
      (c) =>
        SHORT_ESCAPES[c] ?? "\\u" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0"),
    ) +
    '"';
}

function entriesOf(v: Map<string, JValue> | { [key: string]: JValue }): [string, JValue][] {
  return v instanceof Map ? [...v] : Object.entries(v);
}

function write(v: JValue, level: number): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "string":
      return jsonString(v);
    case "bigint":
      return v.toString();
    case "number":
      // Beyond 2^53 a number is not an exact long: Jackson would have had a double.
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
      return javaDoubleString(v);
  }
  if (v instanceof JDouble) return javaDoubleString(v.value);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[ ]";
    return "[ " + v.map((e) => write(e, level)).join(", ") + " ]";
  }
  const entries = entriesOf(v);
  if (entries.length === 0) return "{ }";
  const pad = "  ".repeat(level + 1);
  const body = entries.map(([k, e]) => `${pad}${jsonString(k)} : ${write(e, level + 1)}`);
  return "{\n" + body.join(",\n") + "\n" + "  ".repeat(level) + "}";
}

/** Prints a value as Jackson's pretty printer does (no trailing newline). */
export function toJacksonJson(v: JValue): string {
  return write(v, 0);
}
