// zkt snap dump | verify | diff: read snapshot files (or a data dir's newest
// valid snapshot) record by record.
import { CorruptDataError, UsageError } from "../errors.ts";
import { Ids } from "../jute/constants.ts";
import type { ACL } from "../jute/data.ts";
import { crc32 } from "../data/crc32.ts";
import { validSnapshots, versionDir } from "../persistence/datadir.ts";
import { readSnapshot, zxidFromName } from "../persistence/snapshot.ts";
import { SnapshotChecker, type SnapSummary } from "../persistence/snapshot_check.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";
import {
  aclJson,
  aclString,
  hex,
  Progress,
  progressWanted,
  underPrefix,
  znodeJsonLine,
  znodeText,
} from "./znode_format.ts";

/** Resolves PATH: a snapshot file, or a data dir's newest valid snapshot. */
export async function snapshotPath(path: string): Promise<string> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (st.isFile) return path;
  const dir = await versionDir(path);
  const snaps = await validSnapshots(dir, 1);
  if (snaps.length === 0) throw new CorruptDataError(`${path}: no valid snapshot in ${dir}`);
  return snaps[0].path;
}

function fileZxid(file: string): bigint {
  return zxidFromName(file.split("/").pop()!, "snapshot") ?? 0n;
}

/** Human words for a digest status. */
export function digestWords(s: SnapSummary["digest"]): string {
  switch (s.state) {
    case "ok":
      return "OK";
    case "absent":
      return "absent";
    case "fuzzy":
      return `unchecked (recorded at 0x${
        s.zxid.toString(16)
      }, after the snapshot began; replay the logs to check)`;
    case "mismatch":
      return `MISMATCH (stored ${s.stored}, computed ${s.computed})`;
  }
}

function summaryJson(file: string, s: SnapSummary, problems: string[]): Record<string, unknown> {
  return {
    type: "summary",
    file,
    nodes: s.nodes,
    dataBytes: s.dataBytes,
    sessions: s.sessions,
    acls: s.acls,
    zxid: hex(fileZxid(file)),
    highestZxid: hex(s.highestZxid),
    checksumOk: s.checksumOk,
    digest: s.digest.state,
    digestZxid: s.trailer?.digest ? hex(s.trailer.digest.zxid) : null,
    problems,
  };
}

