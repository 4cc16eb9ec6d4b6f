// The leader's discovery and synchronization bookkeeping (zab-3.8.md §5 steps
// 3–11) as a pure core: which epoch to propose, when a quorum has accepted it,
// acked it, and acked NEWLEADER, and what to send or write at each point. The
// shell feeds it the learners' FOLLOWERINFO/OBSERVERINFO, ACKEPOCH and ACK
// packets and the leader's ticks, and carries out the actions in order (a write
// finishes before the next action runs). Each of the three waits is bounded by
// initLimit ticks, as 3.8's Leader bounds them by initLimit*tickTime.
//
// How a leader shell joins the cores (tests/unit/zab/leader_cores_test.ts does
// exactly this): writeCurrentEpoch → build a Broadcast (lastCommitted = the
// leader's last logged zxid, window = its log's tail); startSync →
// broadcast.syncLearner, send plan.packets (after a SNAP packet, the image),
// liveness.syncing; a sent UPTODATE → broadcast.upToDate + liveness.upToDate;
// every ACK → discovery.ack and broadcast.ack; every packet → liveness.heard;
// each tick → discovery.tick until established, liveness.tick after; each half
// tick → liveness.halfTick(now, broadcast.lastProposed, broadcast.oldestUnacked()).
// Proposals start at "established".
import type { QuorumVerifier } from "../config/types.ts";
import { makeZxid, zxidHex } from "./packet_types.ts";
import { leaderInfoPacket, type QuorumPacket, upToDatePacket } from "./packets.ts";

/** What the shell must do, in list order. */
export type DiscoveryAction =
  | { kind: "writeAcceptedEpoch"; epoch: bigint }
  | { kind: "writeCurrentEpoch"; epoch: bigint }
  /** LEADERINFO or UPTODATE to one learner. */
  | { kind: "send"; to: bigint; packet: QuorumPacket }
  /** Plan and send this learner's sync (sync_plan.ts) from its ACKEPOCH zxid, then NEWLEADER. */
  | { kind: "startSync"; sid: bigint; peerZxid: bigint; observer: boolean }
  /** Close this learner's connection (the others carry on). */
  | { kind: "refuse"; sid: bigint; reason: string }
  /** A quorum acked NEWLEADER: start serving; the epoch is established. */
  | { kind: "established"; epoch: bigint }
  /** Stop leading (back to LOOKING). */
  | { kind: "giveUp"; reason: string };

/** Where the leader is in discovery and synchronization. */
export type DiscoveryPhase =
  | "epoch" // collecting FOLLOWERINFO until a quorum fixes the epoch
  | "ackEpoch" // collecting ACKEPOCH
  | "newLeader" // collecting NEWLEADER ACKs
  | "established"
  | "gaveUp";

/** The leader's own state when it starts leading. */
export interface DiscoveryOptions {
  myid: bigint;
  qv: QuorumVerifier;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** The leader's last logged zxid. */
  lastZxid: bigint;
  initLimit: number;
}

interface Learner {
  observer: boolean;
  /** LEADERINFO sent. */
  informed: boolean;
  /** ACKEPOCH received: its zxid. */
  peerZxid?: bigint;
  /** Sync started. */
  syncing: boolean;
  /** NEWLEADER ACK received. */
  newLeaderAcked: boolean;
  upToDate: boolean;
}

/** Leader-side discovery and synchronization; see DiscoveryAction for what it asks of the shell. */
export class LeaderDiscovery {
  #o: DiscoveryOptions;
  #phase: DiscoveryPhase = "epoch";
  #epoch: bigint;
  #phaseStart = 0;
  #learners = new Map<bigint, Learner>();
  /** Voters that sent FOLLOWERINFO (3.8's connectingFollowers), the leader included. */
  #connecting = new Set<bigint>();
  /** Voters whose ACKEPOCH counts (electingFollowers). */
  #electing = new Set<bigint>();
  /** Voters that acked NEWLEADER. */
  #newLeaderAcks = new Set<bigint>();

  constructor(o: DiscoveryOptions) {
    this.#o = o;
    this.#epoch = o.acceptedEpoch + 1n;
  }

  /** The current phase. */
  get phase(): DiscoveryPhase {
    return this.#phase;
  }

