// What a ZkServer is built from: its config and database, and the hooks a
// quorum peer supplies (mode, zxids, extra four-letter lines); clocks for tests.
import type { ZkConfig } from "../config/types.ts";
import type { ServerDatabase } from "./database.ts";

/** The role the client port serves in; supplied from outside (QuorumPeer in an ensemble). */
export type ServerMode =
  | "standalone"
  | "leader"
  | "follower"
  | "observer"
  | "looking";

/** Everything the server is built from. */
export interface ZkServerOptions {
  config: ZkConfig;
  /** The restored database: tree, durable log, snapshots. */
  db: ServerDatabase;
  /** Hands out zxids (default: one more than the last, epoch bits as restored). */
  nextZxid?: () => bigint;
  /** The current mode (a function so the owner can change it). Default "standalone". */
  mode?: () => ServerMode;
  /**
   * Whether client sessions are served in the modes that answer 4lw (default
   * yes). An ensemble peer says false until its role has synced: clients are closed and
   * srvr/stat/mntr say "not serving", as 3.8 does while its ZooKeeperServer is
   * not running.
   */
  clientRequests?: () => boolean;
  /**
   * The Zab log meters the sync stage (an ensemble peer): it counts each
   * logged txn as sync-queued, as 3.8's SyncRequestProcessor does on every
   * role, so a request entering here is not counted as one.
   */
  syncMeteredByLog?: boolean;
  /** Server id in the session ids' high byte (3.8 standalone uses 1; a quorum peer its myid). */
  serverId?: number;
  /** zookeeper.DigestAuthenticationProvider.superDigest ("super:<base64 sha1>"). */
  superDigest?: string | null;
  /** How long a connection may stay without a session (ms). */
  sessionlessTimeoutMs?: number;
  /** ContainerManager's check interval (ms); 0 disables container/TTL reaping. */
  containerCheckMs?: number;
  /** Wall clock (txn times, session id bits), for tests. */
  now?: () => number;
  /** Monotonic clock in ms (session deadlines), for tests. */
  monotonic?: () => number;
  /** Version text printed by srvr/stat/mntr. */
  version?: string;
  /**
   * Extra lines a quorum peer adds to four-letter words: conf (initLimit,
   * membership, ...), mntr (zk_followers, ...) and srvr/stat after "Node count"
   * (the leader's "Proposal sizes last/min/max").
   */
  extraFourLetter?: () => {
    conf?: [string, string | number | null][];
    monitor?: [string, string | number][];
    stat?: string[];
  };
}