const dump: Command = {
  names: ["snap", "dump"],
  summary: "print a snapshot: header, znodes with stats, sessions, ACLs, summary",
  usage: "PATH [--json] [--data] [--path PREFIX]",
  help: `PATH is a snapshot file (plain, .gz or .snappy) or a data dir (its newest valid
snapshot). Exit 3, after the summary, when the checksum or the digest does not match.
  --json          JSON Lines: header, acl, znode, session and summary records
  --data          include node data (UTF-8 when printable, base64 otherwise)
  --path PREFIX   only znodes at or below PREFIX (the summary still counts all)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<{ json?: boolean; data?: boolean; path?: string }>(
      args,
      { json: { type: "boolean" }, data: { type: "boolean" }, path: { type: "string" } },
    );
    expectPositionals(positionals, ["PATH"]);
    const file = await snapshotPath(positionals[0]);
    const checker = new SnapshotChecker(file, fileZxid(file), false);
    const acls = new Map<bigint, ACL[]>();
    const sessions: [bigint, number][] = [];
    const progress = new Progress(progressWanted(), "znodes");
    const json = values.json ?? false;
    const line = (o: unknown) => io.out(JSON.stringify(o) + "\n");
    let buffer = "";
    const flush = () => {
      if (buffer) io.out(buffer);
      buffer = "";
    };
    for await (const e of readSnapshot(file)) {
      checker.add(e);
      switch (e.kind) {
        case "header":
          if (json) {
            line({
              type: "header",
              file,
              magic: "ZKSN",
              version: e.header.version,
              dbid: hex(e.header.dbid),
              zxid: hex(fileZxid(file)),
            });
          } else {
            io.out(
              `Snapshot ${file}\n  format ZKSN version ${e.header.version}, dbid ${
                hex(e.header.dbid)
              }, ` +
                `zxid ${hex(fileZxid(file))}\n\n`,
            );
          }
          break;
        case "session":
          sessions.push([e.id, e.timeout]);
          break;
        case "acl":
          acls.set(e.ref, e.acls);
          if (json) line({ type: "acl", ref: e.ref.toString(), acl: aclJson(e.acls) });
          break;
        case "node": {
          progress.tick(checker.summary.nodes);
          if (!underPrefix(e.path, values.path)) break;
          const acl = e.acl === -1n ? [...Ids.OPEN_ACL_UNSAFE] : acls.get(e.acl);
          buffer += json
            ? znodeJsonLine(e, values.data ?? false)
            : znodeText(e, acl, values.data ?? false);
          if (buffer.length > 1 << 16) flush();
          break;
        }
        case "end":
          break;
      }
    }
    flush();
    progress.done();
    const s = checker.summary;
    if (json) {
      for (const [id, timeout] of sessions) {
        line({
          type: "session",
          id: hex(id),
          timeout,
          ephemerals: s.ephemeralsBySession.get(id) ?? 0,
        });
      }
      line(summaryJson(file, s, checker.problems));
    } else {
      const out = [`\nSessions (${sessions.length}):`];
      for (const [id, timeout] of sessions) {
        out.push(
          `  ${hex(id)}  timeout ${timeout} ms  ephemerals ${s.ephemeralsBySession.get(id) ?? 0}`,
        );
      }
      out.push(`\nACLs (${acls.size}):`);
      for (const [ref, list] of acls) out.push(`  ${ref}: ${aclString(list)}`);
      out.push(
        "\nSummary:",
        `  nodes ${s.nodes}, data bytes ${s.dataBytes}, sessions ${s.sessions}, ACLs ${s.acls}`,
        `  last zxid ${hex(fileZxid(file))} (highest in node stats ${hex(s.highestZxid)})`,
        `  checksum ${s.checksumOk ? "OK" : "MISMATCH"}, digest ${digestWords(s.digest)}`,
      );
      io.out(out.join("\n") + "\n");
    }
    // Everything was printed; a damaged file still ends the command with exit 3.
    if (s.checksumOk === false) {
      throw new CorruptDataError(`${file}: checksum mismatch (the file is damaged)`);
    }
    if (s.digest.state === "mismatch") {
      throw new CorruptDataError(`${file}: digest mismatch at ${hex(s.digest.zxid)}`);
    }
    return 0;
  },
};

const verify: Command = {
  names: ["snap", "verify"],
  summary: "check a snapshot's checksum, digest and structure (exit 3 on the first problem)",
  usage: "PATH",
  help: `PATH is a snapshot file or a data dir (its newest valid snapshot).
Checks: header, Adler-32 seal(s), the stored digest against the nodes, every
parent before its children, cversion and pzxid consistent with the children,
ephemeral owners among the file's sessions, ACL references in the ACL cache.`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positionals } = parseFlags(args, {});
    expectPositionals(positionals, ["PATH"]);
    const file = await snapshotPath(positionals[0]);
    const checker = new SnapshotChecker(file, fileZxid(file));
    const progress = new Progress(progressWanted(), "znodes checked");
    for await (const e of readSnapshot(file)) {
      checker.add(e);
      if (e.kind === "node") progress.tick(checker.summary.nodes);
    }
    progress.done();
    const s = checker.summary;
    if (checker.problems.length > 0) {
      throw new CorruptDataError(
        `${file}: ${checker.problems[0]}` +
          (checker.problems.length > 1
            ? `\n  and ${checker.problems.length - 1} more:\n  ` +
              checker.problems.slice(1).join("\n  ")
            : ""),
      );
    }
    io.out(
      `${file}: OK — ${s.nodes} znodes, ${s.sessions} sessions, checksum OK, digest ${
        digestWords(s.digest)
      }\n`,
    );
    return 0;
  },
};

/** What diff keeps per node: enough to say what changed. */
interface NodeSig {
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  version: number;
  cversion: number;
  aversion: number;
  owner: bigint;
  acl: string;
  dataCrc: number;
  dataLength: number;
}

/** Shape of a tree as SnapshotComparer reports it. */
interface TreeShape {
  nodes: number;
  bytes: number;
  /** Node count per depth (the root is depth 0). */
  byDepth: number[];
}

function depthOf(path: string): number {
  if (path === "" || path === "/") return 0;
  let d = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) d++;
  return d;
}