  /** The proposed epoch (final once the phase is past "epoch"). */
  get epoch(): bigint {
    return this.#epoch;
  }

  /** NEWLEADER's zxid: makeZxid(epoch, 0). */
  get newLeaderZxid(): bigint {
    return makeZxid(this.#epoch, 0);
  }

  /** Sids that acked NEWLEADER (for the "only synced with" log line). */
  get newLeaderAcks(): bigint[] {
    return [...this.#newLeaderAcks].sort(cmp);
  }

  /** Starts discovery at `tick` with the leader's own vote for the epoch. */
  start(tick: number): DiscoveryAction[] {
    this.#phaseStart = tick;
    this.#connecting.add(this.#o.myid);
    const out: DiscoveryAction[] = [];
    this.#tryDecideEpoch(tick, out);
    return out;
  }

  /** FOLLOWERINFO/OBSERVERINFO from `sid` carrying its acceptedEpoch. */
  learnerInfo(
    sid: bigint,
    info: { observer: boolean; acceptedEpoch: bigint; configVersion?: bigint },
    tick: number,
  ): DiscoveryAction[] {
    const out: DiscoveryAction[] = [];
    if (this.#phase === "gaveUp") return out;
    if (sid === this.#o.myid) {
      out.push({ kind: "refuse", sid, reason: `learner claims the leader's sid ${sid}` });
      return out;
    }
    if (info.configVersion !== undefined && info.configVersion > this.#o.qv.version) {
      out.push({
        kind: "refuse",
        sid,
        reason: "Follower is ahead of the leader (has a later activated configuration)",
      });
      return out;
    }
    const l: Learner = {
      observer: info.observer,
      informed: false,
      syncing: false,
      newLeaderAcked: false,
      upToDate: false,
    };
    this.#learners.set(sid, l);
    if (this.#phase !== "epoch") {
      // Decided: a late joiner just learns the epoch (no more raising).
      l.informed = true;
      out.push({ kind: "send", to: sid, packet: leaderInfoPacket(this.#epoch) });
      return out;
    }
    // Every learner raises the epoch, observers too; only voters count.
    if (info.acceptedEpoch >= this.#epoch) this.#epoch = info.acceptedEpoch + 1n;
    if (this.#isVoter(sid, info.observer)) this.#connecting.add(sid);
    this.#tryDecideEpoch(tick, out);
    return out;
  }

  /** ACKEPOCH from `sid`: its currentEpoch (-1 when it had already accepted this epoch) and last logged zxid. */
  ackEpoch(
    sid: bigint,
    ack: { epoch: number; lastLoggedZxid: bigint },
    tick: number,
  ): DiscoveryAction[] {
    const out: DiscoveryAction[] = [];
    const l = this.#learners.get(sid);
    if (this.#phase === "gaveUp" || l === undefined || !l.informed || l.peerZxid !== undefined) {
      if (l !== undefined && this.#phase !== "gaveUp") {
        out.push({ kind: "refuse", sid, reason: "ACKEPOCH out of turn" });
      }
      return out;
    }
    l.peerZxid = ack.lastLoggedZxid;
    if (this.#phase !== "ackEpoch") {
      // The epoch is already acked by a quorum: late joiners skip the checks.
      this.#startSync(sid, l, out);
      return out;
    }
    if (ack.epoch !== -1) {
      const epoch = BigInt(ack.epoch);
      if (
        epoch > this.#o.currentEpoch ||
        (epoch === this.#o.currentEpoch && ack.lastLoggedZxid > this.#o.lastZxid)
      ) {
        l.peerZxid = undefined;
        this.#learners.delete(sid);
        out.push({
          kind: "refuse",
          sid,
          reason: `Follower is ahead of the leader, leader summary: ${this.#o.currentEpoch} ` +
            `(current epoch), ${zxidHex(this.#o.lastZxid)} (last zxid)`,
        });
        return out;
      }
      if (ack.lastLoggedZxid !== -1n && this.#isVoter(sid, l.observer)) this.#electing.add(sid);
    }
    this.#tryFinishEpochAck(tick, out);
    return out;
  }

  /**
   * An ACK from `sid`. Only one whose zxid is NEWLEADER's counts; it counts
   * whenever it arrives before this learner's UPTODATE, even after proposal
   * ACKs (a 3.8.0 learner sends those first). Other ACKs are ignored here, so
   * the shell may feed every ACK to both this core and broadcast.
   */
  ack(sid: bigint, zxid: bigint): DiscoveryAction[] {
    const out: DiscoveryAction[] = [];
    const l = this.#learners.get(sid);
    if (l === undefined || !l.syncing || l.newLeaderAcked || zxid !== this.newLeaderZxid) {
      return out;
    }
    l.newLeaderAcked = true;
    if (this.#phase === "established") {
      this.#sendUpToDate(sid, l, out);
      return out;
    }
    if (this.#phase !== "newLeader") return out;
    if (this.#isVoter(sid, l.observer)) this.#newLeaderAcks.add(sid);
    this.#tryEstablish(out);
    return out;
  }

  /** Whether UPTODATE went to `sid` (from then on its ACKs are broadcast's alone). */
  isUpToDate(sid: bigint): boolean {
    return this.#learners.get(sid)?.upToDate ?? false;
  }

  /** A learner's connection ended: nothing more is sent to it (acks it gave still count, as in 3.8). */
  learnerGone(sid: bigint): void {
    this.#learners.delete(sid);
  }

  /** The leader's tick: gives up when the current wait has lasted initLimit ticks (from its start). */
  tick(tick: number): DiscoveryAction[] {
    const p = this.#phase;
    if (p === "established" || p === "gaveUp") return [];
    if (tick - this.#phaseStart < this.#o.initLimit) return [];
    this.#phase = "gaveUp";
    const reason = p === "epoch"
      ? "Timeout while waiting for epoch from quorum"
      : p === "ackEpoch"
      ? "Timeout while waiting for epoch to be acked by quorum"
      : `Waiting for a quorum of followers, only synced with sids: [ [${
        this.newLeaderAcks.join(", ")
      }] ]`;
    return [{ kind: "giveUp", reason }];
  }

  #isVoter(sid: bigint, observer: boolean): boolean {
    return !observer && this.#o.qv.votingMembers.has(Number(sid));
  }

  #quorum(set: Set<bigint>): boolean {
    return set.has(this.#o.myid) && this.#o.qv.containsQuorum([...set].map(Number));
  }

  #tryDecideEpoch(tick: number, out: DiscoveryAction[]): void {
    if (!this.#quorum(this.#connecting)) return;
    this.#phase = "ackEpoch";
    this.#phaseStart = tick;
    out.push({ kind: "writeAcceptedEpoch", epoch: this.#epoch });
    for (const [sid, l] of this.#learners) {
      l.informed = true;
      out.push({ kind: "send", to: sid, packet: leaderInfoPacket(this.#epoch) });
    }
    // The leader acks its own epoch proposal with its own state.
    this.#electing.add(this.#o.myid);
    this.#tryFinishEpochAck(tick, out);
  }

  #tryFinishEpochAck(tick: number, out: DiscoveryAction[]): void {
    if (this.#phase !== "ackEpoch" || !this.#quorum(this.#electing)) return;
    this.#phase = "newLeader";
    this.#phaseStart = tick;
    out.push({ kind: "writeCurrentEpoch", epoch: this.#epoch });
    for (const [sid, l] of this.#learners) {
      if (l.peerZxid !== undefined) this.#startSync(sid, l, out);
    }
    // The leader's own NEWLEADER ack: its history is the one being synced.
    this.#newLeaderAcks.add(this.#o.myid);
    this.#tryEstablish(out);
  }

  #startSync(sid: bigint, l: Learner, out: DiscoveryAction[]): void {
    l.syncing = true;
    out.push({ kind: "startSync", sid, peerZxid: l.peerZxid!, observer: l.observer });
  }

  #tryEstablish(out: DiscoveryAction[]): void {
    if (this.#phase !== "newLeader" || !this.#quorum(this.#newLeaderAcks)) return;
    this.#phase = "established";
    out.push({ kind: "established", epoch: this.#epoch });
    for (const [sid, l] of this.#learners) {
      if (l.newLeaderAcked) this.#sendUpToDate(sid, l, out);
    }
  }

  #sendUpToDate(sid: bigint, l: Learner, out: DiscoveryAction[]): void {
    l.upToDate = true;
    out.push({ kind: "send", to: sid, packet: upToDatePacket() });
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
