// What a LeaderShell is given and what it reports: the host's hooks (prep,
// sessions, the commit stage), the shell's options, and how a leadership ended.
import type { QuorumVerifier } from "../config/types.ts";
import type { ApplyResult } from "../data/apply.ts";
import type { ForwardedRequest, SessionTouch } from "./packets.ts";
import type { SyncPlan } from "./sync_plan.ts";
import type { ZabLog, ZabLogTxn } from "./zab_log.ts";

/** What the server side (prep, sessions, the commit stage) does for the leader. */
export interface ZabHost {
  /** A quorum acked NEWLEADER: serve clients, report `epoch` in the election vote. */
  serving?(epoch: bigint): void;
  /** A committed txn was applied to the tree (zxid order). */
  commit?(txn: ZabLogTxn, result: ApplyResult): void;
  /**
   * A learner forwarded a client request (after its UPTODATE). A sync
   * (OpCode.sync) must be answered through LeaderShell.sync(sid) once the
   * requests forwarded before it were proposed; without this hook syncs are
   * answered at once and other requests are dropped with a warning.
   */
  submit?(sid: bigint, request: ForwardedRequest): void;
  /** A learner's PING reply: the sessions it saw activity on. */
  touch?(sid: bigint, touches: readonly SessionTouch[]): void;
  /** A learner asks whether a reconnecting client's session is valid (default: it is in the tree). */
  revalidate?(sid: bigint, sessionId: bigint, timeout: number): boolean | Promise<boolean>;
  /** The sync mode chosen for a learner (for logs and tests). */
  synced?(sid: bigint, plan: Pick<SyncPlan, "mode" | "zxid" | "reason">): void;
}

/** How this leader runs. */
export interface LeaderShellOptions {
  myid: bigint;
  qv: QuorumVerifier;
  /** This server's quorum addresses (the first port of its server.N line). */
  addrs: { host: string; port: number }[];
  /** quorumListenOnAllIPs: bind the wildcard address on each port. */
  listenOnAllIPs?: boolean;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  zabLog: ZabLog;
  host?: ZabHost;
  /** Committed txns kept for DIFF (3.8's commitLogCount, 500). */
  windowSize?: number;
  /**
   * 3.8's per-learner queue metrics (ServerMetrics summary sets keyed by
   * sid): the packets still queued as each is taken for sending
   * (learner_handler_qp_size) and a marker's wait every 1000 packets
   * (learner_handler_qp_time_ms).
   */
  queueSample?(sid: bigint, metric: LearnerQueueMetric, value: number): void;
  /** Test hook, like -Dzookeeper.forceSnapshotSync: every learner gets a SNAP. */
  forceSnap?: boolean;
  /**
   * The logged history's tail from disk (leader_log.ts), used when the log's
   * in-memory window is shorter than windowSize (after a restart), as 3.8
   * fills its committedLog while replaying the log.
   */
  history?: () => Promise<readonly ZabLogTxn[]>;
}

/** The names of 3.8's learner handler queue summaries. */
export type LearnerQueueMetric = "learner_handler_qp_size" | "learner_handler_qp_time_ms";

/** How a leadership ended. */
export interface LeaderEnd {
  reason: string;
  /** Whether a quorum acked NEWLEADER (the epoch was established). */
  established: boolean;
  epoch: bigint;
}
