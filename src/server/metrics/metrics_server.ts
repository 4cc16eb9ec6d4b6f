// The /metrics endpoint ZooKeeper's PrometheusMetricsProvider serves on
// metricsProvider.httpHost:metricsProvider.httpPort: every numeric mntr value
// under its ZooKeeper name, read fresh on each scrape.
import { logger } from "../../log/logger.ts";
import type { MinAvgMax } from "../four_letter.ts";
import type { FourLetterView } from "../four_letter.ts";
import { type HttpServer, startHttp } from "../admin/http_server.ts";
import { CONTENT_TYPE_004, familiesFromMonitor, formatText004 } from "./prometheus.ts";
import { SummaryWindow } from "./summary_window.ts";

const log = logger("PrometheusMetricsProvider");

/** The metricsProvider.className that turns the endpoint on. */
export const PROMETHEUS_PROVIDER =
  "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

/** What the endpoint reads: the mntr view, and latency-type stats whose observations it samples. */
export interface MetricsSource {
  view(): FourLetterView;
  /**
   * Summaries (mntr's avg_/min_/max_/cnt_/sum_ groups, by name without the
   * prefix) to sample for quantiles, e.g. ["fsynctime", server.fsyncTime].
   */
  sampled?: [string, MinAvgMax][];
}

/**
 * Samples every value added to a MinAvgMax into a window. MinAvgMax keeps
 * only min/avg/max, and quantiles need the observations themselves.
 */
export function tapSummary(m: MinAvgMax, w: SummaryWindow, now: () => number): void {
  const add = m.add.bind(m);
  m.add = (v: number) => {
    add(v);
    w.observe(v, now());
  };
}

/** Renders one scrape; `names` (simpleclient's name[] filter) limits the families. */
export function scrape(
  view: FourLetterView,
  windows: Map<string, SummaryWindow>,
  nowMs: number,
  names: string[] = [],
): string {
  const fams = familiesFromMonitor(
    view.monitor,
    (name, q) => windows.get(name)?.quantile(q, nowMs),
  );
  return formatText004(names.length === 0 ? fams : fams.filter((f) => names.includes(f.name)));
}

/** Starts /metrics; throws HttpBindError when the port cannot be bound. */
export function startMetricsServer(opts: {
  hostname: string;
  port: number;
  source: MetricsSource;
}): HttpServer {
  const windows = new Map<string, SummaryWindow>();
  for (const [name, m] of opts.source.sampled ?? []) {
    const w = new SummaryWindow();
    tapSummary(m, w, Date.now);
    windows.set(name, w);
  }
  const http = startHttp(
    {
      hostname: opts.hostname,
      port: opts.port,
      name: "/metrics",
      portKey: "metricsProvider.httpPort",
    },
    (url) => {
      if (url.pathname !== "/metrics") {
        return new Response("Not Found\n", {
          status: 404,
          headers: { "content-type": "text/plain" },
        });
      }
      const body = scrape(
        opts.source.view(),
        windows,
        Date.now(),
        url.searchParams.getAll("name[]"),
      );
      return new Response(body, { headers: { "content-type": CONTENT_TYPE_004 } });
    },
  );
  log.info(`Starting /metrics HTTP endpoint at host: ${opts.hostname}, port: ${http.addr.port}`);
  return http;
}
