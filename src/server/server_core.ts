// What the client-port server's parts share (zk_server.ts builds it): the
// config, the database, the metrics, the connection of each session, the
// chain and learner front of the current role, and the few acts every part
// needs — hand a txn to the chain, answer in a session's order, reply.
import type { ZkConfig } from "../config/types.ts";
import type { ClientCnxn } from "./cnxn.ts";
import type { ServerDatabase } from "./database.ts";
import type { JavaSetOrder } from "./java_set_order.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import type { ChainTxn } from "./pipeline/commit.ts";
import type { LearnerFront } from "./pipeline/learner.ts";
import type { Chain } from "./pipeline/standalone.ts";
import type { PreparedTxn } from "./prep.ts";
import type { ReadContext } from "./read_ops.ts";
import type { Replies } from "./replies.ts";

/** The server as its parts see it. */
export interface ServerCore {
  readonly cfg: ZkConfig;
  readonly db: ServerDatabase;
  readonly metrics: ServerMetrics;
  /** The connection serving each session (a reconnect takes it over). */
  readonly bySession: Map<bigint, ClientCnxn>;
  /** The Java HashSet orders children and ephemerals are listed in. */
  readonly order: JavaSetOrder;
  /** What read ops see of this server. */
  readonly reads: ReadContext;
  readonly replies: Replies;
  /** The current role's chain. */
  readonly chain: Chain;
  /** A follower's or observer's front while it has that role. */
  readonly learner: LearnerFront | null;
  /** The last zxid the tree reflects. */
  readonly lastZxid: bigint;
  /** Wall-clock ms (txn times, ids). */
  now(): number;
  /** Monotonic ms (session deadlines). */
  mono(): number;
  serving(): boolean;
  /** A request entered the pipeline (prep and sync counters). */
  requestQueued(): void;
  /** Runs `run` once the session's earlier requests are answered. */
  answer(cnxn: ClientCnxn, run: () => void): void;
  /** Hands a prepared txn to the chain (next zxid, overlay, log batch). */
  submit(sessionId: bigint, cxid: number, t: PreparedTxn, startMs?: number): ChainTxn;
}
