// The composition root of a running zkt: from a ZkConfig to a standalone
// server or an ensemble peer (3.8's ZooKeeperServerMain / QuorumPeerMain).
// It restores the data dir, starts the election (ensemble), the client port,
// the AdminServer and /metrics, autopurge and idle memory reclaim, and hands
// back one handle to stop them all in order. `zkt serve` parses flags around it.
import type { ZkConfig } from "../config/types.ts";
import type { PeerState } from "../election/notification.ts";
import { ExitCode, fatal } from "../log/fatal.ts";
import { logger, setLogMyid } from "../log/logger.ts";
import { adminConfLines, type ServerHttp, startServerHttp } from "../server/admin/start.ts";
import { startAutopurge } from "../server/autopurge.ts";
import { Database, type ServerDatabase } from "../server/database.ts";
import { startIdleReclaim } from "../server/idle_reclaim.ts";
import { recordFlush } from "../server/commit_metrics.ts";
import { standaloneQuorumLines } from "../server/metrics/server_metrics.ts";
import type { ServerMode } from "../server/server_options.ts";
import { summary, ZkServer } from "../server/zk_server.ts";
import { RuntimeError } from "../errors.ts";
import { quorumConfLines } from "./quorum_conf.ts";
import { QuorumPeer } from "./quorum_peer.ts";
import { FileZabLog } from "../zab/file_zab_log.ts";
import { LearnerRole } from "./learner_role.ts";
import { Leading } from "./leader_role.ts";
import { ZabServerDatabase } from "./zab_database.ts";

/** 3.8 logs a failed log write from its SyncThread (a ZooKeeperCriticalThread). */
const log = logger("SyncThread");

/** The zoo.cfg key (unknown keys become `zookeeper.`-prefixed properties in 3.8). */
const SUPER_DIGEST_KEY = "DigestAuthenticationProvider.superDigest";

/** What the caller adds to the config. */
export interface PeerMainOptions {
  /** The zoo.cfg path, shown by the AdminServer's initial_configuration. */
  configPath?: string;
  /** The super user's digest when the config names none (zkt serve: $ZKT_SUPER_DIGEST). */
  superDigest?: string;
}

