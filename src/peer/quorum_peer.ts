// QuorumPeer (election part): loads the epochs, binds the election port, runs
// FastLeaderElection over the QuorumCnxManager and reports the outcome. Roles
// come and go through the run loop (run_loop.ts): this shell performs its
// actions. A role the host runs with a Zab shell (RoleHost.startRole true:
// zkt serve's leader and learner roles) ends only through roleEnded(), on
// Zab's rules; the election-port stand-ins below (watchLeader, linkLost) watch
// only roles no shell runs (tests' compositions without a host).
import type { ZkConfig } from "../config/types.ts";
import { FastLeaderElection, type Output, type Vote } from "../election/fle.ts";
import {
  decodeNotification,
  encodeNotification,
  type Notification,
  type PeerState,
} from "../election/notification.ts";
import { formatElectionAddr } from "../election/handshake.ts";
import { QuorumCnxManager } from "../election/qcm.ts";
import { logger } from "../log/logger.ts";
import { loadEpochs } from "../persistence/epoch_files.ts";
import { ElectionLinkRecorder } from "../server/admin/election_links.ts";
import type { LearnerHandlerView, QuorumView, VoteView } from "../server/admin/quorum_view.ts";
import { MinAvgMax } from "../server/four_letter.ts";
import {
  type EndReason,
  OBSERVER_ELECTION_DELAY_MS,
  type Role,
  type RunAction,
  RunLoop,
} from "./run_loop.ts";

const log = logger("QuorumPeer");

/** What the peer needs besides its config. */
export interface QuorumPeerDeps {
  /** The last zxid of the data dir (restore data dir → lastProcessedZxid). */
  lastZxid(): Promise<bigint>;
  /** Monotonic time in ms for every timer and duration (default performance.now; tests may inject). */
  now?(): number;
  /** Wall-clock ms for the notification timestamps operators see (default Date.now). */
  wallClock?(): number;
  /** A uniform random number in [0, 1) for the observer's jitter (default Math.random). */
  random?(): number;
  /** What a role's end acts on besides the election (the server's pipeline); each defaults to nothing. */
  host?: RoleHost;
  /** The currentEpoch file's value now (a role may have written it); default: as loaded at start. */
  currentEpoch?(): bigint;
  /** Whether the role's Zab has reached broadcast (serving clients); default never. */
  broadcasting?(): boolean;
  /** A serving leader's learner connections (the AdminServer's observers command). */
  learnerHandlers?(): LearnerHandlerView[];
}

/**
 * The server side of leaving a role, in the run loop's order. Until Zab the
 * ensemble serves no client and logs nothing, so zkt serve passes none.
 */
export interface RoleHost {
  /**
   * Start the role's Zab half (a learner connects to `leader`); true when the
   * host runs it: the role then ends only on Zab's rules, through roleEnded().
   * False (or absent): the election-port stand-ins watch the role.
   */
  startRole?(role: Role, leader: bigint, roleId: number): boolean;
  /** Stop accepting Zab traffic (the quorum port's listener, the leader link). */
  stopZab?(): void | Promise<void>;
  /** Wait until every txn handed to the log writer is written (ZOOKEEPER-4712). */
  drainLog?(): void | Promise<void>;
  /** Apply the logged txns memory has not applied yet. */
  fastForward?(): void | Promise<void>;
  /** Discard a half-received SNAP's memory; restore from disk (ZOOKEEPER-3642). */
  discardSnap?(): void | Promise<void>;
  /** Drop the outstanding changes (prepared, never committed). */
  dropOutstanding?(): void | Promise<void>;
  /** Close every client connection. */
  closeClients?(): void | Promise<void>;
}

