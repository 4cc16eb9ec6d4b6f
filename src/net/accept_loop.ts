// The accept loop every TCP port shares (client, election, admin, metrics).
// A failing accept (EMFILE when descriptors run out, ENFILE, ENOBUFS) leaves
// the pending connection in the kernel's queue, so retrying at once spins the
// CPU and floods the log. The loop backs off (10 ms doubling to 1 s, reset by
// the next successful accept) and logs at most one failure line per 10 s,
// saying how many it left out (ZooKeeper pauses 10 ms after a failed accept).
import type { Logger } from "../log/logger.ts";

/**
 * Backoff and log rate limit for accept failures (pure: the caller passes the
 * clock). Failure lines and recovery lines each come at most once per window,
 * so a listener whose descriptors hover at the limit cannot flood the log either.
 */
export class AcceptBackoff {
  private delay = 0;
  private failures = 0;
  private suppressed = 0;
  private lastFailureLog = -Infinity;
  private lastRecoveryLog = -Infinity;

  constructor(
    readonly minDelayMs = 10,
    readonly maxDelayMs = 1000,
    readonly logEveryMs = 10_000,
  ) {}

  /** A failed accept at `now`: how long to wait before the next one, and whether to log it. */
  failed(now: number): { delayMs: number; log: boolean; suppressed: number } {
    this.failures++;
    this.delay = this.delay === 0 ? this.minDelayMs : Math.min(this.delay * 2, this.maxDelayMs);
    if (now - this.lastFailureLog >= this.logEveryMs) {
      const suppressed = this.suppressed;
      this.suppressed = 0;
      this.lastFailureLog = now;
      return { delayMs: this.delay, log: true, suppressed };
    }
    this.suppressed++;
    return { delayMs: this.delay, log: false, suppressed: 0 };
  }

  /** A successful accept at `now`: the failures it ends, and whether to log the recovery. */
  succeeded(now: number): { failures: number; log: boolean } {
    const failures = this.failures;
    this.failures = 0;
    this.delay = 0;
    if (failures === 0 || now - this.lastRecoveryLog < this.logEveryMs) {
      return { failures, log: false };
    }
    this.lastRecoveryLog = now;
    return { failures, log: true };
  }
}

/**
 * Accepts on `listener` until it is closed or `closing()` says so, handing
 * every connection to `onConn` (which must not throw). Never rejects.
 */
export async function acceptLoop<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  opts: { name: string; log: Logger; closing: () => boolean; backoff?: AcceptBackoff },
  onConn: (conn: C) => void,
): Promise<void> {
  const backoff = opts.backoff ?? new AcceptBackoff();
  while (!opts.closing()) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (e) {
      if (opts.closing() || e instanceof Deno.errors.BadResource) return;
      const f = backoff.failed(Date.now());
      if (f.log) {
        opts.log.warn(
          `${opts.name}: accept failed: ${(e as Error).message}; retrying with backoff` +
            (f.suppressed > 0 ? ` (${f.suppressed} more failures not logged)` : ""),
        );
      }
      await new Promise((r) => setTimeout(r, f.delayMs));
      continue;
    }
    const ok = backoff.succeeded(Date.now());
    if (ok.log) opts.log.info(`${opts.name}: accepting again after ${ok.failures} failed accepts`);
    try {
      onConn(conn);
    } catch (e) {
      opts.log.warn(`${opts.name}: connection handler failed: ${(e as Error).message}`);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  }
}
