// The learner core's vocabulary: the txns it holds, the actions it asks the
// shell to perform, its options and phases (shared by learner.ts and its parts).
import type { QuorumPacket } from "../jute/quorum.ts";
import type { TxnHeader } from "../jute/txn.ts";
import type { ForwardedRequest, SessionTouch } from "./packets.ts";

/** A txn as the learner holds it: its zxid (from the TxnHeader), header and txn-entry bytes. */
export interface LearnerTxn {
  zxid: bigint;
  header: TxnHeader;
  /** TxnHeader + body + optional TxnDigest, as PROPOSAL/INFORM carry it and the log stores it. */
  entry: Uint8Array;
}

/** How the learner was brought in line with the leader (Java's SyncMode). */
export type SyncMode = "DIFF" | "TRUNC" | "SNAP";

/**
 * What the shell must do, in list order. Disk actions that the core waits for
 * name their completion; the others are fire-and-forget (or, for append,
 * reported through persisted() as the log writer's batches reach the disk).
 */
export type LearnerAction =
  /** Write this packet to the leader. */
  | { kind: "send"; packet: QuorumPacket }
  /** Write the acceptedEpoch file (tmp + fsync + rename); then call acceptedEpochWritten(). */
  | { kind: "writeAcceptedEpoch"; epoch: bigint }
  /** Truncate the txn log after `zxid` (kept) and reload the database from disk; then truncated(). */
  | { kind: "truncate"; zxid: bigint }
  /**
   * Clear the database and load the snapshot body that follows the SNAP packet
   * on the stream (check "BenWasHere"); its zxid is `zxid`. Then snapshotLoaded().
   */
  | { kind: "loadSnapshot"; zxid: bigint }
  /** Write a snapshot of the in-memory tree (fsync only if asked); then snapshotWritten(). */
  | { kind: "takeSnapshot"; zxid: bigint; fsync: boolean }
  /** Append txns to the log, in order; report persisted(zxid) once they are fsynced. */
  | { kind: "append"; txns: LearnerTxn[] }
  /** Write the currentEpoch file (tmp + fsync + rename); then currentEpochWritten(). */
  | { kind: "writeCurrentEpoch"; epoch: bigint }
  /**
   * Apply a committed txn to the tree (in zxid order). After a fuzzy SNAP it may
   * already be in the tree: apply must be idempotent, as for log replay.
   */
  | { kind: "apply"; txn: LearnerTxn }
  /** Synced: open the client port (and set the election vote's epoch). */
  | { kind: "startServing"; epoch: bigint }
  /** The leader answered the oldest forwarded sync: release it (after the applies before it). */
  | { kind: "syncDone"; request: ForwardedRequest }
  /** The leader's answer to a REVALIDATE this learner sent. */
  | { kind: "revalidated"; sessionId: bigint; valid: boolean }
  /** Something Java only logs; the link goes on. */
  | { kind: "warn"; message: string }
  /**
   * The link ends (the peer re-elects; a Java learner would exit on some of
   * these). `memory` says how to bring the database back in line with the disk:
   * "fast-forward" from the log (after draining the log writer, ZOOKEEPER-4712),
   * or "reload" from disk because memory holds state no file has (a SNAP or
   * txns applied before NEWLEADER's snapshot, ZOOKEEPER-3642).
   */
  | { kind: "leave"; reason: string; memory: "fast-forward" | "reload" };

/** What the learner starts from. */
export interface LearnerOptions {
  /** This server's id (myid). */
  sid: bigint;
  /** Observer (OBSERVERINFO, INFORM, no ACKs) rather than follower. */
  observer: boolean;
  /** The acceptedEpoch file's value. */
  acceptedEpoch: bigint;
  /** The currentEpoch file's value. */
  currentEpoch: bigint;
  /** The last zxid durable in the txn log (memory fast-forwarded to it): ACKEPOCH's zxid. */
  lastLoggedZxid: bigint;
  /** The local quorum verifier's version, sent in LearnerInfo (default 0). */
  configVersion?: bigint;
  /**
   * Read timeouts in ticks, as Java's SO_TIMEOUT: initLimit until NEWLEADER is
   * acknowledged, syncLimit after. Omitted: tick() never ends the link.
   */
  initLimit?: number;
  syncLimit?: number;
  /**
   * The sessions touched since the last PING reply (and forgets them): the
   * reply's touch table. Default: none.
   */
  takeTouches?: () => readonly SessionTouch[];
}

/** Where the learner is in Zab's phases. */
export type LearnerPhase =
  | "new" //           start() not called yet
  | "registering" //   FOLLOWERINFO/OBSERVERINFO sent, waiting for LEADERINFO
  | "awaiting-sync" // ACKEPOCH sent, waiting for DIFF/TRUNC/SNAP
  | "syncing" //       synchronizing, waiting for NEWLEADER
  | "synced" //        NEWLEADER acknowledged, waiting for UPTODATE
  | "broadcast" //     serving
  | "left";

/** Where a learner part writes its actions, and how it ends the link. */
export interface LearnerOutput {
  push(action: LearnerAction): void;
  leave(reason: string): void;
}