/** A ZooKeeper peer's election half. */
export class QuorumPeer {
  readonly myid: bigint;
  private fle: FastLeaderElection;
  private qcm: QuorumCnxManager;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private leaderCheck: ReturnType<typeof setInterval> | undefined;
  private leaderMisses = 0;
  /** The run loop: which role this peer is in and what leaving it takes. */
  private readonly loop: RunLoop;
  /** The observer's jitter before it looks again, while it runs. */
  private wait: { timer: ReturnType<typeof setTimeout>; done: () => void } | undefined;
  private lastZxid = 0n;
  /** The host runs the current role's Zab half: the election-port stand-ins stay off. */
  private zabRole = false;
  /** Monotonic time of the last decision: answers older than it say nothing of the role. */
  private decidedAt = 0;
  /** Monotonic time of the newest notification from each sid (wall times can step back). */
  private readonly receivedAt = new Map<bigint, number>();
  currentEpoch = 0n;
  acceptedEpoch = 0n;
  private readonly links = new ElectionLinkRecorder();
  /** When the running election started (ms, deps.now); null outside one. */
  private electionStart: number | null = null;
  /** The last election's duration in ms, once one finished. */
  lastElectionTimeMs: number | undefined;
  /** Every election's duration in ms (3.8's election_time summary). */
  readonly electionTime = new MinAvgMax();

