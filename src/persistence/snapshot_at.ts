// A snapshot of a data dir as of a logged zxid, rebuilt from disk: the newest
// valid snapshot plus the logs after it, replayed up to the zxid, then written
// as snapshot.<zxid>. The routine behind `zkt data snapshot`.
import { join } from "node:path";
import { CorruptDataError } from "../errors.ts";
import { restore, versionDir } from "./datadir.ts";
import { writeSnapshot } from "./snapshot.ts";
import { snapshotFileName } from "./txnlog.ts";

/** Where and up to which zxid to snapshot. */
export interface SnapshotAtOptions {
  /** Stop after this zxid; the logs must reach it. Default: every logged txn. */
  toZxid?: bigint;
  /** The txn logs' dir (dataLogDir) when apart from the snapshots. */
  logDir?: string;
  /** Output file; default: snapshot.<zxid hex> in the data dir's version-2. */
  file?: string;
}

/** What was written. */
export interface SnapshotAtResult {
  file: string;
  zxid: bigint;
  nodes: number;
}

/** Restores `dataDir` up to the zxid and writes the snapshot; CorruptDataError when the logs stop short. */
export async function snapshotAt(
  dataDir: string,
  opts: SnapshotAtOptions = {},
): Promise<SnapshotAtResult> {
  const r = await restore(dataDir, { toZxid: opts.toZxid, logDir: opts.logDir });
  if (opts.toZxid !== undefined && r.lastProcessedZxid !== opts.toZxid) {
    throw new CorruptDataError(
      `restore reached 0x${r.lastProcessedZxid.toString(16)}, not 0x${opts.toZxid.toString(16)}`,
    );
  }
  const file = opts.file ??
    join(await versionDir(dataDir), snapshotFileName(r.lastProcessedZxid));
  await writeSnapshot(file, r.tree);
  return { file, zxid: r.lastProcessedZxid, nodes: r.tree.size };
}
