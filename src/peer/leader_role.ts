// The LEADING role of `zkt serve`: a LeaderShell over the peer's one Zab log
// (the quorum port bound the moment the role starts), and the server's
// leader chain once a quorum has acked NEWLEADER. Clients are served only
// from then on; learners' REQUESTs go into the same prep, their PING tables
// touch sessions, their REVALIDATEs move sessions. The role ends only on
// Zab's word (the shell's `done`: lost quorum, timeouts, a disk failure);
// the run loop then drains the log, fast-forwards memory, drops the overlay
// and closes clients (peer_main's RoleHost, through Leading below), and the
// peer looks again.
import type { ZkConfig } from "../config/types.ts";
import { OpCode } from "../jute/constants.ts";
import { logger } from "../log/logger.ts";
import { type LeaderChain, leaderChain } from "../server/pipeline/leader.ts";
import type { ZkServer } from "../server/zk_server.ts";
import type { FileZabLog } from "../zab/file_zab_log.ts";
import { MinAvgMax } from "../server/four_letter.ts";
import { PercentileSummary, summaryLines } from "../server/metrics/server_metrics.ts";
import type { LearnerQueueMetric } from "../zab/leader_host.ts";
import type { LearnerHandlerInfo } from "../zab/leader_links.ts";
import { loggedHistory } from "../zab/leader_log.ts";
import { type LeaderEnd, LeaderShell } from "../zab/leader_shell.ts";
import { makeZxid } from "../zab/packet_types.ts";
import type { EndReason, Role } from "./run_loop.ts";

const log = logger("Leader");

/** What the leader role acts on. */
export interface LeaderRoleDeps {
  cfg: ZkConfig;
  zabLog: FileZabLog;
  server: ZkServer;
  /** Zab established `epoch`: the vote reports it (3.8's updateElectionVote). */
  established(epoch: bigint): void;
  /** The role is over: the run loop leaves it and looks again. */
  ended(reason: EndReason, why: string): void;
  /** 3.8's learner_handler_qp_* samples (kept by Leading across roles, as ServerMetrics are). */
  queueSample?(sid: bigint, metric: LearnerQueueMetric, value: number): void;
}

/** One LEADING role (one epoch attempt). */
export class LeaderRole {
  readonly shell: LeaderShell;
  private chain: LeaderChain | null = null;
  private on = false;
  private readonly started = performance.now();
  /** 3.8's BufferStats of proposal sizes (txn-entry bytes); -1 until the first. */
  private readonly sizes = { last: -1, min: -1, max: -1 };

  constructor(private readonly d: LeaderRoleDeps) {
    const cfg = d.cfg;
    const zl = d.zabLog;
    const me = cfg.quorumVerifier!.allMembers.get(cfg.myid!)!;
    this.shell = new LeaderShell({
      myid: BigInt(cfg.myid!),
      qv: cfg.quorumVerifier!,
      addrs: me.addrs,
      listenOnAllIPs: cfg.quorumListenOnAllIPs,
      tickTime: cfg.tickTime,
      initLimit: cfg.initLimit,
      syncLimit: cfg.syncLimit,
      zabLog: zl,
      history: () => loggedHistory(zl, 500),
      queueSample: d.queueSample,
      host: {
        serving: (epoch) => this.serve(epoch),
        commit: (txn, rc) => {
          // Before serving there is no chain: nothing is proposed before NEWLEADER's quorum.
          this.chain?.committed(txn, rc);
        },
        submit: (sid, r) => {
          if (r.type === OpCode.sync) {
            // Proposals are made synchronously in arrival order, so the SYNC
            // follows the COMMITs of every request this learner sent before it.
            this.shell.sync(sid);
            return;
          }
          if (!this.on) return;
          d.server.forwarded(sid, {
            sessionId: r.sessionId,
            cxid: r.cxid,
            type: r.type,
            body: r.body,
            authInfo: r.authinfo ?? [],
          });
        },
        touch: (_sid, touches) => d.server.touchSessions(touches),
        revalidate: (sid, id, timeout) => d.server.revalidateSession(sid, id, timeout),
        synced: (sid, plan) =>
          log.info(`Learner sid ${sid} synced by ${plan.mode.toUpperCase()} (${plan.reason})`),
      },
    });
  }

  /** Binds the quorum port now (a bind failure ends the role) and starts discovery. */
  start(): void {
    try {
      this.shell.start();
    } catch (e) {
      const why = `cannot bind the quorum port: ${(e as Error).message}`;
      log.error(why);
      queueMicrotask(() => this.d.ended("lost_quorum", why));
      return;
    }
    void this.shell.done.then((end: LeaderEnd) => {
      this.on = false;
      const reason: EndReason = end.established ? "lost_quorum" : "timeout";
      this.d.ended(reason, `leadership of epoch ${end.epoch} ended: ${end.reason}`);
    });
  }

  /** True once a quorum acked NEWLEADER and until the role ends: clients are served. */
  get serving(): boolean {
    return this.on;
  }

  /** The chain of this role (null before serving). */
  get currentChain(): LeaderChain | null {
    return this.chain;
  }

  /** Stops Zab traffic (the run loop's stopZab); resolves once the shell has ended. */
  async stop(reason: string): Promise<void> {
    this.on = false;
    await this.shell.stop(reason);
  }