  constructor(readonly config: ZkConfig, private readonly deps: QuorumPeerDeps) {
    if (config.myid === undefined || !config.quorumVerifier) {
      throw new Error("QuorumPeer needs myid and server lines");
    }
    this.myid = BigInt(config.myid);
    const delay = config.extra.get("observer.election.DelayMs");
    this.loop = new RunLoop({
      observerElectionDelayMs: delay !== undefined && /^\d+$/.test(delay.trim())
        ? Number(delay)
        : OBSERVER_ELECTION_DELAY_MS,
    });
    const me = config.servers.get(config.myid);
    if (!me) throw new Error(`myid ${config.myid} has no server line`);
    this.fle = new FastLeaderElection({
      myid: this.myid,
      qv: config.quorumVerifier,
      learnerType: config.peerType,
    });
    this.qcm = new QuorumCnxManager({
      myid: this.myid,
      electionAddrs: me.electionAddrs,
      listenOnAllIPs: config.quorumListenOnAllIPs,
      multiAddress: config.multiAddressEnabled,
      cnxTimeout: config.cnxTimeout,
      handshakeTimeout: config.tickTime * config.syncLimit,
      addrOf: (sid) => {
        if (sid < 0n || sid > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
        return config.quorumVerifier!.allMembers.get(Number(sid))?.electionAddrs;
      },
      onMessage: () => queueMicrotask(() => this.drain()),
      onLink: (sid, up, initiator) => {
        if (up) this.links.connected(sid, initiator);
        else {
          this.links.disconnected(sid);
          queueMicrotask(() => this.linkLost(sid));
        }
      },
    });
    for (const [id, s] of config.quorumVerifier.allMembers) {
      if (id === config.myid) continue;
      this.links.known(BigInt(id), s.electionAddrs.map(formatElectionAddr).join("|"));
    }
  }

  private wall(): number {
    return this.deps.wallClock?.() ?? Date.now();
  }

  private now(): number {
    return this.deps.now?.() ?? performance.now();
  }

  /** This peer's role. */
  get state(): PeerState {
    return this.fle.state;
  }

  /** The vote this peer reports (the last election's result, or its own at boot). */
  get currentVote(): Vote {
    return this.fle.currentVote;
  }

  /** The peer's current logical clock (election round). */
  get logicalClock(): bigint {
    return this.fle.logicalClock;
  }

  /** Loads the epochs, binds the election port and starts looking. */
  async start(): Promise<void> {
    this.lastZxid = await this.deps.lastZxid();
    const e = await loadEpochs(`${this.config.dataDir}/version-2`, this.lastZxid);
    this.currentEpoch = e.currentEpoch;
    this.acceptedEpoch = e.acceptedEpoch;
    this.fle.setBootVote(this.lastZxid, this.currentEpoch);
    await this.qcm.start();
    if (this.stopped) return;
    void this.perform(
      this.loop.start({ lastLoggedZxid: this.lastZxid, currentEpoch: this.currentEpoch }),
    );
  }

  /** Zab established newEpoch in this role: report it in our vote, once (3.8's updateElectionVote). */
  updateElectionVote(newEpoch: bigint): void {
    void this.perform(this.loop.established(this.loop.roleId, newEpoch));
  }

  /** Leaves the current role and elects again (leader lost quorum, follower lost leader). */
  lostRole(reason: EndReason = "leader_gone"): void {
    this.endRole(this.loop.roleId, reason, null);
  }

  /** Zab ended role `roleId` (a stale id is ignored): leave it and look again. */
  roleEnded(roleId: number, reason: EndReason, why: string | null = null): void {
    this.endRole(roleId, reason, why);
  }

  /** Ends role `roleId` (ignored when that role is over), logging `why` if it was current. */
  private endRole(roleId: number, reason: EndReason, why: string | null): void {
    if (this.stopped) return;
    const out = this.loop.roleEnded(roleId, reason, {
      random: this.deps.random?.() ?? Math.random(),
    });
    if (out.length === 0) return;
    if (why !== null) log.warn(why);
    void this.perform(out);
  }

  /**
   * Does what the run loop says, in order. Synchronous up to the first action
   * that waits (a host hook's promise, the observer's jitter, the disk read).
   */
  private async perform(actions: RunAction[]): Promise<void> {
    try {
      for (const a of actions) {
        switch (a.kind) {
          case "startElection":
            if (this.stopped) return;
            this.lastZxid = a.lastLoggedZxid;
            this.currentEpoch = a.currentEpoch;
            this.look();
            break;
          case "startRole":
            this.decidedAt = this.now();
            this.zabRole = this.deps.host?.startRole?.(a.role, a.leader, a.roleId) ?? false;
            if (!this.zabRole) this.watchLeader(a.role, a.roleId);
            break;
          case "updateElectionVote":
            this.fle.updateElectionVote(a.peerEpoch);
            break;
          case "stopZab":
          case "drainLog":
          case "fastForward":
          case "discardSnap":
          case "dropOutstanding":
          case "closeClients": {
            if (a.kind === "stopZab") this.stopWatch();
            const r = this.deps.host?.[a.kind]?.();
            if (r) await r;
            break;
          }
          case "wait":
            log.info(`Waiting for ${a.ms} ms before reconnecting with the leader`);
            await this.sleep(a.ms);
            break;
          case "look": {
            const lastLoggedZxid = await this.deps.lastZxid();
            this.currentEpoch = this.deps.currentEpoch?.() ?? this.currentEpoch;
            await this.perform(
              this.loop.looking({ lastLoggedZxid, currentEpoch: this.currentEpoch }),
            );
            break;
          }
        }
      }
    } catch (e) {
      log.error(
        `Leaving the role failed; this peer stays out of elections: ${(e as Error).message}`,
      );
    }
  }

  /** Resolves after ms, or at once when the peer stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.wait = undefined;
        done();
      }, ms);
      this.wait = { timer, done };
    });
  }

  private look(): void {
    this.electionStart = this.now();
    log.info("LOOKING");
    log.info(
      `New election. My id = ${this.myid}, proposed zxid=0x${this.lastZxid.toString(16)}`,
    );
    this.stopWatch();
    this.apply(this.fle.startElection(this.now(), this.lastZxid, this.currentEpoch));
  }

  private drain(): void {
    if (this.stopped) return;
    for (const m of this.qcm.drain()) {
      let n;
      try {
        n = decodeNotification(m.payload);
      } catch (e) {
        log.warn(
          `Skipping a malformed notification from sid ${m.sid} (${m.payload.length} bytes): ${
            (e as Error).message
          }`,
        );
        continue;
      }
      if (m.sid !== this.myid && n.state >= 0 && n.state <= 3) {
        this.links.received(m.sid, voteOf(n), this.wall());
        this.receivedAt.set(m.sid, this.now());
      }
      this.apply(this.fle.receive(this.now(), m.sid, n));
    }
  }

  private sendNote(to: bigint, n: Notification): void {
    this.qcm.toSend(to, encodeNotification({ ...n, config: n.config ?? "" }));
    if (to !== this.myid) this.links.sent(to, voteOf(n), this.wall());
  }

  private apply(out: Output): void {
    if (this.stopped) return;
    for (const s of out.send) this.sendNote(s.to, s.n);
    if (out.connectAll) this.qcm.connectAll();
    if (out.decided) {
      const v = out.decided;
      const role = this.fle.state.toUpperCase();
      // 3.8 logs the role, then (Leader.lead / Follower.followLeader) the time taken.
      log.info(role);
      log.info(
        `Elected leader=${v.leader}, zxid=0x${
          BigInt.asUintN(64, v.zxid).toString(16)
        }, election epoch=0x${v.electionEpoch.toString(16)}, peer epoch=0x${
          v.peerEpoch.toString(16)
        }`,
      );
      if (this.electionStart !== null) {
        const took = Math.max(0, Math.round(this.now() - this.electionStart));
        this.electionStart = null;
        this.lastElectionTimeMs = took;
        this.electionTime.add(took);
        if (this.fle.state === "observing") {
          const a = this.config.quorumVerifier!.allMembers.get(Number(v.leader))?.addrs[0];
          log.info(
            `Observing new leader sid=${v.leader} addr=${a ? formatElectionAddr(a) : "unknown"}`,
          );
        } else {
          log.info(`${role} - LEADER ELECTION TOOK - ${took} MS`);
        }
      }
      log.info(`Peer state changed: ${this.fle.state} - discovery`);
      void this.perform(this.loop.elected(this.fle.state as Role, v.leader));
    }
    this.schedule();
  }

  private stopWatch(): void {
    if (this.leaderCheck !== undefined) clearInterval(this.leaderCheck);
    this.leaderCheck = undefined;
    this.leaderMisses = 0;
  }

  /**
   * STAND-IN for a role no Zab shell runs (zab-3.8.md §10, §13 item 20: a
   * Java peer does not change role because an election link drops; zkt
   * serve's roles end on Zab's rules through roleEnded()). Without a shell the
   * election port is a peer's only sign of its role's health. Stand-ins for
   * Zab's rules, not ZooKeeper's (which learns the same thing when the
   * leader's quorum port refuses or a quorum never syncs): a
   * learner asks its leader for its state every tick (a LOOKING notification
   * with the decided vote, which any non-LOOKING peer answers) and looks again
   * when, for syncLimit ticks, the link is down or the answer is not LEADING; a leader
   * looks again when, as long, the voters whose link is up and whose newest
   * notification does not show it in another peer's ensemble (plus itself)
   * are not a quorum.
   */
  private watchLeader(state: Role, roleId: number): void {
    this.stopWatch();
    const leader = this.fle.currentVote.leader;
    const qv = this.config.quorumVerifier!;
    this.leaderCheck = setInterval(() => {
      if (this.stopped || this.loop.roleId !== roleId || this.loop.state !== state) return;
      const links = new Map(this.links.view().map((l) => [l.sid, l]));
      // A voter still LOOKING may be joining (its vote is its own until it
      // hears us); one FOLLOWING/LEADING someone else is gone.
      const followsOther = (sid: bigint) => {
        const r = links.get(sid)?.lastReceived;
        return r != null && r.state !== "looking" && r.leader !== this.myid;
      };
      let why: string | null = null;
      const reason: EndReason = state === "leading" ? "lost_quorum" : "leader_gone";
      if (state === "leading") {
        const up = [Number(this.myid)];
        for (const id of qv.votingMembers.keys()) {
          const sid = BigInt(id);
          if (sid === this.myid) continue;
          if (!this.qcm.isConnected(sid)) this.qcm.connectOne(sid);
          else if (!followsOther(sid)) up.push(id);
        }
        if (!qv.containsQuorum(up)) why = "no quorum of voters backs this leader";
      } else if (!this.qcm.isConnected(leader)) {
        this.qcm.connectOne(leader);
        why = `leader ${leader} unreachable`;
      } else {
        // Ask the leader for its state; judge by answers to earlier asks.
        const r = links.get(leader)?.lastReceived;
        if (
          r && (this.receivedAt.get(leader) ?? -Infinity) >= this.decidedAt && r.state !== "leading"
        ) {
          why = `leader ${leader} is ${r.state} (${r.leader})`;
        }
        this.sendNote(leader, this.fle.leaderQuery());
      }
      if (why === null) {
        this.leaderMisses = 0;
        return;
      }
      if (++this.leaderMisses >= this.config.syncLimit) {
        this.endRole(roleId, reason, `${why} for ${this.leaderMisses} ticks; looking again`);
      }
    }, this.config.tickTime);
  }

  /**
   * STAND-IN (see watchLeader): to be replaced by Zab's rules.
   * A learner whose leader's link closes looks again at once, as a 3.8
   * learner does when its leader's socket closes; a leader does when the links
   * left (plus itself) are no quorum, as 3.8's leader finds at its next check.
   */
  private linkLost(sid: bigint): void {
    if (this.stopped || this.zabRole) return;
    const state = this.loop.state;
    const roleId = this.loop.roleId;
    if (state === "following" || state === "observing") {
      if (sid !== this.fle.currentVote.leader || this.qcm.isConnected(sid)) return;
      this.endRole(roleId, "leader_gone", `connection to leader ${sid} closed; looking again`);
    } else if (state === "leading") {
      const qv = this.config.quorumVerifier!;
      const up = [Number(this.myid)];
      for (const id of qv.votingMembers.keys()) {
        if (BigInt(id) !== this.myid && this.qcm.isConnected(BigInt(id))) up.push(id);
      }
      if (qv.containsQuorum(up)) return;
      this.endRole(
        roleId,
        "lost_quorum",
        `election links to a quorum lost (up: ${up.join(",")}); looking again`,
      );
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fle.deadline === null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
      this.apply(this.fle.tick(this.now(), this.qcm.haveDelivered()));
    }, this.fle.untilDeadline(this.now()) ?? 0);
  }

