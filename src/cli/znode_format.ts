// How zkt prints znodes, ACLs, sessions and zxids for people and as JSON Lines;
// shared by `snap dump` and `data replay` so both print a tree the same way.
import type { ACL, StatPersisted } from "../jute/data.ts";
import { UsageError } from "../errors.ts";
import { nodeKind, TOOLS_EXTENDED_TYPES, ttlOf } from "../data/node_kind.ts";

/** A zxid or session id as ZooKeeper operators read it: 0x… (unsigned hex). */
export function hex(v: bigint | number): string {
  if (typeof v === "bigint" && v >= 0n) return "0x" + v.toString(16); // the common case, cheaply
  return "0x" + BigInt.asUintN(64, BigInt(v)).toString(16);
}

/** Parses a zxid or id given as 0x-hex or decimal; null when malformed. */
export function parseId(s: string): bigint | null {
  const t = s.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return null;
  const v = BigInt(t.toLowerCase());
  return v >= 1n << 64n ? null : BigInt.asIntN(64, v);
}

/** A --NAME flag's zxid or id (0x-hex or decimal): undefined when absent, UsageError when malformed. */
export function zxidFlag(name: string, v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const z = parseId(v);
  if (z === null) throw new UsageError(`--${name} ${v}: expected a zxid (0x-hex or decimal)`);
  return z;
}

const PERM_LETTERS: [number, string][] = [[4, "c"], [8, "d"], [1, "r"], [2, "w"], [16, "a"]];

/** Perms as zkCli prints them (cdrwa). */
export function permString(perms: number): string {
  return PERM_LETTERS.filter(([bit]) => perms & bit).map(([, l]) => l).join("") || "-";
}

/** One ACL list as "scheme:id:perms, …". */
export function aclString(acls: readonly ACL[]): string {
  return acls.map((a) => `${a.id.scheme}:${a.id.id}:${permString(a.perms)}`).join(", ");
}

/** ACLs as JSON objects. */
export function aclJson(acls: readonly ACL[]): unknown[] {
  return acls.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id }));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Data as text when it is printable UTF-8, else base64. */
export function dataText(
  data: Uint8Array | null,
): { encoding: "utf8" | "base64" | "null"; text: string } {
  if (data === null) return { encoding: "null", text: "" };
  try {
    const s = strictUtf8.decode(data);
    // deno-lint-ignore no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)) {
      return { encoding: "utf8", text: s };
    }
  } catch { /* not UTF-8 */ }
  return { encoding: "base64", text: base64(data) };
}

/** Standard base64 of bytes. */
export function base64(data: Uint8Array): string {
  let s = "";
  for (let i = 0; i < data.length; i += 0x8000) {
    s += String.fromCharCode(...data.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

// Nodes written together share times, so the last formatting is reused.
let lastTime = NaN;
let lastTimeText = "";

function time(ms: bigint | number): string {
  const n = Number(ms);
  if (n === lastTime) return lastTimeText;
  const d = new Date(n);
  lastTime = n;
  lastTimeText = Number.isNaN(d.getTime()) ? String(n) : d.toISOString();
  return lastTimeText;
}

/** A one-word kind for an ephemeralOwner, with the TTL when there is one. */
export function kindLabel(owner: bigint): string {
  const k = nodeKind(owner, TOOLS_EXTENDED_TYPES);
  return k === "ttl" ? `ttl ${ttlOf(owner)} ms` : k;
}

/** What is printed for one znode. */
export interface ZnodeView {
  path: string;
  data: Uint8Array | null;
  acl: bigint;
  stat: StatPersisted;
  /** Known only when the whole tree is in memory (replay). */
  numChildren?: number;
}

/** A znode for people: the fields SnapshotFormatter prints, plus kind and ACL. */
export function znodeText(
  n: ZnodeView,
  acls: readonly ACL[] | undefined,
  withData: boolean,
): string {
  const s = n.stat;
  const lines = [
    n.path === "" ? "/" : n.path,
    `  cZxid = ${hex(s.czxid)}`,
    `  ctime = ${time(s.ctime)}`,
    `  mZxid = ${hex(s.mzxid)}`,
    `  mtime = ${time(s.mtime)}`,
    `  pZxid = ${hex(s.pzxid)}`,
    `  cversion = ${s.cversion}`,
    `  dataVersion = ${s.version}`,
    `  aclVersion = ${s.aversion}`,
    `  ephemeralOwner = ${hex(s.ephemeralOwner)} (${kindLabel(s.ephemeralOwner)})`,
    `  dataLength = ${n.data?.length ?? 0}`,
  ];
  if (n.numChildren !== undefined) lines.push(`  numChildren = ${n.numChildren}`);
  lines.push(`  acl = ${acls ? aclString(acls) : `unknown reference ${n.acl}`}`);
  if (withData) {
    const d = dataText(n.data);
    lines.push(`  data = ${d.encoding === "base64" ? `base64:${d.text}` : JSON.stringify(d.text)}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * A znode as one JSON Lines record (bigints as 0x-hex strings, times in ms),
 * written out by hand: dumps print millions of these.
 */
export function znodeJsonLine(n: ZnodeView, withData: boolean): string {
  const s = n.stat;
  let line = `{"type":"znode","path":${JSON.stringify(n.path === "" ? "/" : n.path)},` +
    `"czxid":"${hex(s.czxid)}","ctime":${Number(s.ctime)},"mzxid":"${hex(s.mzxid)}",` +
    `"mtime":${Number(s.mtime)},"pzxid":"${hex(s.pzxid)}","cversion":${s.cversion},` +
    `"version":${s.version},"aversion":${s.aversion},` +
    `"ephemeralOwner":"${hex(s.ephemeralOwner)}","kind":"${
      nodeKind(s.ephemeralOwner, TOOLS_EXTENDED_TYPES)
    }",` +
    `"dataLength":${n.data?.length ?? 0},"acl":"${n.acl}"`;
  if (n.numChildren !== undefined) line += `,"numChildren":${n.numChildren}`;
  if (withData) {
    const d = dataText(n.data);
    line += `,"data":${d.encoding === "null" ? "null" : JSON.stringify(d.text)}` +
      `,"dataEncoding":"${d.encoding}"`;
  }
  return line + "}\n";
}

/** True when a path is the prefix itself or below it. */
export function underPrefix(path: string, prefix: string | undefined): boolean {
  if (prefix === undefined || prefix === "/" || prefix === "") return true;
  const p = path === "" ? "/" : path;
  const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return p === base || p.startsWith(base + "/");
}

/** Writes progress on stderr when it is a terminal, at most a few times a second. */
export class Progress {
  private last = 0;
  private shown = false;
  constructor(private readonly enabled: boolean, private readonly label: string) {}

  /** Reports n items done. */
  tick(n: number, extra = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    this.shown = true;
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${this.label}: ${n} ${extra}\x1b[K`));
  }

  /** Clears the progress line. */
  done(): void {
    if (this.shown) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
  }
}

/** Whether to show progress: stderr is a terminal. */
export function progressWanted(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}
