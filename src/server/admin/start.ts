// Starts a server's HTTP side from its config: the AdminServer (unless
// admin.enableServer=false) and the Prometheus endpoint (when
// metricsProvider.className names PrometheusMetricsProvider). A port that
// cannot be bound is logged and the client port keeps serving, as a 3.8
// QuorumPeer does with its AdminServer.
import type { ZkConfig } from "../../config/types.ts";
import { logger } from "../../log/logger.ts";
import type { MinAvgMax } from "../four_letter.ts";
import type { ZkServer } from "../zk_server.ts";
import { startAdminServer } from "./admin_server.ts";
import { HTTP_DEFAULT_LIMITS, type HttpLimits, type HttpServer } from "./http_server.ts";
import type { QuorumView } from "./quorum_view.ts";
import { PROMETHEUS_PROVIDER, startMetricsServer } from "../metrics/metrics_server.ts";

const log = logger("ZooKeeperServerMain");

/** The HTTP listeners a server runs beside its client port. */
export interface ServerHttp {
  admin: HttpServer | null;
  /** admin.serverAddress as configured (the bound address may be a wildcard). */
  adminAddress: string;
  metrics: HttpServer | null;
  stop(): Promise<void>;
}

/** conf 4lw lines naming the AdminServer's address (zkt only; none when it is off). */
export function adminConfLines(http: ServerHttp | null): [string, string | number][] {
  if (!http?.admin) return [];
  return [["admin.serverAddress", http.adminAddress], ["admin.serverPort", http.admin.addr.port]];
}

/**
 * The AdminServer's connection bounds from zoo.cfg: admin.idleTimeout (3.8's
 * key, ms), and zkt's admin.headerReadTimeout (ms) and admin.maxConnections.
 * A value that is not a positive integer keeps the default, with a warning.
 */
export function adminLimits(cfg: ZkConfig): HttpLimits {
  const read = (key: string, dflt: number): number => {
    const v = cfg.extra.get(key);
    if (v === undefined) return dflt;
    if (/^\d+$/.test(v.trim()) && Number(v) > 0) return Number(v);
    log.warn(`${key}=${v} is not a positive integer; using ${dflt}`);
    return dflt;
  };
  const d = HTTP_DEFAULT_LIMITS;
  return {
    ...d,
    idleTimeoutMs: read("admin.idleTimeout", d.idleTimeoutMs),
    headerTimeoutMs: read("admin.headerReadTimeout", d.headerTimeoutMs),
    maxConnections: read("admin.maxConnections", d.maxConnections),
  };
}

/** Starts the AdminServer and metrics endpoint the config asks for. */
export async function startServerHttp(
  cfg: ZkConfig,
  server: ZkServer,
  configPath?: string,
  quorum?: () => QuorumView | null,
  /** More summaries for /metrics to sample (a quorum peer's election_time, ...). */
  sampled: [string, MinAvgMax][] = [],
): Promise<ServerHttp> {
  let admin: HttpServer | null = null;
  let metrics: HttpServer | null = null;
  if (cfg.adminEnableServer) {
    let initialConfig: string | null = null;
    if (configPath) {
      try {
        initialConfig = await Deno.readTextFile(configPath);
      } catch { /* moved since it was loaded: leave it out */ }
    }
    try {
      admin = startAdminServer({
        hostname: cfg.adminServerAddress,
        port: cfg.adminServerPort,
        view: () => server.fourLetterView(),
        quorum,
        snapDir: server.db.snapDir,
        initialConfig,
        limits: adminLimits(cfg),
      });
    } catch (e) {
      log.error(`Problem starting AdminServer: ${(e as Error).message}`);
    }
  }
  if (cfg.metricsProviderClassName === PROMETHEUS_PROVIDER) {
    const host = cfg.extra.get("metricsProvider.httpHost") ?? "0.0.0.0";
    try {
      metrics = startMetricsServer({
        hostname: host,
        port: cfg.metricsProviderHttpPort,
        source: {
          view: () => server.fourLetterView(),
          sampled: [...server.metrics.allSummaries(), ...sampled],
        },
      });
    } catch (e) {
      log.error(`Cannot start /metrics server: ${(e as Error).message}`);
    }
  }
  return {
    admin,
    adminAddress: cfg.adminServerAddress,
    metrics,
    async stop() {
      await admin?.stop();
      await metrics?.stop();
    },
  };
}
