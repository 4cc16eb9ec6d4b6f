// Autopurge (DatadirCleanupManager): every purgeInterval hours keep the newest
// snapRetainCount snapshots and the logs they need.
import type { ZkConfig } from "../config/types.ts";
import { logger } from "../log/logger.ts";
import { purge } from "../persistence/datadir.ts";

const log = logger("DatadirCleanupManager");

/** Starts the purge timer when autopurge.purgeInterval > 0; stop() ends it. */
export function startAutopurge(cfg: ZkConfig): { stop(): void } {
  const hours = cfg.autopurgePurgeInterval;
  if (hours <= 0) {
    log.info("Purge task is not scheduled.");
    return { stop() {} };
  }
  log.info(`autopurge.snapRetainCount set to ${cfg.autopurgeSnapRetainCount}`);
  log.info(`autopurge.purgeInterval set to ${hours}`);
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      log.info("Purge task started.");
      const r = await purge(cfg.dataDir, cfg.autopurgeSnapRetainCount, false, cfg.dataLogDir);
      log.info(
        `Purge task completed: removed ${r.removedSnapshots.length} snapshots, ${r.removedLogs.length} logs`,
      );
    } catch (e) {
      log.error(`Error occurred while purging: ${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  // DatadirCleanupManager schedules the first purge at once, then every interval.
  run();
  const timer = setInterval(run, hours * 3600_000);
  return { stop: () => clearInterval(timer) };
}
