// Takes a snapshot off the server's event loop, in a Worker: restores the data
// dir up to a durable zxid and writes snapshot.<zxid> (persistence/snapshot_at).
// The server prefers a child process (`zkt data snapshot`), whose memory goes
// back to the system when it exits; a Worker's heap stays reserved after it
// ends, so this is the fallback when no child can be started.
import { snapshotAt } from "../persistence/snapshot_at.ts";

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
  const r = await snapshotAt(job.dataDir, {
    toZxid: job.zxid,
    logDir: job.logDir,
    file: job.file,
  });
  return r.nodes;
}

/** The `zkt data snapshot` arguments that do a job (after the command that runs zkt). */
export function snapshotJobArgs(job: SnapshotJob): string[] {
  return [
    "data",
    "snapshot",
    job.dataDir,
    "--log-dir",
    job.logDir,
    "--to",
    `0x${job.zxid.toString(16)}`,
    "--out",
    job.file,
    "--parent-pid",
    `${Deno.pid}`,
  ];
}

/** The command line that runs this zkt again: the compiled binary, or deno on the entry module. */
export function selfCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  return [Deno.execPath(), "run", "--allow-all", "--quiet", "--no-prompt", Deno.mainModule];
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
