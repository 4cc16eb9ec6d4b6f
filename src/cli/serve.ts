// `zkt serve [--config zoo.cfg]`: a standalone ZooKeeper server on the client
// port. With no config it runs on built-in defaults (127.0.0.1:2181, ./zkt-data).
// With server.N lines it runs an ensemble peer: it elects (FastLeaderElection
// beside zkt and Apache ZooKeeper peers), then leads, follows or observes over
// Zab and serves clients once synced. This file parses flags and waits for a
// signal; peer/peer_main.ts builds the server.
import { defaultStandaloneConfig, loadConfig } from "../config/load.ts";
import { logger } from "../log/logger.ts";
import { startPeerMain } from "../peer/peer_main.ts";
import { UsageError } from "../errors.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";

const log = logger("ZooKeeperServerMain");

interface Flags {
  config?: string;
  port?: string;
}

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
  const handle = await startPeerMain(cfg, {
    configPath: values.config,
    superDigest: Deno.env.get("ZKT_SUPER_DIGEST"),
  });
  ready?.(handle.port);
  let stop!: (sig: string) => void;
  const stopped = new Promise<string>((r) => stop = r);
  const onInt = () => stop("SIGINT");
  const onTerm = () => stop("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  // Only a signal ends serving normally; an unrecoverable error (a failed txn
  // log write, a snapshot that cannot be written) ends the process itself,
  // non-zero, through log/fatal.ts.
  const sig = await Promise.race([stopped, handle.done.then(() => null)]);
  Deno.removeSignalListener("SIGINT", onInt);
  Deno.removeSignalListener("SIGTERM", onTerm);
  if (sig === null) {
    log.info("the server stopped; shutting down");
  } else {
    log.info(`Received ${sig}: shutting down`);
    await handle.stop();
  }
  log.info("shutdown complete");
  return 0;
}

/** The `zkt serve` command. */
export const serveCommand: Command = {
  names: ["serve"],
  summary: "run a ZooKeeper server: standalone, or an ensemble peer (leader, follower or observer)",
  usage: "[--config zoo.cfg] [--port N]",
  help: `Flags:
  -c, --config FILE  zoo.cfg to run with (default: standalone on 127.0.0.1:2181, data in ./zkt-data)
  -p, --port N       client port (overrides the config's clientPort)

Keys ZooKeeper reads from system properties can be set in zoo.cfg without the
"zookeeper." prefix, as 3.8 allows (e.g. DigestAuthenticationProvider.superDigest=super:...).
AdminServer: admin.enableServer (default true), admin.serverAddress, admin.serverPort (8080).
Prometheus /metrics: metricsProvider.className=org.apache.zookeeper.metrics.prometheus.
PrometheusMetricsProvider, metricsProvider.httpHost, metricsProvider.httpPort (7000).
SIGINT/SIGTERM stop accepting, flush the txn log, close clients and exit 0. A txn log
write or fsync that fails ends the process with exit 1, a snapshot that cannot be
written with exit 10 (ZooKeeper 3.8's codes), after one last ERROR line.

With server.N lines (and dataDir/myid) it runs an ensemble peer: it restores the
data dir (last zxid), checks currentEpoch/acceptedEpoch, elects beside zkt or
Apache ZooKeeper peers, then leads, follows or observes over Zab on the quorum
port. Until it has synced, client connections are closed and srvr/stat/mntr
answer "This ZooKeeper instance is not currently serving requests", as 3.8
does; the AdminServer's election command and probe-election show its role.
localSessionsEnabled keeps new sessions on their server until an ephemeral
create upgrades them, as 3.8 does (standalone ignores it).`,
  run: (args, io) => runServe(args, io),
};
