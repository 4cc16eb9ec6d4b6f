// The txn log commit as SyncRequestProcessor meters it: queue time before the
// flush, the write + fsync time, the batch size, and queue-plus-flush per txn;
// and what the restore at startup took.
import type { LoggedTxn, ServerDatabase } from "./database.ts";
import type { CommitSink } from "./pipeline/sync.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";

/** A commit sink that writes through `db` and records 3.8's sync_processor_* metrics. */
export function meteredCommit(
  db: Pick<ServerDatabase, "commit">,
  metrics: ServerMetrics,
  now: () => number,
): CommitSink<LoggedTxn> {
  const pct = metrics.percentiles;
  const sums = metrics.summaries;
  return {
    commit: async (batch) => {
      // Txn header times are when each txn was queued: no clock read per txn.
      const start = now();
      // A wall clock stepped back would give negative times: those are skipped.
      for (const t of batch) {
        if (start >= t.header.time) pct.sync_processor_queue_time_ms.add(start - t.header.time);
      }
      const t0 = performance.now();
      await db.commit(batch);
      const ms = Math.round(performance.now() - t0);
      sums.fsynctime.add(ms);
      pct.sync_processor_queue_flush_time_ms.add(ms);
      sums.sync_processor_batch_size.add(batch.length);
      const end = now();
      for (const t of batch) {
        if (end >= t.header.time) {
          pct.sync_processor_queue_and_flush_time_ms.add(end - t.header.time);
        }
      }
    },
  };
}

/** One group commit of an ensemble peer's log: txns, write + fsync ms, and each append's queue time. */
export interface FlushMeter {
  txns: number;
  flushMs: number;
  queued: readonly { txns: number; ms: number }[];
}

/** Records an ensemble peer's group commit as SyncRequestProcessor does on every 3.8 role. */
export function recordFlush(metrics: ServerMetrics, r: FlushMeter): void {
  const pct = metrics.percentiles;
  const ms = Math.round(r.flushMs);
  metrics.summaries.fsynctime.add(ms);
  pct.sync_processor_queue_flush_time_ms.add(ms);
  metrics.summaries.sync_processor_batch_size.add(r.txns);
  metrics.counters.sync_processor_request_queued += r.txns;
  for (const q of r.queued) {
    const queued = Math.round(q.ms);
    const total = Math.round(q.ms + r.flushMs);
    for (let i = 0; i < q.txns; i++) {
      pct.sync_processor_queue_time_ms.add(queued);
      pct.sync_processor_queue_and_flush_time_ms.add(total);
    }
  }
}

/** What the restore at startup took (dbinittime, startup_txns_loaded, digest mismatches, snapshot times). */
export function recordRestore(
  db: Pick<ServerDatabase, "snapshotTimes" | "startup">,
  metrics: ServerMetrics,
): void {
  if (db.snapshotTimes) metrics.summaries.snapshottime = db.snapshotTimes;
  if (!db.startup) return;
  metrics.summaries.dbinittime.add(db.startup.initMs);
  metrics.counters.digest_mismatches_count = db.startup.digestMismatches;
  // Like 3.8, only a restore that replayed a log records its txn count.
  if (db.startup.txnsLoaded > 0) metrics.summaries.startup_txns_loaded.add(db.startup.txnsLoaded);
}
