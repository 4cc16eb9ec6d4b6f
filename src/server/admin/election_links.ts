// Bookkeeping a QuorumCnxManager shell can feed to answer QuorumView's
// electionLinks: connection up/down and who opened it, the send queue, and
// the last notification each way per sid. Pure: callers pass the time.
import type { ElectionLinkView, NotificationView, VoteView } from "./quorum_view.ts";

/** Per-sid election connection state, updated as events happen. */
export class ElectionLinkRecorder {
  private readonly links = new Map<bigint, ElectionLinkView>();

  private get(sid: bigint): ElectionLinkView {
    let l = this.links.get(sid);
    if (!l) {
      l = {
        sid,
        address: "",
        up: false,
        initiator: null,
        sendQueue: 0,
        lastSent: null,
        lastReceived: null,
      };
      this.links.set(sid, l);
    }
    return l;
  }

  /** A peer this server knows of (from its config), before any connection. */
  known(sid: bigint, address: string): void {
    this.get(sid).address = address;
  }

  /** A connection to sid is up; `initiator` says which side opened it. */
  connected(sid: bigint, initiator: "self" | "peer", address?: string): void {
    const l = this.get(sid);
    l.up = true;
    l.initiator = initiator;
    if (address !== undefined) l.address = address;
  }

  /** The connection to sid closed (the last initiator stays for the record). */
  disconnected(sid: bigint): void {
    this.get(sid).up = false;
  }

  /** Messages queued for sid right now. */
  queued(sid: bigint, n: number): void {
    this.get(sid).sendQueue = n;
  }

  /** A notification went out to sid. */
  sent(sid: bigint, vote: VoteView, atMs: number): void {
    this.get(sid).lastSent = stamp(vote, atMs);
  }

  /** A notification arrived from sid. */
  received(sid: bigint, vote: VoteView, atMs: number): void {
    this.get(sid).lastReceived = stamp(vote, atMs);
  }

  /** A peer left the config. */
  forget(sid: bigint): void {
    this.links.delete(sid);
  }

  /** Copies of every link, by sid. */
  view(): ElectionLinkView[] {
    return [...this.links.values()]
      .sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0))
      .map((l) => ({ ...l }));
  }
}

function stamp(v: VoteView, atMs: number): NotificationView {
  return {
    leader: v.leader,
    zxid: v.zxid,
    electionEpoch: v.electionEpoch,
    peerEpoch: v.peerEpoch,
    state: v.state,
    atMs,
  };
}
