// What leaves the client port: replies (with 3.8's ServerStats latencies and
// response metrics) and watch notifications, queued to live connections only.
import type { ClientCnxn } from "./cnxn.ts";
import * as codec from "./codec.ts";
import { MinAvgMax } from "./four_letter.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { OP_NAMES } from "./op_classes.ts";
import { Op } from "./prep.ts";

/** Sends replies and notifications, counting what 3.8's stats count. */
export class Replies {
  /** ServerStats' request latency. */
  readonly latency = new MinAvgMax();
  packetsSent = 0;

  constructor(
    private readonly cnxns: ReadonlySet<ClientCnxn>,
    private readonly metrics: ServerMetrics,
    private readonly now: () => number,
  ) {}

  /** Queues a frame to a live connection; false when it is gone. */
  send(cnxn: ClientCnxn, bytes: Uint8Array): boolean {
    if (!this.cnxns.has(cnxn)) return false;
    cnxn.send(bytes);
    this.packetsSent++;
    return true;
  }

  /** Queues a frame (length prefix included) to a live connection; false when it is gone. */
  private sendFrame(cnxn: ClientCnxn, frame: Uint8Array): boolean {
    if (!this.cnxns.has(cnxn)) return false;
    cnxn.sendFrame(frame);
    this.packetsSent++;
    return true;
  }

  /** Sends a reply now (the caller answers in the session's order, from committed state). */
  reply(
    cnxn: ClientCnxn | null,
    xid: number,
    type: number,
    zxid: bigint,
    err: number,
    body: codec.Body | null,
    startMs: number,
    /** The txn's header time when the request made one (an update), else 0 (a read). */
    txnTime = 0,
  ): void {
    if (!cnxn) return;
    // An error reply carries a body only where 3.8 sends one (multiRead's partial response).
    const frame = codec.replyFrame(xid, zxid, err, body);
    cnxn.requestDone();
    const now = this.now();
    cnxn.finished(OP_NAMES[type] ?? "NA", xid, zxid, startMs, now);
    const lat = now - startMs;
    if (type !== Op.ping) this.latency.add(lat);
    if (type !== Op.auth && lat >= 0) {
      // ServerStats.updateLatency: requests with a txn header are updates.
      const pct = this.metrics.percentiles;
      if (txnTime > 0) {
        pct.updatelatency.add(lat);
        if (now >= txnTime) pct.propagation_latency.add(now - txnTime);
      } else {
        pct.readlatency.add(lat);
      }
    }
    if (this.sendFrame(cnxn, frame) && type !== Op.auth) {
      this.metrics.responseSent(frame.length - 4);
    }
  }

  /** Sends watch notifications. */
  deliver(fires: { watcher: ClientCnxn; type: number; path: string }[]): void {
    for (const f of fires) {
      const frame = codec.notificationFrame(f.type, 3, f.path);
      if (this.sendFrame(f.watcher, frame)) this.metrics.counters.watch_bytes += frame.length - 4;
    }
  }
}
