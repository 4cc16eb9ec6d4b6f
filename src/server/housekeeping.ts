// The server's own upkeep besides sessions: the container reaper (3.8's
// ContainerManager) and the snapshot trigger (SyncRequestProcessor's
// randomized snapCount).
import { logger } from "../log/logger.ts";
import { reapCandidates } from "./container_reaper.ts";
import { Op, prepareWrite, type PrepContext } from "./prep.ts";
import type { ServerCore } from "./server_core.ts";

const log = logger("ZooKeeperServer");

/** Container reaping and snapshot counting of one server. */
export class Housekeeping {
  private timer: ReturnType<typeof setInterval> | null = null;
  private txnsSinceSnap = 0;
  private snapThreshold: number;

  constructor(
    private readonly s: ServerCore,
    /** What prep checks a server-made request against (session 0). */
    private readonly ctx: () => PrepContext,
  ) {
    this.snapThreshold = this.nextSnapThreshold();
  }

  /** Checks containers every `everyMs` (0: never). */
  start(everyMs: number): void {
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      // A failed log write is reported (and fatal) where it happens.
      this.checkContainers().catch(() => {});
    }, everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * ContainerManager: empty used containers and expired empty TTL nodes are
   * deleted. Resolves once those deletes are applied.
   */
  checkContainers(): Promise<void> {
    const s = this.s;
    // A learner's containers are reaped by the leader.
    if (!s.serving() || s.learner) return Promise.resolve();
    const candidates = reapCandidates(s.db.tree, s.now());
    for (const p of candidates) {
      log.info(`Attempting to delete candidate container: ${p}`);
      s.requestQueued();
      const t = prepareWrite(
        s.chain.overlay,
        { type: Op.deleteContainer, path: p, version: -1 },
        this.ctx(),
      );
      s.submit(0n, 0, t);
    }
    return candidates.length === 0 ? Promise.resolve() : s.chain.sync.drain();
  }

  private nextSnapThreshold(): number {
    // SyncRequestProcessor: snapshot after snapCount/2 + random(snapCount/2) txns.
    const half = Math.max(1, Math.floor(this.s.cfg.snapCount / 2));
    return half + Math.floor(Math.random() * half);
  }

  /** A txn was applied: a snapshot is asked for after the randomized count. */
  countForSnapshot(): void {
    this.txnsSinceSnap++;
    if (this.txnsSinceSnap < this.snapThreshold) return;
    if (!this.s.db.requestSnapshot()) return;
    this.txnsSinceSnap = 0;
    this.snapThreshold = this.nextSnapThreshold();
  }
}
