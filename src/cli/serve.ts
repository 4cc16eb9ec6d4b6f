// `zkt serve [--config zoo.cfg]`: a standalone ZooKeeper server on the client
// port. With no config it runs on built-in defaults (127.0.0.1:2181, ./zkt-data).
// With server.N lines it runs an ensemble peer: it elects (FastLeaderElection
// beside zkt and Apache ZooKeeper peers) and reports its role on the
// AdminServer's election command; without Zab (a later issue) it serves no
// client sessions, so srvr/stat/mntr say "not currently serving".
import { defaultStandaloneConfig, loadConfig } from "../config/load.ts";
import { logger, setLogMyid } from "../log/logger.ts";
import { Database } from "../server/database.ts";
import { standaloneQuorumLines } from "../server/metrics/server_metrics.ts";
import { startAutopurge } from "../server/autopurge.ts";
import { startIdleReclaim } from "../server/idle_reclaim.ts";
import type { ServerMode } from "../server/server_options.ts";
import { summary, ZkServer } from "../server/zk_server.ts";
import { QuorumPeer } from "../peer/quorum_peer.ts";
import { quorumConfLines } from "../peer/quorum_conf.ts";
import type { PeerState } from "../election/notification.ts";
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
  if (cfg.clientPort === undefined) throw new RuntimeError("no clientPort in the config");
  if (!cfg.standalone && cfg.myid !== undefined) setLogMyid(cfg.myid); // 3.8's [myid:N]
  const db = await Database.open(cfg);
  // Ensemble: the restored tree's last zxid is the vote's zxid (3.8's
  // lastProcessedZxid after loadDataBase); the epochs are checked against it.
  const peer = cfg.standalone
    ? null
    : new QuorumPeer(cfg, { lastZxid: () => Promise.resolve(db.tree.lastProcessedZxid) });
  if (peer) {
    log.warn(
      "ensemble mode: this peer takes part in leader election only; Zab replication is " +
        "not implemented yet, so it serves no client sessions",
    );
    try {
      await peer.start();
    } catch (e) {
      await db.close();
      throw e;
    }
  }
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
    // ZooKeeperServer.createSessionTrackerServerId: 1 standalone, myid in an ensemble.
    serverId: peer ? Number(peer.myid) : 1,
    mode: peer ? () => modeOfPeer(peer.state) : undefined,
    // No Zab yet: an elected peer answers 4lw but closes clients, as 3.8
    // does while its ZooKeeperServer is not running.
    clientRequests: peer ? () => false : undefined,
    superDigest,
    // conf: where the AdminServer listens (zkt only; `zkt conns` finds it there),
    // then a quorum peer's lines as 3.8 prints them, membership block last.
    extraFourLetter: () => ({
      conf: peer ? [...adminConfLines(http), ...quorumConfLines(cfg)] : adminConfLines(http),
      // QuorumZooKeeperServer adds peer_state; the metrics dump has election_time.
      monitor: peer
        ? [
          ["peer_state", peer.state === "looking" ? "looking" : `${peer.state} - discovery`],
          ...summary("election_time", peer.electionTime),
        ]
        : standaloneQuorumLines(),
    }),
  });
  const addr = server.start();
  const purge = startAutopurge(cfg);
  const reclaim = startIdleReclaim(() => server.packetsReceived);
  http = await startServerHttp(
    cfg,
    server,
    values.config,
    peer ? () => peer.quorumView() : undefined,
    peer ? [["election_time", peer.electionTime]] : [],
  );
  ready?.(addr.port);
  let stop!: (sig: string) => void;
  const stopped = new Promise<string>((r) => stop = r);
  const onInt = () => stop("SIGINT");
  const onTerm = () => stop("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  // Only a signal ends serving normally; an unrecoverable error (a failed txn
  // log write, a snapshot that cannot be written) ends the process itself,
  // non-zero, through log/fatal.ts.
  const sig = await stopped;
  log.info(`Received ${sig}: shutting down`);
  Deno.removeSignalListener("SIGINT", onInt);
  Deno.removeSignalListener("SIGTERM", onTerm);
  purge.stop();
  reclaim.stop();
  await http?.stop();
  await peer?.stop();
  await server.stop();
  log.info("shutdown complete");
  return 0;
}

/** The client port's mode for an FLE state (srvr's "Mode:" words). */
export function modeOfPeer(state: PeerState): ServerMode {
  switch (state) {
    case "leading":
      return "leader";
    case "following":
      return "follower";
    case "observing":
      return "observer";
    case "looking":
      return "looking";
  }
}

/** The `zkt serve` command. */
export const serveCommand: Command = {
  names: ["serve"],
  summary: "run a ZooKeeper server: standalone, or an ensemble peer (election only, no Zab yet)",
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
data dir (last zxid), checks currentEpoch/acceptedEpoch, and takes part in leader
election beside zkt or Apache ZooKeeper peers; the AdminServer's election
command and probe-election show its role. Zab replication is not implemented
yet: client connections are closed and srvr/stat/mntr answer "This ZooKeeper
instance is not currently serving requests", as 3.8 does until it serves.`,
  run: (args, io) => runServe(args, io),
};
