// The leader's learner connections (zab-3.8.md §5): each one's read loop
// (initLimit ticks per read until the NEWLEADER ACK), who may register (a
// configured sid whose role matches its FOLLOWERINFO/OBSERVERINFO), one link
// per sid (a reconnect replaces the old one), sending while a SNAP streams
// (later packets wait behind it, stale PINGs are dropped), and closing them.
import type { QuorumVerifier } from "../config/types.ts";
import { logger } from "../log/logger.ts";
import { packetName, PacketType, zxidHex } from "./packet_types.ts";
import { type LearnerHello, parseLearnerInfo, type QuorumPacket } from "./packets.ts";
import { QuorumConn } from "./quorum_conn.ts";
import type { TreeImage } from "../data/node_view.ts";
import type { LearnerQueueMetric } from "./leader_host.ts";
import type { SyncPlan } from "./sync_plan.ts";

const log = logger("Leader");

/** One learner's connection. */
export interface Link {
  sid: bigint;
  observer: boolean;
  conn: QuorumConn;
  /** While a SNAP streams: what goes out after it (null otherwise). */
  deferred: QuorumPacket[] | null;
  newLeaderAcked: boolean;
  /** When it registered (wall clock, ms). */
  established: number;
  /** REQUEST packets received (forwarded client requests). */
  requests: number;
}

/** One learner connection as 3.8's LearnerHandler.getLearnerHandlerInfo shows it. */
export interface LearnerHandlerInfo {
  sid: bigint;
  observer: boolean;
  /** Synced: UPTODATE sent. */
  upToDate: boolean;
  /**
   * Forwarded to since its sync began (3.8's forwardingFollowers and
   * observingLearners, joined in LearnerHandler's syncFollower): what mntr's
   * synced_followers/synced_observers and the AdminServer's observers count.
   */
  forwarding: boolean;
  /** The learner's address as Java's Socket.getRemoteSocketAddress prints it ("/host:port"). */
  remoteSocketAddress: string;
  /** When it registered (wall clock, ms). */
  established: number;
  queuedPackets: number;
  queuedPacketsSize: number;
  packetsReceived: number;
  packetsSent: number;
  requests: number;
  /** The zxid of the last packet sent with one (-1 before any). */
  lastZxid: bigint;
}

/** The info of one link. */
export function learnerHandlerInfo(
  l: Link,
  upToDate: boolean,
  forwarding: boolean,
): LearnerHandlerInfo {
  const c = l.conn;
  let remote = "<null>";
  try {
    const a = c.conn.remoteAddr as Deno.NetAddr;
    remote = `/${a.hostname}:${a.port}`;
  } catch { /* closed */ }
  return {
    sid: l.sid,
    observer: l.observer,
    upToDate,
    forwarding,
    remoteSocketAddress: remote,
    established: l.established,
    queuedPackets: c.queuedPackets,
    queuedPacketsSize: c.queuedBytes,
    packetsReceived: c.stats.packetsIn,
    packetsSent: c.stats.packetsOut,
    requests: l.requests,
    lastZxid: c.stats.lastZxidOut,
  };
}

/** A learner's first packet: its hello with a configured sid, or why it is refused. */
export function checkLearnerHello(
  first: QuorumPacket,
  qv: QuorumVerifier,
): { hello: LearnerHello & { serverid: bigint } } | { refuse: string } {
  if (first.type !== PacketType.FOLLOWERINFO && first.type !== PacketType.OBSERVERINFO) {
    return {
      refuse: `First packet is ${packetName(first.type)}, not FOLLOWERINFO or OBSERVERINFO`,
    };
  }
  const hello = parseLearnerInfo(first);
  const sid = hello.serverid;
  const member = sid === null ? undefined : qv.allMembers.get(Number(sid));
  if (sid === null || member === undefined) {
    return { refuse: `learner sid ${sid ?? "(none)"} is not in this leader's configuration` };
  }
  if (hello.observer !== (member.type === "observer")) {
    return {
      refuse: `sid ${sid} sent ${packetName(first.type)} but is configured as ${member.type}`,
    };
  }
  return { hello: { ...hello, serverid: sid } };
}

/** What the leader does with its learners' connections (each call in the leader's input order). */
export interface LinkEvents {
  qv: QuorumVerifier;
  /** A read deadline until the NEWLEADER ACK (initLimit ticks). */
  initDeadlineMs: number;
  /** Whether the leadership is over (the read loops stop). */
  ended(): boolean;
  /** A learner registered. */
  registered(l: Link, hello: LearnerHello): Promise<void>;
  /** A packet from a registered learner. */
  packet(l: Link, p: QuorumPacket): Promise<void>;
  /** A registered learner's connection ended: it should go (through gone()). */
  lost(l: Link, why: string): Promise<void>;
  /** Tells the cores a learner is gone. */
  forget(sid: bigint): void;
  /** Queue metric samples of a registered learner (3.8's learner_handler_qp_*). */
  queueSample?(sid: bigint, metric: LearnerQueueMetric, value: number): void;
}

/** The registered learners and every open connection. */
export class LearnerLinks {
  private links = new Map<bigint, Link>();
  /** Every open connection, learners and those still silent. */
  private conns = new Set<QuorumConn>();

  constructor(private readonly events: LinkEvents) {}

