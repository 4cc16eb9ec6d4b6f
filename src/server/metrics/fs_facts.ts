// The file-system facts mntr, dirs and the AdminServer print (3.8's
// zk_data_dir_size / zk_log_dir_size, zk_open/max_file_descriptor_count),
// read off the request path: a reader gets the last values at once and, when
// they are older than maxAgeMs, starts one asynchronous refresh. Listing a
// data dir with blocking calls on every health-check poll would stall every
// client of the event loop.
import { join } from "node:path";

/** The last sampled sizes and descriptor counts. */
export interface FsSample {
  /** Bytes of the files in the snapshot dir and in the log dir. */
  dataDirSize: number;
  logDirSize: number;
  /** Open and maximum file descriptors (-1 where /proc does not tell). */
  openFds: number;
  maxFds: number;
}

/** Bytes of the regular files directly in `dir` (0 when it is gone). */
export async function dirSize(dir: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      try {
        n += (await Deno.stat(join(dir, e.name))).size;
      } catch { /* purged meanwhile */ }
    }
  } catch { /* gone */ }
  return n;
}

/** Open descriptors and the soft limit, from /proc on Linux; -1 elsewhere. */
export async function fdCounts(): Promise<{ open: number; max: number }> {
  try {
    let open = 0;
    for await (const _ of Deno.readDir("/proc/self/fd")) open++;
    const limits = await Deno.readTextFile("/proc/self/limits");
    const m = limits.match(/^Max open files\s+(\d+)/m);
    return { open, max: m ? Number(m[1]) : -1 };
  } catch {
    return { open: -1, max: -1 };
  }
}

/** A cache of FsSample refreshed in the background, at most once per maxAgeMs. */
export class FsFacts {
  private sample: FsSample = { dataDirSize: 0, logDirSize: 0, openFds: -1, maxFds: -1 };
  private sampledAt = -Infinity;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly snapDir: string,
    private readonly logDir: string,
    private readonly maxAgeMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The last sample; starts a refresh when it is stale. Never waits. */
  get(): FsSample {
    if (this.inFlight === null && this.now() - this.sampledAt >= this.maxAgeMs) {
      void this.refresh();
    }
    return this.sample;
  }

  /** Takes a fresh sample (one at a time); resolves when it is in. */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.sampledAt = this.now();
    this.inFlight = (async () => {
      const data = await dirSize(this.snapDir);
      const log = this.logDir === this.snapDir ? data : await dirSize(this.logDir);
      const fds = await fdCounts();
      this.sample = { dataDirSize: data, logDirSize: log, openFds: fds.open, maxFds: fds.max };
    })().finally(() => {
      this.sampledAt = this.now();
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Waits for a refresh in flight (a server stopping leaves no file reads behind). */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => {});
  }
}
