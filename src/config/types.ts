// The typed, validated zoo.cfg that the rest of zkt reads.

/** A host and port as written in the config (host is not resolved). */
export interface HostPort {
  host: string;
  port: number;
}

/** A server's role in the ensemble. */
export type LearnerType = "participant" | "observer";

/** One `server.N=...` line. */
export interface QuorumServer {
  id: number;
  /** Quorum (Zab) addresses, one per `|`-separated part. */
  addrs: HostPort[];
  /** Election (FLE) addresses, paired with `addrs` by index. */
  electionAddrs: HostPort[];
  /** Client address given after `;` in the server line (host "0.0.0.0" when only a port). */
  clientAddr?: HostPort;
  type: LearnerType;
}

/** Decides which sets of servers form a quorum in one configuration. */
export interface QuorumVerifier {
  readonly kind: "majority" | "hierarchical";
  /** True when the voting members among `ids` form a quorum (non-voters are ignored). */
  containsQuorum(ids: Iterable<number>): boolean;
  /** Participants and observers, by sid ascending. */
  readonly allMembers: Map<number, QuorumServer>;
  readonly votingMembers: Map<number, QuorumServer>;
  readonly observingMembers: Map<number, QuorumServer>;
  /** A server's vote weight (1 for every id under majority; 0 for unknown ids under hierarchical). */
  weight(id: number): number;
  /** The config version (the zxid that committed it; 0 for a static config). */
  version: bigint;
  /** The text ZooKeeper puts in /zookeeper/config and FLE notifications. */
  toConfigString(): string;
}

/** The effective configuration of one zkt peer, as ZooKeeper 3.8 would run it. */
export interface ZkConfig {
  /** The file it was read from, if any. */
  path?: string;
  /** Milliseconds per tick. */
  tickTime: number;
  /** Ticks a follower may take to connect and sync to the leader. */
  initLimit: number;
  /** Ticks a follower may lag behind the leader. */
  syncLimit: number;
  dataDir: string;
  /** Where txn logs go (dataDir when not set). */
  dataLogDir: string;
  /** Effective client port (from the server line of myid when it has one); undefined: no client listener. */
  clientPort: number | undefined;
  /** Effective client listen host ("0.0.0.0" when only a port was given). */
  clientPortAddress: string | undefined;
  /** Max connections per client IP; 0 = unlimited. */
  maxClientCnxns: number;
  /** Session timeout bounds in ms (defaults 2× and 20× tickTime). */
  minSessionTimeout: number;
  maxSessionTimeout: number;
  autopurgeSnapRetainCount: number;
  /** Hours between purges; 0 = off. */
  autopurgePurgeInterval: number;
  snapCount: number;
  /** Txn log preallocation in KiB, as zoo.cfg writes it. */
  preAllocSizeKb: number;
  electionAlg: 3;
  /** The role this peer runs as (the server list wins over the peerType key, as in 3.8). */
  peerType: LearnerType;
  quorumListenOnAllIPs: boolean;
  /** Election connection timeout in ms. */
  cnxTimeout: number;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  dynamicConfigFile: string | undefined;
  /** Enabled four-letter words; "*" means all. Always contains "srvr", as in 3.8. */
  fourLetterWordWhitelist: string[];
  adminEnableServer: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  metricsProviderClassName: string;
  metricsProviderHttpPort: number;
  localSessionsEnabled: boolean;
  localSessionsUpgradingEnabled: boolean;
  syncEnabled: boolean;
  forceSync: boolean;
  juteMaxBuffer: number;
  extendedTypesEnabled: boolean;
  multiAddressEnabled: boolean;
  /** Every server line (participants and observers), by sid, ascending. */
  servers: Map<number, QuorumServer>;
  /** From dataDir/myid; undefined when the file is absent. */
  myid: number | undefined;
  /** True when ZooKeeper 3.8 would run this as a standalone server. */
  standalone: boolean;
  /** Undefined when there are no server lines. */
  quorumVerifier: QuorumVerifier | undefined;
  /** Keys zkt does not know, kept as written (trimmed). */
  extra: Map<string, string>;
  /** zoo.cfg keys that were not set and took their default. */
  defaulted: Set<string>;
}