  /** One learner connection, from FOLLOWERINFO/OBSERVERINFO to its end. */
  async serve(c: Deno.Conn): Promise<void> {
    const ev = this.events;
    const q = new QuorumConn(c);
    this.conns.add(q);
    // 3.8's SO_TIMEOUT until the NEWLEADER ACK: initLimit ticks per read.
    q.setReadDeadline(ev.initDeadlineMs);
    let link: Link | null = null;
    let why = "the learner closed the connection";
    try {
      const first = await q.read();
      if (first === null) return;
      const checked = checkLearnerHello(first, ev.qv);
      if ("refuse" in checked) {
        why = checked.refuse;
        return;
      }
      const hello = checked.hello;
      const l = link = this.register(hello.serverid, hello.observer, q);
      log.info(
        `Follower sid: ${l.sid} : info : ${q.name}; acceptedEpoch ${hello.acceptedEpoch}${
          hello.observer ? " (observer)" : ""
        }`,
      );
      await ev.registered(l, hello);
      while (!ev.ended() && this.isCurrent(l)) {
        const p = await q.read();
        if (p === null) return;
        await ev.packet(l, p);
      }
    } catch (e) {
      // QuorumConn logged the one line (garbage, timeout, socket error).
      why = (e as Error).message;
    } finally {
      this.conns.delete(q);
      if (link !== null && this.isCurrent(link)) await ev.lost(link, why);
      else if (!q.closed) q.closeWithReason(why);
    }
  }

  /** The link registered for sid. */
  get(sid: bigint): Link | undefined {
    return this.links.get(sid);
  }

  /** Whether l is still sid's link. */
  isCurrent(l: Link): boolean {
    return this.links.get(l.sid) === l;
  }

  /** Every registered link. */
  all(): Link[] {
    return [...this.links.values()];
  }

  /** Registers sid's connection, replacing an older one. */
  private register(sid: bigint, observer: boolean, conn: QuorumConn): Link {
    const old = this.links.get(sid);
    if (old) this.gone(old, "the learner connected again");
    const link: Link = {
      sid,
      observer,
      conn,
      deferred: null,
      newLeaderAcked: false,
      established: Date.now(),
      requests: 0,
    };
    const sample = this.events.queueSample;
    if (sample) {
      conn.onTaken = (n, waited) => {
        // 3.8 samples the queue's size as each packet is taken from it.
        for (let left = n - 1; left >= 0; left--) sample(sid, "learner_handler_qp_size", left);
        if (waited !== null) sample(sid, "learner_handler_qp_time_ms", waited);
      };
    }
    this.links.set(sid, link);
    return link;
  }

  /** A learner's connection is over: the cores forget it, its socket closes. */
  gone(l: Link, reason: string): void {
    if (this.links.get(l.sid) !== l) return;
    this.links.delete(l.sid);
    this.events.forget(l.sid);
    this.conns.delete(l.conn);
    if (!l.conn.closed) l.conn.closeWithReason(reason);
    else log.info(`Learner sid ${l.sid} gone: ${reason}`);
  }

  /** Sends to sid's link if any (behind a SNAP that streams). */
  send(sid: bigint, p: QuorumPacket): void {
    const l = this.links.get(sid);
    if (!l) return;
    if (l.deferred !== null) {
      // The SNAP stream owns the socket; a PING then would only be stale.
      if (p.type !== PacketType.PING) l.deferred.push(p);
      return;
    }
    l.conn.send(p);
  }

  /**
   * Sends a learner's sync plan; a SNAP streams `image()` (taken now) in the
   * background while later packets wait behind it.
   */
  sendSync(l: Link, plan: SyncPlan, image: () => TreeImage): void {
    if (plan.mode !== "snap") {
      for (const p of plan.packets) l.conn.send(p);
      return;
    }
    // The image is frozen now, at lastCommitted: commits from here on reach
    // this learner as live traffic queued behind the stream.
    const frozen = image();
    if (frozen.lastProcessedZxid !== plan.zxid) {
      frozen.release();
      this.gone(
        l,
        `the tree is at ${zxidHex(frozen.lastProcessedZxid)}, not at the SNAP's ${
          zxidHex(plan.zxid)
        }`,
      );
      return;
    }
    void this.streamSnap(l, frozen, plan.packets.slice(1));
  }

  /** Streams a SNAP image to l, then what was sent meanwhile (`rest` first). */
  private async streamSnap(l: Link, image: TreeImage, rest: QuorumPacket[]): Promise<void> {
    l.deferred = rest;
    const started = performance.now();
    const at = image.lastProcessedZxid;
    try {
      await l.conn.sendSnap(image);
    } catch (e) {
      // The write failure closed the connection; its read loop reports it.
      log.warn(`Sending a snapshot to sid ${l.sid} failed: ${(e as Error).message}`);
      return;
    } finally {
      image.release();
    }
    const after = l.deferred ?? [];
    l.deferred = null;
    if (this.links.get(l.sid) !== l) return;
    for (const p of after) l.conn.send(p);
    log.info(
      `Sent a snapshot at ${
        zxidHex(at)
      } to sid ${l.sid} (${l.conn.stats.bytesOut} bytes so far) in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  }

  /** Closes every connection (the leadership is over). */
  closeAll(reason: string): void {
    for (const l of this.links.values()) {
      if (!l.conn.closed) l.conn.closeWithReason(`leader shutting down: ${reason}`);
    }
    for (const q of this.conns) if (!q.closed) q.closeWithReason("leader shutting down");
    this.links.clear();
    this.conns.clear();
  }
}