  /** mntr's leader lines, with 3.8's names. */
  monitorLines(): [string, number][] {
    const ls = this.shell.learners();
    // 3.8 counts a learner from its sync's start (the forwarding sets), not from UPTODATE.
    const followers = ls.filter((l) => !l.observer && l.forwarding).length;
    const observers = ls.filter((l) => l.observer && l.forwarding).length;
    return [
      ["learners", ls.length],
      ["synced_followers", followers],
      ["synced_non_voting_followers", 0],
      ["synced_observers", observers],
      ["pending_syncs", this.shell.pendingSyncs],
      ["leader_uptime", Math.round(performance.now() - this.started)],
      ["last_proposal_size", this.sizes.last],
      ["max_proposal_size", this.sizes.max],
      ["min_proposal_size", this.sizes.min],
    ];
  }

  /** srvr/stat's leader line. */
  statLines(): string[] {
    const z = this.sizes;
    return [`Proposal sizes last/min/max: ${z.last}/${z.min}/${z.max}`];
  }

  private proposed(size: number): void {
    const z = this.sizes;
    z.last = size;
    if (z.min === -1 || size < z.min) z.min = size;
    if (size > z.max) z.max = size;
  }

  /** A quorum acked NEWLEADER: the leader chain takes the server's requests. */
  private serve(epoch: bigint): void {
    const s = this.d.server;
    const zl = this.d.zabLog;
    // 3.8's LeaderSessionTracker: the tree's sessions afresh, local ones when enabled.
    s.leadSessions();
    // 3.8's Leader.startZkServer: the tree's last processed zxid becomes (epoch, 0), so
    // srvr, mntr and the next snapshot's name say the new epoch before any write.
    const start = makeZxid(epoch, 0);
    if (s.db.tree.lastProcessedZxid < start) s.db.tree.lastProcessedZxid = start;
    this.chain = s.setChain((w) => {
      const { fatal: _fatal, ...rest } = w;
      return leaderChain({
        ...rest,
        propose: (build) =>
          this.shell.propose((zxid) => {
            const entry = build(zxid);
            this.proposed(entry.length);
            return entry;
          }),
        drain: () => zl.drain(),
      });
    }) as LeaderChain;
    this.on = true;
    this.d.established(epoch);
    log.info(`Leading epoch ${epoch}: serving clients`);
  }
}

/** What Leading acts on. */
export interface LeadingDeps {
  cfg: ZkConfig;
  zabLog: FileZabLog;
  server: () => ZkServer | null;
  /** Zab established `epoch`: the vote reports it. */
  established(epoch: bigint): void;
  /** Role `roleId` ended on Zab's word. */
  ended(roleId: number, reason: EndReason, why: string): void;
}

/** Runs one LEADING role at a time: QuorumPeer's RoleHost steps for that role. */
export class Leading {
  private role: LeaderRole | null = null;
  /** 3.8's learner_handler_qp_* summary sets, by "<sid>_<metric>". */
  private readonly queueMetrics = new Map<string, MinAvgMax>();

  constructor(private readonly d: LeadingDeps) {}

  /** Starts leading (the quorum port is bound now); false for a role this does not run. */
  start(role: Role, roleId: number): boolean {
    if (role !== "leading") return false;
    const server = this.d.server();
    if (server === null) throw new Error("the client-port server is not built yet");
    const r = new LeaderRole({
      cfg: this.d.cfg,
      zabLog: this.d.zabLog,
      server,
      established: (epoch) => this.d.established(epoch),
      ended: (reason, why) => this.d.ended(roleId, reason, why),
      queueSample: (sid, metric, value) => {
        const key = `${sid}_${metric}`;
        let m = this.queueMetrics.get(key);
        if (!m) {
          // 3.8 registers qp_time_ms as an ADVANCED summary set (percentiles too).
          m = metric === "learner_handler_qp_time_ms" ? new PercentileSummary() : new MinAvgMax();
          this.queueMetrics.set(key, m);
        }
        m.add(value);
      },
    });
    this.role = r;
    r.start();
    return true;
  }

  /** Clients are served (a quorum acked NEWLEADER, the role goes on). */
  get serving(): boolean {
    return this.role?.serving ?? false;
  }

  /** stopZab: the leadership ends (if it has not), every learner is closed. */
  async stopZab(): Promise<void> {
    const r = this.role;
    if (r) await r.stop("the peer leaves the LEADING role");
  }

  /** dropOutstanding: the proposals never committed leave the overlay with the role. */
  dropOutstanding(): void {
    const r = this.role;
    this.role = null;
    r?.currentChain?.overlay.clear();
  }

  /** mntr's leader lines while leading. */
  monitorLines(): [string, string | number][] {
    if (!this.role?.serving) return [];
    const queues = [...this.queueMetrics].flatMap(([k, m]) => [
      ...summaryLines(k, m),
      ...(m instanceof PercentileSummary
        ? ([["p50", 0.5], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999]] as const).map((
          [p, q],
        ): [string, number] => [`${p}_${k}`, m.percentile(q)])
        : []),
    ]);
    return [...this.role.monitorLines(), ...queues];
  }

  /** The learner connections while leading (the AdminServer's observers command). */
  learnerHandlers(): LearnerHandlerInfo[] {
    return this.role?.serving ? this.role.shell.learners() : [];
  }

  /** srvr/stat's leader lines while leading. */
  statLines(): string[] {
    return this.role?.serving ? this.role.statLines() : [];
  }
}
