// The client connections of one server: admission by maxClientCnxns (per
// remote ip, as 3.8's NIOServerCnxnFactory counts), the connection serving
// each session, and the cleanup when one closes.
import type { ZkConfig } from "../config/types.ts";
import type { WatchManager } from "../data/watch_manager.ts";
import { logger } from "../log/logger.ts";
import { ClientCnxn, type CnxnHandler } from "./cnxn.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";

const log = logger("ZooKeeperServer");

/** Live connections and who serves each session. */
export class Connections {
  readonly all = new Set<ClientCnxn>();
  /** The connection serving each session (a reconnect takes it over). */
  readonly bySession = new Map<bigint, ClientCnxn>();

  constructor(
    private readonly cfg: ZkConfig,
    private readonly metrics: ServerMetrics,
    private readonly watches: WatchManager<ClientCnxn>,
  ) {}

  /** Admits a new TCP connection (or closes it: too many from its ip) and runs it. */
  async accept(conn: Deno.Conn, handler: CnxnHandler, sessionlessMs: number): Promise<void> {
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
    const max = this.cfg.maxClientCnxns;
    if (max > 0) {
      let n = 0;
      for (const c of this.all) if (c.remoteIp === ip) n++;
      if (n >= max) {
        log.warn(`Too many connections from /${ip} - max is ${max}`);
        this.metrics.counters.connection_rejected++;
        conn.close();
        return;
      }
    }
    if (ip.startsWith("127.") || ip === "::1") this.metrics.nonMtlsLocal++;
    else this.metrics.nonMtlsRemote++;
    const c = new ClientCnxn(conn, this.cfg.juteMaxBuffer);
    this.all.add(c);
    await c.run(handler, sessionlessMs);
  }

  /** A connection closed: it serves no session and holds no watch any more. */
  closed(cnxn: ClientCnxn): void {
    this.all.delete(cnxn);
    if (cnxn.sessionId !== 0n && this.bySession.get(cnxn.sessionId) === cnxn) {
      this.bySession.delete(cnxn.sessionId);
    }
    this.watches.removeWatcher(cnxn);
  }

  /** Closes every connection now. */
  closeAll(): void {
    for (const c of [...this.all]) c.close();
  }
}
