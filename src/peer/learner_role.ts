// A peer's FOLLOWING and OBSERVING roles: a LearnerShell to the elected
// leader's quorum address over the peer's one ZabLog, and the server's
// learner chain (server/pipeline/learner.ts) on the client port. The shell's
// commits feed the server's commit/final; clients are served from UPTODATE
// on; the role ends only when the shell's link ends (Zab's rules), and then
// the run loop leaves it through the RoleHost steps below.
import type { ZkConfig } from "../config/types.ts";
import { logger } from "../log/logger.ts";
import { decodeTxnEntry } from "../persistence/records.ts";
import { LearnerFront } from "../server/pipeline/learner.ts";
import type { ZkServer } from "../server/zk_server.ts";
import { LearnerShell } from "../zab/learner_shell.ts";
import type { ZabLog } from "../zab/zab_log.ts";
import type { EndReason, Role } from "./run_loop.ts";

const log = logger("Learner");

/** What the learner role drives besides the shell. */
export interface LearnerRoleDeps {
  config: ZkConfig;
  zabLog: ZabLog;
  server: () => ZkServer | null;
  /** Zab established the epoch (UPTODATE): the vote reports it. */
  established(epoch: bigint): void;
  /** The link of role `roleId` ended. */
  ended(roleId: number, reason: EndReason): void;
}

/** Runs one learner link at a time and the server's learner chain with it. */
export class LearnerRole {
  private shell: LearnerShell | null = null;
  private front: LearnerFront | null = null;
  /** How memory must meet the disk after the last link (its `done`). */
  private memory: "fast-forward" | "reload" = "fast-forward";

  constructor(private readonly d: LearnerRoleDeps) {}

  /** Clients are served (synced with the leader, UPTODATE). */
  get serving(): boolean {
    return this.front?.serving ?? false;
  }

  /** Starts following or observing `leader`; false for a role this does not run. */
  start(role: Role, leader: bigint, roleId: number): boolean {
    if (role === "leading") return false;
    const cfg = this.d.config;
    const zl = this.d.zabLog;
    const server = cfg.quorumVerifier!.allMembers.get(Number(leader));
    if (!server) {
      log.error(`leader ${leader} has no server line; looking again`);
      queueMicrotask(() => this.d.ended(roleId, "leader_gone"));
      return true;
    }
    this.memory = "fast-forward";
    // The front is built first: the shell's hooks feed it.
    const link: { shell?: LearnerShell } = {};
    const front = new LearnerFront({
      forward: (r) => link.shell!.forward(r),
      revalidate: (id, timeout) => link.shell!.revalidate(id, timeout),
    }, {
      // The server's clocks and config (localSessionsEnabled); the sessions of the synced tree.
      ...(this.d.server()?.sessionOptions() ?? {
        tickMs: cfg.tickTime,
        serverId: BigInt(cfg.myid!),
        now: performance.timeOrigin + performance.now(),
      }),
      sessions: zl.tree.sessions,
    });
    const shell = link.shell = new LearnerShell({
      sid: BigInt(cfg.myid!),
      observer: role === "observing",
      leaderSid: leader,
      leaderAddrs: server.addrs,
      tickTime: cfg.tickTime,
      initLimit: cfg.initLimit,
      syncLimit: cfg.syncLimit,
      zabLog: zl,
      hooks: {
        onApply: (t, rc) => {
          const { header, txn } = decodeTxnEntry(t.entry);
          this.d.server()?.learnerCommitted({ header, txn, rc });
        },
        onStartServing: (epoch) => {
          front.sessions.syncedSessions(zl.tree.sessions);
          front.serving = true;
          this.d.established(epoch);
        },
        takeTouches: () => front.takeTouches(),
        onSyncDone: (req) => {
          if (!front.syncDone(req)) {
            log.warn(
              `SYNC from the leader for 0x${
                req.sessionId.toString(16)
              }:${req.cxid} matches no pending sync`,
            );
          }
        },
        onRevalidated: (id, valid) => front.revalidated(id, valid),
      },
    });
    this.shell = shell;
    this.front = front;
    this.d.server()?.setLearner(front);
    shell.done.then((end) => {
      this.memory = end.memory;
      this.d.ended(
        roleId,
        /timeout|no packet|no data|deadline/i.test(end.reason) ? "timeout" : "leader_gone",
      );
    });
    shell.start();
    return true;
  }

  /** stopZab: the link ends (if it has not) and no request goes to the leader any more. */
  async stopZab(): Promise<void> {
    const shell = this.shell;
    this.shell = null;
    if (shell) {
      const end = await shell.stop("the peer left the role");
      this.memory = end.memory;
    }
    if (this.front) this.front.serving = false;
  }

  /** fastForward: memory meets the disk as the link's end asked (a SNAP cut short reloads). */
  async fastForward(): Promise<void> {
    if (this.memory === "reload") await this.d.zabLog.reload();
    else await this.d.zabLog.fastForward();
  }

  /** dropOutstanding: requests forwarded and never committed are dropped with the front. */
  dropOutstanding(): void {
    if (!this.front) return;
    this.front = null;
    this.d.server()?.setLearner(null);
  }
}
