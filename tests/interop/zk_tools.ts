// Runs Apache ZooKeeper's own file tools (SnapshotFormatter, TxnLogToolkit) and
// parses what they print, so tests can compare zkt's reading field by field.
import assert from "node:assert/strict";
import { txnPaths } from "../../src/cli/txn_format.ts";
import { base64 } from "../../src/cli/znode_format.ts";
import { OpCode, opName } from "../../src/jute/constants.ts";
import { readSnapshot, type SnapEntry } from "../../src/persistence/snapshot.ts";
import type { Txn } from "../../src/jute/txn_body.ts";
import { type LogTxn, readTxnLog } from "../../src/persistence/txnlog.ts";
import { ZK_CLASSPATH } from "../support/interop.ts";

/** Runs a ZooKeeper class's main() and returns stdout (stderr on failure). */
export async function runZkTool(
  cls: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command("java", {
    args: ["-Xmx256m", "-cp", ZK_CLASSPATH, cls, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** One znode as SnapshotFormatter -d prints it. */
export interface FormatterNode {
  path: string;
  fields: Map<string, string>;
}

/** What SnapshotFormatter -d printed. */
export interface FormatterOutput {
  count: number;
  nodes: Map<string, FormatterNode>;
  sessions: { id: bigint; timeout: number; ephemerals: number }[];
  lastZxid: bigint;
}

/** Parses `SnapshotFormatter -d FILE`. */
export function parseSnapshotFormatter(out: string): FormatterOutput {
  const count = Number(out.match(/ZNode Details \(count=(\d+)\)/)?.[1]);
  const nodes = new Map<string, FormatterNode>();
  const blocks = out.split(/^----$/m);
  for (const b of blocks) {
    const lines = b.split("\n").filter((l) => l.length > 0);
    if (lines.length < 2 || !lines[0].startsWith("/") || !lines[1].startsWith("  cZxid")) continue;
    const fields = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const m = l.match(/^ {2}(\w+) = ?(.*)$/);
      if (m) fields.set(m[1], m[2]);
    }
    nodes.set(lines[0], { path: lines[0], fields });
  }
  const sessions = [...out.matchAll(/^(0x[0-9a-f]+), (\d+), (\d+)$/gm)].map((m) => ({
    id: BigInt(m[1]),
    timeout: Number(m[2]),
    ephemerals: Number(m[3]),
  }));
  const lastZxid = BigInt(out.match(/Last zxid: (0x[0-9a-f]+)/)![1]);
  return { count, nodes, sessions, lastZxid };
}

/** One txn line of TxnLogToolkit (the header fields; the body is Java's toString). */
export interface ToolkitTxn {
  /** The header time as printed (DateFormat SHORT date, LONG time), in ms; null if not parsed. */
  timeMs: number | null;
  session: bigint;
  cxid: number;
  zxid: bigint;
  type: string;
  rest: string;
}

/** Parses `TxnLogToolkit -d FILE`'s txn lines. */
export function parseTxnLogToolkit(out: string): { txns: ToolkitTxn[]; count: number | null } {
  // A body may span lines (Java's toString of raw multi bytes): it runs to the next txn's line.
  const ms = [
    ...out.matchAll(/ session (0x[0-9a-f]+) cxid (0x[0-9a-f]+) zxid (0x[0-9a-f]+) (\w+) ?/g),
  ];
  const end = out.search(/^EOF reached/m);
  const txns = ms.map((m, i) => {
    const next = i + 1 < ms.length
      ? out.lastIndexOf("\n", ms[i + 1].index!)
      : end < 0
      ? out.length
      : end;
    const lineStart = out.lastIndexOf("\n", m.index!) + 1;
    return {
      timeMs: parseToolkitTime(out.slice(lineStart, m.index!)),
      session: BigInt(m[1]),
      cxid: Number(BigInt(m[2])),
      zxid: BigInt(m[3]),
      type: m[4],
      rest: out.slice(m.index! + m[0].length, next).trim(),
    };
  });
  const c = out.match(/EOF reached after (\d+) txns/);
  return { txns, count: c ? Number(c[1]) : null };
}

/** "11/22/26, 7:16:18 PM UTC" (Java's SHORT date, LONG time in UTC) as ms; null otherwise. */
export function parseToolkitTime(text: string): number | null {
  const m = text.trim().match(
    /^(\d{1,2})\/(\d{1,2})\/(\d{2}),?\s(\d{1,2}):(\d{2}):(\d{2})[\s\u202f](AM|PM)\s(UTC|GMT)$/,
  );
  if (!m) return null;
  const h = (Number(m[4]) % 12) + (m[7] === "PM" ? 12 : 0);
  return Date.UTC(
    2000 + Number(m[3]),
    Number(m[1]) - 1,
    Number(m[2]),
    h,
    Number(m[5]),
    Number(m[6]),
  );
}

/** The data a txn body carries first after its path, for the types that have data. */
function txnData(txn: Txn): Uint8Array | null | undefined {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.setData:
      return txn.record.data;
    default:
      return undefined;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const hex = (v: bigint) => BigInt.asUintN(64, v);

/** Compares every znode, session and the count field by field. */
export async function compareWithFormatter(file: string): Promise<void> {
  const r = await runZkTool("org.apache.zookeeper.server.SnapshotFormatter", "-d", file);
  assert.equal(r.code, 0, r.err);
  const zk = parseSnapshotFormatter(r.out);
  const nodes: Extract<SnapEntry, { kind: "node" }>[] = [];
  const sessions: { id: bigint; timeout: number }[] = [];
  for await (const e of readSnapshot(file)) {
    if (e.kind === "node") nodes.push(e);
    if (e.kind === "session") sessions.push(e);
  }
  // DataTree counts the root twice ("" and its alias "/").
  assert.equal(zk.count, nodes.length + 1, `${file}: node count`);
  assert.equal(zk.nodes.size, nodes.length);
  for (const n of nodes) {
    const path = n.path === "" ? "/" : n.path;
    const z = zk.nodes.get(path);
    assert.ok(z, `${path} printed by SnapshotFormatter`);
    const f = z.fields;
    assert.equal(BigInt(f.get("cZxid")!), hex(n.stat.czxid), `${path} cZxid`);
    assert.equal(BigInt(f.get("mZxid")!), hex(n.stat.mzxid), `${path} mZxid`);
    assert.equal(BigInt(f.get("pZxid")!), hex(n.stat.pzxid), `${path} pZxid`);
    assert.equal(Number(f.get("cversion")), n.stat.cversion, `${path} cversion`);
    assert.equal(Number(f.get("dataVersion")), n.stat.version, `${path} dataVersion`);
    assert.equal(Number(f.get("aclVersion")), n.stat.aversion, `${path} aclVersion`);
    assert.equal(
      BigInt(f.get("ephemeralOwner")!),
      hex(n.stat.ephemeralOwner),
      `${path} ephemeralOwner`,
    );
    assert.equal(f.get("data"), n.data ? base64(n.data) : "", `${path} data`);
    for (const [k, v] of [["ctime", n.stat.ctime], ["mtime", n.stat.mtime]] as const) {
      // Java's Date.toString has second resolution.
      assert.equal(
        Date.parse(f.get(k)!.replace(" UTC ", " ") + " UTC") / 1000,
        Math.floor(Number(v) / 1000),
        `${path} ${k}`,
      );
    }
  }
  assert.deepEqual(
    zk.sessions.map((s) => [s.id, s.timeout]).sort(),
    sessions.map((s) => [hex(s.id), s.timeout]).sort(),
  );
}

/** How Java's jute toString ends for a txn body: the scalar fields after the data and ACLs. */
function expectedTail(txn: Txn): string | null {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2:
      return `,${txn.record.ephemeral},${txn.record.parentCVersion}`;
    case OpCode.createContainer:
      return `,${txn.record.parentCVersion}`;
    case OpCode.createTTL:
      return `,${txn.record.parentCVersion},${txn.record.ttl}`;
    case OpCode.setData:
    case OpCode.reconfig:
    case OpCode.setACL:
      return `,${txn.record.version}`;
    case OpCode.createSession:
      return String(txn.record.timeOut);
    case OpCode.error:
      return String(txn.record.err);
    case OpCode.closeSession:
      return txn.record
        ? `v{${(txn.record.paths2Delete ?? []).map((p) => `'${p}`).join(",")}}`
        : null;
    case OpCode.delete:
    case OpCode.deleteContainer:
      return `'${txn.record.path}`;
    default:
      return null;
  }
}

/** Compares every txn's header fields, type and path(s) with TxnLogToolkit's dump. */
export async function compareWithToolkit(file: string): Promise<number> {
  const r = await runZkTool("org.apache.zookeeper.server.persistence.TxnLogToolkit", "-d", file);
  assert.equal(r.code, 0, r.err);
  const zk = parseTxnLogToolkit(r.out);
  const ours: LogTxn[] = [];
  for await (const e of readTxnLog(file)) if (e.kind === "txn") ours.push(e);
  assert.equal(zk.count, ours.length, `${file}: txn count`);
  assert.equal(zk.txns.length, ours.length);
  let timesChecked = 0;
  let dataChecked = 0;
  ours.forEach((t, i) => {
    const z = zk.txns[i];
    const at = `${file} zxid 0x${t.header.zxid.toString(16)}`;
    assert.equal(z.zxid, BigInt.asUintN(64, t.header.zxid), at);
    assert.equal(z.session, BigInt.asUintN(64, t.header.clientId), at);
    assert.equal(z.cxid, t.header.cxid >>> 0, at);
    assert.equal(z.type.toLowerCase(), opName(t.header.type).toLowerCase(), at);
    for (const p of txnPaths(t.txn)) assert.ok(z.rest.includes(p), `${at}: ${p} in "${z.rest}"`);
    // The header time, to the second TxnLogToolkit prints.
    if (z.timeMs !== null) {
      assert.equal(z.timeMs, Math.floor(t.header.time / 1000) * 1000, at);
      timesChecked++;
    }
    // The data, which -d prints as text after the path (checked where it is valid UTF-8).
    const data = txnData(t.txn);
    if (data !== undefined) {
      let text: string | null = null;
      try {
        text = data === null ? "" : strictUtf8.decode(data);
      } catch { /* binary: Java would print replacement characters */ }
      const path = txnPaths(t.txn)[0];
      if (text !== null) {
        assert.ok(z.rest.startsWith(`${path},${text},`), `${at}: data "${text}" in "${z.rest}"`);
        dataChecked++;
      }
    }
    const tail = expectedTail(t.txn);
    if (tail !== null) assert.ok(z.rest.endsWith(tail), `${at}: "${z.rest}" ends with "${tail}"`);
  });
  // The time format and the data text were really compared, not skipped.
  assert.equal(timesChecked, ours.length, `${file}: times parsed`);
  if (ours.some((t) => txnData(t.txn) !== undefined)) assert.ok(dataChecked > 0, `${file}: data`);
  return ours.length;
}
