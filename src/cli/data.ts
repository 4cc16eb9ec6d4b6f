// zkt data replay: a data dir's snapshot plus logs up to a zxid, printed as a
// tree — point-in-time inspection; zkt data snapshot: the same state written as
// a snapshot file; zkt data purge: autopurge on demand.
import { UsageError } from "../errors.ts";
import { describeBehind, purge, restore } from "../persistence/datadir.ts";
import { snapshotAt } from "../persistence/snapshot_at.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";
import {
  aclJson,
  hex,
  Progress,
  progressWanted,
  underPrefix,
  znodeJsonLine,
  znodeText,
  zxidFlag,
} from "./znode_format.ts";

const replay: Command = {
  names: ["data", "replay"],
  summary: "restore a data dir (snapshot + logs) up to a zxid and print the tree",
  usage: "DIR [--to ZXID] [--json] [--data] [--path PREFIX] [--log-dir DIR]",
  help: `Loads the newest valid snapshot, replays the logs after it up to --to (default:
all), checks digests on the way, and prints every znode as \`snap dump\` does.
  --to ZXID       stop after this zxid (0x-hex or decimal)
  --json          JSON Lines: znode records, session records and a summary
  --data          include node data
  --path PREFIX   only znodes at or below PREFIX
  --log-dir DIR   the txn logs live in DIR (a server with dataLogDir set apart)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<
      { to?: string; json?: boolean; data?: boolean; path?: string; "log-dir"?: string }
    >(
      args,
      {
        "log-dir": { type: "string" },
        to: { type: "string" },
        json: { type: "boolean" },
        data: { type: "boolean" },
        path: { type: "string" },
      },
    );
    expectPositionals(positionals, ["DIR"]);
    const to = zxidFlag("to", values.to);
    const progress = new Progress(progressWanted(), "txns replayed");
    let n = 0;
    const r = await restore(positionals[0], {
      toZxid: to,
      logDir: values["log-dir"],
      onSkip: (file, reason) => io.err(`zkt data replay: skipping snapshot ${file}: ${reason}\n`),
      onTorn: (e) => io.err(`zkt data replay: ${e.file}: torn tail: ${e.detail}\n`),
      onBehind: (b) => io.err(`zkt data replay: ERROR ${describeBehind(b)}\n`),
      onTxn: () => progress.tick(n += 1024),
    });
    progress.done();
    const t = r.tree;
    const json = values.json ?? false;
    const withData = values.data ?? false;
    let buffer = "";
    if (json) {
      // As `snap dump --json` prints them, so a znode's "acl" reference resolves.
      for (const [ref, acl] of t.acls.entries()) {
        buffer += JSON.stringify({ type: "acl", ref: ref.toString(), acl: aclJson(acl) }) + "\n";
      }
    }
    for (const [path, node] of t.walk()) {
      if (!underPrefix(path, values.path)) continue;
      const view = {
        path,
        data: node.data,
        acl: node.acl,
        stat: node.stat,
        numChildren: node.numChildren,
      };
      buffer += json ? znodeJsonLine(view, withData) : znodeText(view, t.aclOf(node), withData);
      if (buffer.length > 1 << 16) {
        io.out(buffer);
        buffer = "";
      }
    }
    io.out(buffer);
    const ephemerals = (id: bigint) => t.ephemerals.get(id)?.size ?? 0;
    const digestMismatch = r.digestMismatch
      ? `MISMATCH at ${
        hex(r.digestMismatch.zxid)
      } (log ${r.digestMismatch.expected}, tree ${r.digestMismatch.actual})`
      : "OK";
    if (json) {
      for (const [id, timeout] of t.sessions) {
        io.out(
          JSON.stringify({ type: "session", id: hex(id), timeout, ephemerals: ephemerals(id) }) +
            "\n",
        );
      }
      io.out(
        JSON.stringify({
          type: "summary",
          snapshot: r.snapshot?.file ?? null,
          logs: r.logs,
          txnsApplied: r.txnsApplied,
          lastProcessedZxid: hex(r.lastProcessedZxid),
          nodes: t.size,
          sessions: t.sessions.size,
          digest: t.digest.toString(),
          snapshotDigest: r.snapshotDigest,
          txnDigests: r.digestMismatch ? "mismatch" : "ok",
        }) + "\n",
      );
    } else {
      const out = [`\nSessions (${t.sessions.size}):`];
      for (const [id, timeout] of t.sessions) {
        out.push(`  ${hex(id)}  timeout ${timeout} ms  ephemerals ${ephemerals(id)}`);
      }
      out.push(
        "\nSummary:",
        `  snapshot ${r.snapshot?.file ?? "(none: empty tree)"}`,
        `  logs ${r.logs.length ? r.logs.join(", ") : "(none)"}`,
        `  txns applied ${r.txnsApplied}, lastProcessedZxid ${hex(r.lastProcessedZxid)}`,
        `  nodes ${t.size}, sessions ${t.sessions.size}, digest ${t.digest}`,
        `  snapshot digest ${r.snapshotDigest}, txn digests ${digestMismatch}`,
      );
      io.out(out.join("\n") + "\n");
    }
    return 0;
  },
};

const snapshotCmd: Command = {
  names: ["data", "snapshot"],
  summary: "write a snapshot of a data dir as of a zxid (snapshot + logs replayed)",
  usage: "DIR [--to ZXID] [--out FILE] [--log-dir DIR] [--parent-pid PID]",
  help: `Restores the newest valid snapshot plus the logs after it up to --to (default:
every logged txn) and writes that state as a snapshot ZooKeeper reads: by default
DIR/version-2/snapshot.<zxid>, through a temporary file renamed into place. A
server restarting on DIR then replays fewer logs (an offline compaction of the
logs into a snapshot; zkt serve snapshots its live tree itself).
  --to ZXID       the state after this zxid (the logs must reach it; exit 3 if not)
  --out FILE      write here instead (.gz or .snappy suffix: compressed)
  --log-dir DIR   the txn logs live in DIR (a server with dataLogDir set apart)
  --parent-pid PID  give up (exit 1, nothing renamed into place) once PID is no
                  longer this process's parent: a supervisor that runs this
                  leaves no snapshot being written behind it when killed`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<
      { to?: string; out?: string; "log-dir"?: string; "parent-pid"?: string }
    >(args, {
      to: { type: "string" },
      out: { type: "string" },
      "log-dir": { type: "string" },
      "parent-pid": { type: "string" },
    });
    expectPositionals(positionals, ["DIR"]);
    const to = zxidFlag("to", values.to);
    let watcher: ReturnType<typeof setInterval> | undefined;
    if (values["parent-pid"] !== undefined) {
      const pid = Number(values["parent-pid"]);
      if (!/^\d+$/.test(values["parent-pid"]) || pid < 1) {
        throw new UsageError(`--parent-pid ${values["parent-pid"]}: expected a process id`);
      }
      watcher = watchParent(pid, io);
    }
    let r;
    try {
      r = await snapshotAt(positionals[0], {
        toZxid: to,
        logDir: values["log-dir"],
        file: values.out,
      });
    } finally {
      clearInterval(watcher);
    }
    io.out(`wrote ${r.file}: ${r.nodes} znodes as of zxid ${hex(r.zxid)}\n`);
    return 0;
  },
};

/** Exits 1 as soon as `pid` stops being this process's parent (checked every 100 ms). */
function watchParent(pid: number, io: CliIo): ReturnType<typeof setInterval> {
  const check = () => {
    if (Deno.ppid !== pid) {
      io.err(`zkt data snapshot: parent process ${pid} is gone; stopping\n`);
      Deno.exit(1);
    }
  };
  check();
  const id = setInterval(check, 100);
  Deno.unrefTimer(id);
  return id;
}

const purgeCmd: Command = {
  names: ["data", "purge"],
  summary: "delete all but the N newest snapshots and the logs they need (autopurge)",
  usage: "DIR --keep N [--dry-run] [--log-dir DIR]",
  help: `Keeps the N (≥ 3) newest valid snapshots and every log needed to replay from
the oldest of them, as ZooKeeper's PurgeTxnLog / autopurge does.
  --keep N     snapshots to keep (at least 3)
  --dry-run    list what would be deleted
  --log-dir DIR  the txn logs live in DIR (a server with dataLogDir set apart)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<
      { keep?: string; "dry-run"?: boolean; "log-dir"?: string }
    >(args, {
      keep: { type: "string" },
      "dry-run": { type: "boolean" },
      "log-dir": { type: "string" },
    });
    expectPositionals(positionals, ["DIR"]);
    const keep = Number(values.keep);
    if (values.keep === undefined || !Number.isInteger(keep) || keep < 3) {
      throw new UsageError("--keep N: N must be an integer ≥ 3");
    }
    const dry = values["dry-run"] ?? false;
    const r = await purge(positionals[0], keep, dry, values["log-dir"] ?? positionals[0]);
    const verb = dry ? "would remove" : "removed";
    for (const f of [...r.removedSnapshots, ...r.removedLogs]) io.out(`${verb} ${f}\n`);
    io.out(
      `kept ${r.keptSnapshots.length} snapshots; ${verb} ${r.removedSnapshots.length} snapshots and ${r.removedLogs.length} logs\n`,
    );
    return 0;
  },
};

/** The data commands. */
export const DATA_COMMANDS: Command[] = [replay, snapshotCmd, purgeCmd];
