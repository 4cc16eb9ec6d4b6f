// QuorumPeer (election part): loads the epochs, binds the election port, runs
// FastLeaderElection over the QuorumCnxManager and reports the outcome. Zab is
// a later issue: after an election this peer stays in its role until stop()
// or until the integrator's role code calls lostRole() to look again.
import type { ZkConfig } from "../config/types.ts";
import { FastLeaderElection, type Output, type Vote } from "../election/fle.ts";
import {
  decodeNotification,
  encodeNotification,
  type PeerState,
} from "../election/notification.ts";
import { QuorumCnxManager } from "../election/qcm.ts";
import { logger } from "../log/logger.ts";
import { loadEpochs } from "../persistence/epoch_files.ts";

const log = logger("QuorumPeer");

/** What the peer needs besides its config. */
export interface QuorumPeerDeps {
  /** The last zxid of the data dir (restore data dir → lastProcessedZxid). */
  lastZxid(): Promise<bigint>;
  /** Current time in ms (tests may inject). */
  now?(): number;
}

/** A ZooKeeper peer's election half. */
export class QuorumPeer {
  readonly myid: bigint;
  private fle: FastLeaderElection;
  private qcm: QuorumCnxManager;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private listeners: ((state: PeerState, vote: Vote) => void)[] = [];
  private stopped = false;
  private leaderCheck: ReturnType<typeof setInterval> | undefined;
  private leaderMisses = 0;
  private lastZxid = 0n;
  currentEpoch = 0n;
  acceptedEpoch = 0n;

  constructor(readonly config: ZkConfig, private readonly deps: QuorumPeerDeps) {
    if (config.myid === undefined || !config.quorumVerifier) {
      throw new Error("QuorumPeer needs myid and server lines");
    }
    this.myid = BigInt(config.myid);
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
    });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
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

  /** Calls cb on every role change. */
  onStateChange(cb: (state: PeerState, vote: Vote) => void): void {
    this.listeners.push(cb);
  }

  /** Loads the epochs, binds the election port and starts looking. */
  async start(): Promise<void> {
    this.lastZxid = await this.deps.lastZxid();
    const e = await loadEpochs(`${this.config.dataDir}/version-2`, this.lastZxid);
    this.currentEpoch = e.currentEpoch;
    this.acceptedEpoch = e.acceptedEpoch;
    this.fle.setBootVote(this.lastZxid, this.currentEpoch);
    await this.qcm.start();
    this.look();
  }

  /** Zab established newEpoch: report it in our vote (3.8's updateElectionVote). */
  updateElectionVote(newEpoch: bigint): void {
    this.fle.updateElectionVote(newEpoch);
  }

  /** Leaves the current role and elects again (leader lost quorum, follower lost leader). */
  lostRole(): void {
    if (this.stopped || this.fle.state === "looking") return;
    this.fle.stopRole();
    this.look();
  }

  private look(): void {
    log.info(
      `LOOKING. New election. My id = ${this.myid}, proposed zxid=0x${this.lastZxid.toString(16)}`,
    );
    this.emit();
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
      this.apply(this.fle.receive(this.now(), m.sid, n));
    }
  }

  private apply(out: Output): void {
    if (this.stopped) return;
    for (const s of out.send) {
      this.qcm.toSend(s.to, encodeNotification({ ...s.n, config: s.n.config ?? "" }));
    }
    if (out.connectAll) this.qcm.connectAll();
    if (out.decided) {
      const v = out.decided;
      log.info(
        `${this.fle.state.toUpperCase()} - leader=${v.leader}, zxid=0x${
          v.zxid.toString(16)
        }, election epoch=0x${v.electionEpoch.toString(16)}, peer epoch=0x${
          v.peerEpoch.toString(16)
        }`,
      );
      this.emit();
    }
    this.schedule();
  }

  /**
   * Until Zab lands, a learner's only sign of its leader is the election
   * connection: when it stays down for syncLimit ticks, elect again (a stand-in
   * for the learner's ping timeout, not ZooKeeper's rule).
   */
  private watchLeader(): void {
    if (this.leaderCheck !== undefined) clearInterval(this.leaderCheck);
    this.leaderCheck = undefined;
    this.leaderMisses = 0;
    if (this.fle.state !== "following" && this.fle.state !== "observing") return;
    const leader = this.fle.currentVote.leader;
    this.leaderCheck = setInterval(() => {
      if (this.stopped || this.fle.state === "looking" || this.fle.state === "leading") return;
      if (this.qcm.isConnected(leader)) {
        this.leaderMisses = 0;
        return;
      }
      this.qcm.connectOne(leader);
      if (++this.leaderMisses >= this.config.syncLimit) {
        log.warn(`leader ${leader} unreachable for ${this.leaderMisses} ticks; looking again`);
        this.lostRole();
      }
    }, this.config.tickTime);
  }

  private emit(): void {
    this.watchLeader();
    for (const cb of this.listeners) cb(this.fle.state, this.fle.currentVote);
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const d = this.fle.deadline;
    if (d === null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
      this.apply(this.fle.tick(this.now(), this.qcm.haveDelivered()));
    }, Math.max(0, d - this.now()));
  }

  /** Stops the election and closes every connection and listener. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.leaderCheck !== undefined) clearInterval(this.leaderCheck);
    this.qcm.halt();
    return Promise.resolve();
  }
}
