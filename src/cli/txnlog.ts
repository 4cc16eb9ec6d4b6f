// zkt txnlog dump | verify | truncate: read txn logs record by record.
import { CorruptDataError, UsageError } from "../errors.ts";
import { listLogs, logsFrom, versionDir } from "../persistence/datadir.ts";
import { type LogEntry, readTxnLog, truncateTxnLog } from "../persistence/txnlog.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";
import { txnJson, txnLine, txnPaths } from "./txn_format.ts";
import { hex, Progress, progressWanted, underPrefix, zxidFlag } from "./znode_format.ts";

/** The log files PATH names: the file itself, or a data dir's logs in zxid order. */
export async function logPaths(path: string, from?: bigint): Promise<string[]> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (st.isFile) return [path];
  const logs = await listLogs(await versionDir(path));
  if (logs.length === 0) throw new UsageError(`${path}: no txn logs (log.*) found`);
  // Logs that end before --from need not be read at all.
  return (from === undefined ? logs : logsFrom(logs, from)).map((l) => l.path);
}

/** All entries of several logs in order. */
async function* entries(files: string[]): AsyncGenerator<LogEntry> {
  for (const f of files) yield* readTxnLog(f);
}

const dump: Command = {
  names: ["txnlog", "dump"],
  summary: "print txns: time, session, cxid, zxid, type and body, one per line",
  usage: "PATH [--json] [--from ZXID] [--to ZXID] [--session ID] [--path PREFIX]",
  help: `PATH is a log file or a data dir (all its logs in zxid order).
  --json            JSON Lines: one header record per file, one txn per line, an end record
  --from/--to ZXID  only txns with from ≤ zxid ≤ to (0x-hex or decimal)
  --session ID      only txns of this session
  --path PREFIX     only txns touching PREFIX or below (sub-txns of a multi count)
A torn tail (a partial last record, or an empty file) ends the command with exit 3
and one line naming the file, after every txn before it is printed; in --json it
is also an end record with reason "torn".`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<{
      json?: boolean;
      from?: string;
      to?: string;
      session?: string;
      path?: string;
    }>(args, {
      json: { type: "boolean" },
      from: { type: "string" },
      to: { type: "string" },
      session: { type: "string" },
      path: { type: "string" },
    });
    expectPositionals(positionals, ["PATH"]);
    const from = zxidFlag("from", values.from);
    const to = zxidFlag("to", values.to);
    const session = zxidFlag("session", values.session);
    const files = await logPaths(positionals[0], from);
    const json = values.json ?? false;
    const progress = new Progress(progressWanted(), "txns");
    let count = 0;
    let shown = 0;
    let torn: string | null = null;
    let buffer = "";
    const flush = () => {
      if (buffer) io.out(buffer);
      buffer = "";
    };
    for await (const e of entries(files)) {
      if (e.kind === "header") {
        if (json) {
          buffer += JSON.stringify({
            type: "header",
            file: e.file,
            magic: "ZKLG",
            version: e.header.version,
            dbid: hex(e.header.dbid),
          }) + "\n";
        } else {
          buffer += `ZooKeeper txn log ${e.file} (ZKLG version ${e.header.version}, dbid ${
            hex(e.header.dbid)
          })\n`;
        }
        continue;
      }
      if (e.kind === "end") {
        if (json) {
          buffer += JSON.stringify({
            type: "end",
            file: e.file,
            offset: e.offset,
            reason: e.reason,
            detail: e.detail,
          }) + "\n";
        }
        if (e.reason === "torn") torn ??= `${e.file}: torn tail: ${e.detail}`;
        continue;
      }
      count++;
      progress.tick(count);
      const h = e.header;
      if (from !== undefined && h.zxid < from) continue;
      if (to !== undefined && h.zxid > to) continue;
      if (session !== undefined && h.clientId !== session) continue;
      if (values.path !== undefined && !txnPaths(e.txn).some((p) => underPrefix(p, values.path))) {
        continue;
      }
      shown++;
      buffer += json
        ? JSON.stringify(txnJson(h, e.txn, e.digest)) + "\n"
        : txnLine(h, e.txn, e.digest);
      if (buffer.length > 1 << 16) flush();
    }
    flush();
    progress.done();
    if (!json) io.out(`${shown} of ${count} txns shown\n`);
    if (torn) throw new CorruptDataError(torn);
    return 0;
  },
};