  /** What the AdminServer's quorum commands and `zkt conns` show of this peer. */
  quorumView(): QuorumView {
    const cfg = this.config;
    const qv = cfg.quorumVerifier!;
    const hp = (a: { host: string; port: number } | undefined) => a ? formatElectionAddr(a) : "";
    const me = qv.allMembers.get(cfg.myid!)!;
    const state = this.fle.state;
    const v = this.fle.currentVote;
    const elected = state !== "looking";
    const clientAddress = me.clientAddr
      ? hp(me.clientAddr)
      : hp({ host: cfg.clientPortAddress ?? "0.0.0.0", port: cfg.clientPort ?? 0 });
    // Configured peers always; others (observers by remapped id, probes) while connected.
    const links = this.links.view().filter((l) => {
      l.up = this.qcm.isConnected(l.sid);
      l.sendQueue = this.qcm.queuedFor(l.sid);
      return l.up || (l.sid <= BigInt(Number.MAX_SAFE_INTEGER) && l.sid >= 0n &&
        qv.allMembers.has(Number(l.sid)));
    });
    return {
      myid: this.myid,
      currentVote: {
        leader: v.leader,
        zxid: v.zxid,
        electionEpoch: v.electionEpoch,
        peerEpoch: v.peerEpoch,
        state,
      },
      leaderId: elected ? v.leader : null,
      leaderAddress: elected ? hp(qv.allMembers.get(Number(v.leader))?.addrs[0]) : "",
      isLeader: state === "leading",
      zabState: elected ? (this.deps.broadcasting?.() ? "broadcast" : "discovery") : "election",
      voting: qv.votingMembers.has(cfg.myid!),
      quorumAddress: me.addrs.map(hp).join("|"),
      electionAddress: me.electionAddrs.map(hp).join("|"),
      clientAddress,
      votingView: [...qv.votingMembers.values()].map((s) => ({
        sid: BigInt(s.id),
        serverAddresses: s.addrs.map(hp),
        electionAddresses: s.electionAddrs.map(hp),
        clientAddress: s.clientAddr ? hp(s.clientAddr) : "",
        learnerType: s.type,
      })),
      electionLinks: links,
      learnerLinks: [],
      learnerHandlers: this.deps.learnerHandlers?.() ?? [],
      lastElectionTimeMs: this.lastElectionTimeMs,
    };
  }

  /** Stops the election and closes every connection and listener. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.stopWatch();
    if (this.wait) {
      clearTimeout(this.wait.timer);
      this.wait.done();
      this.wait = undefined;
    }
    this.qcm.halt();
    await this.perform(this.loop.stop());
  }
}

function voteOf(n: {
  state: number | PeerState;
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
}): VoteView {
  const states: PeerState[] = ["looking", "following", "leading", "observing"];
  return {
    leader: n.leader,
    zxid: n.zxid,
    electionEpoch: n.electionEpoch,
    peerEpoch: n.peerEpoch,
    state: typeof n.state === "number" ? states[n.state] : n.state,
  };
}
