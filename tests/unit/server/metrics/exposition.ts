// A strict reader of Prometheus' text exposition format 0.0.4, written from
// the format's rules (not from our printer), to check what /metrics serves:
// line grammar, metric and label names, label value escapes, float values,
// one HELP/TYPE per family before its samples, samples of a family together,
// summaries as name{quantile=...}, name_sum, name_count.

/** One parsed sample. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed family. */
export interface ParsedFamily {
  name: string;
  type: string;
  help?: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(s: string, line: number): number {
  if (s === "NaN") return NaN;
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    throw new Error(`line ${line}: not a float value: ${JSON.stringify(s)}`);
  }
  return Number(s);
}

/** Parses `{a="x",b="y",}` starting at s[i] === "{"; returns labels and the index after "}". */
function parseLabels(s: string, i: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++; // {
  for (;;) {
    if (s[i] === "}") return [labels, i + 1];
    const m = s.slice(i).match(/^([^=\s]+)="/);
    if (!m) throw new Error(`line ${line}: bad label at ${JSON.stringify(s.slice(i, i + 20))}`);
    const name = m[1];
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${name}`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    i += m[0].length;
    let v = "";
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === "\\") {
        const n = s[i + 1];
        if (n === "\\") v += "\\";
        else if (n === '"') v += '"';
        else if (n === "n") v += "\n";
        else throw new Error(`line ${line}: bad escape \\${n} in label value`);
        i += 2;
        continue;
      }
      v += c;
      i++;
    }
    labels[name] = v;
    i++; // closing quote
    if (s[i] === ",") i++;
    else if (s[i] !== "}") throw new Error(`line ${line}: expected , or } after label ${name}`);
  }
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ["_sum", "_count", "_bucket"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const t = types.get(base);
      if (t === "summary" || t === "histogram") return base;
    }
  }
  return name;
}

/** Parses a whole exposition; throws naming the line on the first violation. */
export function parseExposition(text: string): ParsedFamily[] {
  if (text !== "" && !text.endsWith("\n")) {
    throw new Error("the exposition must end with a newline");
  }
  const families = new Map<string, ParsedFamily>();
  const types = new Map<string, string>();
  const closed = new Set<string>();
  let current: string | null = null;
  const lines = text.split("\n");
  lines.pop();
  const enter = (name: string, line: number) => {
    if (current !== name) {
      if (closed.has(name)) throw new Error(`line ${line}: family ${name} is not contiguous`);
      if (current !== null) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) families.set(name, f = { name, type: "untyped", samples: [] });
    return f;
  };
  lines.forEach((l, idx) => {
    const line = idx + 1;
    if (l.trim() === "") return;
    if (l.startsWith("#")) {
      const m = l.match(/^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ""] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      const f = enter(name, line);
      if (kind === "TYPE") {
        if (types.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
        if (f.samples.length > 0) {
          throw new Error(`line ${line}: TYPE for ${name} after its samples`);
        }
        if (!TYPES.has(rest.trim())) throw new Error(`line ${line}: unknown type ${rest}`);
        types.set(name, rest.trim());
        f.type = rest.trim();
      } else {
        if (f.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) {
          throw new Error(`line ${line}: bad escape in HELP`);
        }
        f.help = rest;
      }
      return;
    }
    const nm = l.match(/^([^\s{]+)/);
    if (!nm || !METRIC_NAME.test(nm[1])) throw new Error(`line ${line}: bad sample line ${l}`);
    const name = nm[1];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (l[i] === "{") [labels, i] = parseLabels(l, i, line);
    const rest = l.slice(i);
    const vm = rest.match(/^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/);
    if (!vm) throw new Error(`line ${line}: expected a value after ${name}`);
    const value = parseValue(vm[1], line);
    const fam = enter(familyOf(name, types), line);
    if (fam.type === "summary") {
      if (name === fam.name && !("quantile" in labels)) {
        throw new Error(`line ${line}: summary sample ${name} without a quantile label`);
      }
      if ("quantile" in labels) parseValue(labels.quantile, line);
      if (name.endsWith("_count") && !(value >= 0)) {
        throw new Error(`line ${line}: negative count`);
      }
    }
    if (fam.type === "counter" && !(value >= 0)) {
      throw new Error(`line ${line}: counter ${name} is negative or NaN`);
    }
    fam.samples.push({ name, labels, value });
  });
  return [...families.values()];
}