/** A running server or peer. */
export interface PeerHandle {
  /** The client port it bound. */
  readonly port: number;
  /** The ensemble half; null when standalone. */
  readonly peer: QuorumPeer | null;
  /** The client port's server. */
  readonly server: ZkServer;
  /** Settles once everything is stopped (by stop(), or one day by the peer itself). */
  readonly done: Promise<void>;
  /** Stops the listeners, the election and the server (the txn log made durable); idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds and starts a standalone server, or an ensemble peer when the config
 * has server.N lines. A failed txn-log write or snapshot ends the process
 * through log/fatal.ts, not through the handle.
 */
export async function startPeerMain(
  cfg: ZkConfig,
  opts: PeerMainOptions = {},
): Promise<PeerHandle> {
  if (cfg.clientPort === undefined) throw new RuntimeError("no clientPort in the config");
  if (!cfg.standalone && cfg.myid !== undefined) setLogMyid(cfg.myid); // 3.8's [myid:N]
  // Ensemble: one storage object for the server and Zab (a ZabLog); its last
  // logged zxid is the vote's zxid and the epochs are checked against it.
  const zl = cfg.standalone ? null : await openZabLog(cfg);
  const db: ServerDatabase = zl ? new ZabServerDatabase(zl) : await Database.open(cfg);
  let server: ZkServer | null = null;
  const learner = zl
    ? new LearnerRole({
      config: cfg,
      zabLog: zl,
      server: () => server,
      established: (epoch) => peer?.updateElectionVote(epoch),
      ended: (roleId, reason) => peer?.roleEnded(roleId, reason),
    })
    : null;
  const leading = zl
    ? new Leading({
      cfg,
      zabLog: zl,
      server: () => server,
      established: (epoch) => peer?.updateElectionVote(epoch),
      ended: (roleId, reason, why) => peer?.roleEnded(roleId, reason, `${why}; looking again`),
    })
    : null;
  const peer: QuorumPeer | null = zl && learner
    ? new QuorumPeer(cfg, {
      lastZxid: () => Promise.resolve(zl.lastLoggedZxid),
      currentEpoch: () => zl.currentEpoch,
      broadcasting: () => learner.serving || leading!.serving,
      learnerHandlers: () => leading!.learnerHandlers(),
      host: {
        startRole: (role, leader, roleId) =>
          leading!.start(role, roleId) || learner.start(role, leader, roleId),
        stopZab: async () => {
          await leading!.stopZab();
          await learner.stopZab();
        },
        // A batch the txn log could not take ends the process, as 3.8's
        // SyncRequestProcessor does (exit 1): a supervisor restarts it from
        // what is durable. Looking again would serve a tree ahead of its log.
        drainLog: () =>
          zl.drain().catch((e: Error) =>
            fatal(
              log,
              `Severe unrecoverable error, exiting: txn log write failed: ${e.message}`,
              ExitCode.UNEXPECTED_ERROR,
            )
          ),
        fastForward: () => learner.fastForward(),
        dropOutstanding: () => {
          leading!.dropOutstanding();
          learner.dropOutstanding();
        },
        closeClients: () => server?.closeClients(),
      },
    })
    : null;
  const superDigest = cfg.extra.get(SUPER_DIGEST_KEY) ?? opts.superDigest ?? null;
  const num = (k: string) => {
    const v = cfg.extra.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  let http: ServerHttp | null = null;
  server = new ZkServer({
    config: cfg,
    db,
    // zookeeper.nio.sessionlessCnxnTimeout (3.8 default 10 s).
    sessionlessTimeoutMs: num("nio.sessionlessCnxnTimeout"),
    // ContainerManager's interval (3.8: the znode.container.checkIntervalMs property, 60 s).
    containerCheckMs: num("znode.container.checkIntervalMs"),
    // ZooKeeperServer.createSessionTrackerServerId: 1 standalone, myid in an ensemble.
    serverId: peer ? Number(peer.myid) : 1,
    syncMeteredByLog: zl !== null,
    mode: peer ? () => modeOfPeer(peer.state) : undefined,
    // An elected peer answers 4lw but closes clients, as 3.8 does while its
    // ZooKeeperServer is not running: a learner serves from UPTODATE on.
    clientRequests: peer ? () => learner!.serving || leading!.serving : undefined,
    superDigest,
    // conf: where the AdminServer listens (zkt only; `zkt conns` finds it there),
    // then a quorum peer's lines as 3.8 prints them, membership block last.
    extraFourLetter: () => ({
      conf: peer ? [...adminConfLines(http), ...quorumConfLines(cfg)] : adminConfLines(http),
      // QuorumZooKeeperServer adds peer_state; the metrics dump has election_time.
      monitor: peer
        ? [
          [
            "peer_state",
            peer.state === "looking"
              ? "looking"
              : `${peer.state} - ${
                learner!.serving || leading!.serving ? "broadcast" : "discovery"
              }`,
          ],
          ...summary("election_time", peer.electionTime),
          ...leading!.monitorLines(),
        ]
        : standaloneQuorumLines(),
      // A leader's srvr/stat add its proposal sizes after the node count.
      stat: leading?.statLines(),
    }),
  });
  // Every 3.8 role meters its log's group commits (fsynctime, sync_processor_*).
  const metrics = server.metrics;
  if (zl) zl.onFlush = (r) => recordFlush(metrics, r);
  if (peer) {
    try {
      await peer.start();
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  let addr: Deno.NetAddr;
  try {
    addr = server.start();
  } catch (e) {
    // The client port is taken: nothing else was started yet.
    await peer?.stop();
    await server.stop();
    throw e;
  }
  const purge = startAutopurge(cfg);
  const reclaim = startIdleReclaim(() => server.packetsReceived);
  http = await startServerHttp(
    cfg,
    server,
    opts.configPath,
    peer ? () => peer.quorumView() : undefined,
    peer ? [["election_time", peer.electionTime]] : [],
  );
  let finish!: () => void;
  const done = new Promise<void>((r) => finish = r);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    stopping ??= (async () => {
      purge.stop();
      reclaim.stop();
      await http?.stop();
      await peer?.stop();
      await server.stop();
    })().finally(finish);
  return { port: addr.port, peer, server: server!, done, stop };
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

/** Restores an ensemble peer's data dir as the ZabLog its server and Zab share. */
function openZabLog(cfg: ZkConfig): Promise<FileZabLog> {
  return FileZabLog.open({
    dataDir: cfg.dataDir,
    dataLogDir: cfg.dataLogDir,
    forceSync: cfg.forceSync,
    preAllocSize: cfg.preAllocSizeKb * 1024,
    extendedTypes: cfg.extendedTypesEnabled,
    snapCount: cfg.snapCount,
    configNode: cfg.quorumVerifier
      ? { text: cfg.quorumVerifier.toConfigString(), version: cfg.quorumVerifier.version }
      : undefined,
  });
}
