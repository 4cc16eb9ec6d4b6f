// Takes a snapshot off the server's event loop: restores the data dir up to a
// durable zxid (the newest snapshot plus the closed logs, through the same
// restore and applyTxn as startup) and writes snapshot.<zxid>. The live tree is
// never touched, so requests are not stalled while a large tree is serialized.
import { restore } from "../persistence/datadir.ts";
import { writeSnapshot } from "../persistence/snapshot.ts";

/** What the server asks for. */
export interface SnapshotJob {
  dataDir: string;
  /** dataLogDir (the same as dataDir unless configured apart). */
  logDir: string;
  zxid: bigint;
  file: string;
}

/** What the worker answers. */
export type SnapshotResult = { ok: true; nodes: number } | { ok: false; error: string };

/** Restores up to job.zxid and writes the snapshot; throws when the logs stop short of it. */
export async function snapshotFromDisk(job: SnapshotJob): Promise<number> {
  const r = await restore(job.dataDir, { toZxid: job.zxid, logDir: job.logDir });
  if (r.lastProcessedZxid !== job.zxid) {
    throw new Error(
      `restore reached 0x${r.lastProcessedZxid.toString(16)}, not 0x${job.zxid.toString(16)}`,
    );
  }
  await writeSnapshot(job.file, r.tree);
  return r.tree.size;
}

// deno-lint-ignore no-explicit-any
const worker = self as any;
if (worker.name === "zkt-snapshot" && typeof worker.postMessage === "function") {
  worker.onmessage = async (e: MessageEvent<SnapshotJob>) => {
    let out: SnapshotResult;
    try {
      out = { ok: true, nodes: await snapshotFromDisk(e.data) };
    } catch (err) {
      out = { ok: false, error: (err as Error).message };
    }
    worker.postMessage(out);
  };
}
