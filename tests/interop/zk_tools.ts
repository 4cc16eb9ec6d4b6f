// Runs Apache ZooKeeper's own file tools (SnapshotFormatter, TxnLogToolkit) and
// parses what they print, so tests can compare zkt's reading field by field.
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
      const m = l.match(/^  (\w+) = ?(.*)$/);
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
    return {
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