async function signatures(file: string, shape: TreeShape): Promise<Map<string, NodeSig>> {
  const acls = new Map<bigint, string>();
  const out = new Map<string, NodeSig>();
  for await (const e of readSnapshot(file)) {
    if (e.kind === "acl") acls.set(e.ref, aclString(e.acls));
    else if (e.kind === "node") {
      shape.nodes++;
      shape.bytes += e.data?.length ?? 0;
      const d = depthOf(e.path);
      shape.byDepth[d] = (shape.byDepth[d] ?? 0) + 1;
      out.set(e.path === "" ? "/" : e.path, {
        czxid: e.stat.czxid,
        mzxid: e.stat.mzxid,
        pzxid: e.stat.pzxid,
        version: e.stat.version,
        cversion: e.stat.cversion,
        aversion: e.stat.aversion,
        owner: e.stat.ephemeralOwner,
        acl: e.acl === -1n ? "world:anyone:cdrwa" : acls.get(e.acl) ?? `ref ${e.acl}`,
        dataCrc: e.data ? crc32(e.data) : -1,
        dataLength: e.data?.length ?? -1,
      });
    }
  }
  return out;
}

function changes(a: NodeSig, b: NodeSig): string[] {
  const out: string[] = [];
  if (a.czxid !== b.czxid) out.push(`recreated (czxid ${hex(a.czxid)} → ${hex(b.czxid)})`);
  if (a.version !== b.version) out.push(`data (version ${a.version} → ${b.version})`);
  else if (a.mzxid !== b.mzxid) out.push(`data (mzxid ${hex(a.mzxid)} → ${hex(b.mzxid)})`);
  if (a.cversion !== b.cversion) out.push(`children (cversion ${a.cversion} → ${b.cversion})`);
  else if (a.pzxid !== b.pzxid) out.push(`children (pzxid ${hex(a.pzxid)} → ${hex(b.pzxid)})`);
  if (a.aversion !== b.aversion || a.acl !== b.acl) {
    out.push(`acl (aversion ${a.aversion} → ${b.aversion})`);
  }
  if (a.owner !== b.owner) out.push(`owner ${hex(a.owner)} → ${hex(b.owner)}`);
  // Quota stats nodes change data in place, without a new version or mzxid.
  if (out.length === 0 && (a.dataCrc !== b.dataCrc || a.dataLength !== b.dataLength)) {
    out.push("data (same version, new content)");
  }
  return out;
}

const diff: Command = {
  names: ["snap", "diff"],
  summary: "nodes added, removed and changed between two snapshots",
  usage: "A B [--details] [--json]",
  help: `A and B are snapshot files or data dirs (newest valid snapshot each).
  --details   list the paths (+ added, - removed, ~ changed with what changed)
  --json      one JSON object`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<{ details?: boolean; json?: boolean }>(args, {
      details: { type: "boolean" },
      json: { type: "boolean" },
    });
    expectPositionals(positionals, ["A", "B"]);
    const fa = await snapshotPath(positionals[0]);
    const fb = await snapshotPath(positionals[1]);
    const shapeA: TreeShape = { nodes: 0, bytes: 0, byDepth: [] };
    const shapeB: TreeShape = { nodes: 0, bytes: 0, byDepth: [] };
    const a = await signatures(fa, shapeA);
    const added: string[] = [];
    const changed: [string, string[]][] = [];
    const b = await signatures(fb, shapeB);
    for (const [path, sb] of b) {
      const sa = a.get(path);
      if (!sa) added.push(path);
      else {
        const c = changes(sa, sb);
        if (c.length > 0) changed.push([path, c]);
        a.delete(path);
      }
    }
    const removed = [...a.keys()];
    if (values.json) {
      io.out(
        JSON.stringify({
          a: { file: fa, ...shapeA },
          b: { file: fb, ...shapeB },
          added: values.details ? added : added.length,
          removed: values.details ? removed : removed.length,
          changed: values.details ? Object.fromEntries(changed) : changed.length,
        }) + "\n",
      );
      return 0;
    }
    const lines = [
      `A ${fa}: ${shapeText(shapeA)}`,
      `B ${fb}: ${shapeText(shapeB)}`,
      `added ${added.length}, removed ${removed.length}, changed ${changed.length}`,
    ];
    if (values.details) {
      for (const p of added.sort()) lines.push(`+ ${p}`);
      for (const p of removed.sort()) lines.push(`- ${p}`);
      for (const [p, c] of changed.sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        lines.push(`~ ${p}: ${c.join(", ")}`);
      }
    }
    io.out(lines.join("\n") + "\n");
    return 0;
  },
};

function shapeText(s: TreeShape): string {
  return `${s.nodes} znodes, ${s.bytes} data bytes, max depth ${s.byDepth.length - 1} ` +
    `(znodes by depth: ${s.byDepth.map((n) => n ?? 0).join(", ")})`;
}

/** The snap commands. */
export const SNAP_COMMANDS: Command[] = [dump, verify, diff];