const verify: Command = {
  names: ["txnlog", "verify"],
  summary: "check every record's checksum and framing (exit 3 on the first problem)",
  usage: "PATH",
  help: `PATH is a log file or a data dir (all its logs). Checks the header, each
record's Adler-32, the end-of-record marker, that every txn decodes, that zxids
increase (txns logged twice, as 3.8.0 followers can leave them, are a finding:
restore applies them again, as ZooKeeper does), and reports a torn tail (a
partial last record) as a problem. In a data dir, a log with no file header
that a later log follows is not one: a server killed right after creating a
log leaves it (ZooKeeper's too), and it holds no txns.`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positionals } = parseFlags(args, {});
    expectPositionals(positionals, ["PATH"]);
    const files = await logPaths(positionals[0]);
    const progress = new Progress(progressWanted(), "txns checked");
    let total = 0;
    let last: bigint | null = null;
    for (const [i, f] of files.entries()) {
      let n = 0;
      let first: bigint | null = null;
      let headerless = false;
      for await (const e of readTxnLog(f)) {
        if (e.kind === "txn") {
          if (last !== null && e.header.zxid <= last) {
            // A finding, not damage: 3.8.0 followers that rejoin under writes log
            // txns twice, and restore (ZooKeeper's and zkt's) applies them again.
            throw new CorruptDataError(
              `${f}: zxid ${hex(e.header.zxid)} at offset ${e.offset} does not follow ${
                hex(last)
              } (txns logged twice; restore applies them again, as ZooKeeper 3.8 does)`,
            );
          }
          last = e.header.zxid;
          first ??= e.header.zxid;
          n++;
          progress.tick(total + n);
        } else if (e.kind === "end" && e.reason === "torn") {
          // Records start after the 16-byte header: torn at 0 means no header.
          headerless = e.offset === 0 && i < files.length - 1;
          if (!headerless) throw new CorruptDataError(`${f}: torn tail: ${e.detail}`);
        }
      }
      if (headerless) {
        io.out(`${f}: OK — 0 txns (no file header: created, never written; a later log follows)\n`);
        continue;
      }
      total += n;
      progress.done();
      io.out(
        `${f}: OK — ${n} txns` + (first !== null ? ` (${hex(first)} … ${hex(last!)})` : "") + "\n",
      );
    }
    return 0;
  },
};

const truncate: Command = {
  names: ["txnlog", "truncate"],
  summary: "keep the txns with zxid ≤ Z (ZooKeeper's --chop), into a new file or in place",
  usage: "PATH --zxid Z [--in-place | --out FILE]",
  help: `Copies the header and every txn with zxid ≤ Z byte for byte.
  --zxid Z      the last zxid to keep (0x-hex or decimal)
  --out FILE    where to write (default: PATH.chopped)
  --in-place    replace PATH (atomically, through a temporary file)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<
      { zxid?: string; "in-place"?: boolean; out?: string }
    >(
      args,
      { zxid: { type: "string" }, "in-place": { type: "boolean" }, out: { type: "string" } },
    );
    expectPositionals(positionals, ["PATH"]);
    const z = zxidFlag("zxid", values.zxid);
    if (z === undefined) throw new UsageError("missing --zxid");
    if (values["in-place"] && values.out) {
      throw new UsageError("--in-place and --out exclude each other");
    }
    const file = positionals[0];
    if (!(await Deno.stat(file).catch(() => null))?.isFile) {
      throw new UsageError(`${file} is not a file`);
    }
    const out = values["in-place"] ? file : values.out ?? `${file}.chopped`;
    const r = await truncateTxnLog(file, z, out);
    io.out(
      `${r.out}: kept ${r.kept} txns` + (r.lastKept !== null ? ` (last ${hex(r.lastKept)})` : "") +
        `, dropped ${r.dropped}\n`,
    );
    return 0;
  },
};

/** The txnlog commands. */
export const TXNLOG_COMMANDS: Command[] = [dump, verify, truncate];
