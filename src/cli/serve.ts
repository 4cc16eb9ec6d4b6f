// `zkt serve [--config zoo.cfg]`: a standalone ZooKeeper server on the client
// port. With no config it runs on built-in defaults (127.0.0.1:2181, ./zkt-data).
import { defaultStandaloneConfig, loadConfig } from "../config/load.ts";
import { logger } from "../log/logger.ts";
import { Database } from "../server/database.ts";
import { startAutopurge } from "../server/autopurge.ts";
import { ZkServer } from "../server/zk_server.ts";
import { adminConfLines, type ServerHttp, startServerHttp } from "../server/admin/start.ts";
import { RuntimeError, UsageError } from "../errors.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";

const log = logger("ZooKeeperServerMain");

interface Flags {
  config?: string;
  port?: string;
}

/** The zoo.cfg key (unknown keys become `zookeeper.`-prefixed properties in 3.8). */
const SUPER_DIGEST_KEY = "DigestAuthenticationProvider.superDigest";

/** Runs the server until SIGINT/SIGTERM; `ready` is called with the bound port. */
export async function runServe(
  args: string[],
  _io: CliIo,
  ready?: (port: number) => void,
): Promise<number> {
  const { values, positionals } = parseFlags<Flags>(args, {
    config: { type: "string", short: "c" },
    port: { type: "string", short: "p" },
  });
  expectPositionals(positionals, []);
  const cfg = values.config ? await loadConfig(values.config) : defaultStandaloneConfig();
  if (!values.config) cfg.adminServerAddress = "127.0.0.1"; // built-in defaults stay on loopback
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port: not a port number: ${values.port}`);
    }
    cfg.clientPort = port;
  }
  if (!cfg.standalone) {
    throw new RuntimeError(
      "this config describes an ensemble (server.N lines); zkt serve runs standalone servers",
    );
  }
  if (cfg.clientPort === undefined) throw new RuntimeError("no clientPort in the config");
  const db = await Database.open(cfg);
  const superDigest = cfg.extra.get(SUPER_DIGEST_KEY) ??
    Deno.env.get("ZKT_SUPER_DIGEST") ?? null;
  const num = (k: string) => {
    const v = cfg.extra.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  let http: ServerHttp | null = null;
  const server = new ZkServer({
    config: cfg,
    db,
    // zookeeper.nio.sessionlessCnxnTimeout (3.8 default 10 s).
    sessionlessTimeoutMs: num("nio.sessionlessCnxnTimeout"),
    // ContainerManager's interval (3.8: the znode.container.checkIntervalMs property, 60 s).
    containerCheckMs: num("znode.container.checkIntervalMs"),
    serverId: 1, // ZooKeeperServer.createSessionTrackerServerId in standalone
    superDigest,
    // zkt-only conf lines: where the AdminServer listens (`zkt conns` finds it there).
    extraFourLetter: () => ({ conf: adminConfLines(http) }),
  });
  const addr = server.start();
  const purge = startAutopurge(cfg);
  http = await startServerHttp(cfg, server, values.config);
  ready?.(addr.port);
  let stop!: (sig: string) => void;
  const stopped = new Promise<string>((r) => stop = r);
  const onInt = () => stop("SIGINT");
  const onTerm = () => stop("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  const sig = await stopped;
  log.info(`Received ${sig}: shutting down`);
  Deno.removeSignalListener("SIGINT", onInt);
  Deno.removeSignalListener("SIGTERM", onTerm);
  purge.stop();
  await http?.stop();
  await server.stop();
  log.info("shutdown complete");
  return 0;
}

/** The `zkt serve` command. */
export const serveCommand: Command = {
  names: ["serve"],
  summary: "run a standalone ZooKeeper server (client port, txn log, snapshots, 4lw)",
  usage: "[--config zoo.cfg] [--port N]",
  help: `Flags:
  -c, --config FILE  zoo.cfg to run with (default: standalone on 127.0.0.1:2181, data in ./zkt-data)
  -p, --port N       client port (overrides the config's clientPort)

Keys ZooKeeper reads from system properties can be set in zoo.cfg without the
"zookeeper." prefix, as 3.8 allows (e.g. DigestAuthenticationProvider.superDigest=super:...).
AdminServer: admin.enableServer (default true), admin.serverAddress, admin.serverPort (8080).
Prometheus /metrics: metricsProvider.className=org.apache.zookeeper.metrics.prometheus.
PrometheusMetricsProvider, metricsProvider.httpHost, metricsProvider.httpPort (7000).
SIGINT/SIGTERM stop accepting, flush the txn log, close clients and exit 0.`,
  run: (args, io) => runServe(args, io),
};
