// A serving learner's traffic with its leader (zab-3.8.md §7): PING replies
// with the touched sessions, PROPOSAL/COMMIT (follower) or INFORM (observer),
// forwarded requests, syncs released FIFO by the leader's SYNC, and session
// revalidations answered by REVALIDATE. Part of LearnerCore; no I/O.
import { OpCode } from "../jute/constants.ts";
import type { QuorumPacket } from "../jute/quorum.ts";
import type { LearnerTxns } from "./learner_txns.ts";
import type { LearnerOutput } from "./learner_types.ts";
import { packetName, PacketType, zxidHex } from "./packet_types.ts";
import {
  type ForwardedRequest,
  parseRevalidateReply,
  pingReplyPacket,
  requestPacket,
  revalidatePacket,
  type SessionTouch,
} from "./packets.ts";

/** The broadcast phase of one learner link. */
export class LearnerServing {
  private pendingSyncs: ForwardedRequest[] = [];
  private pendingRevalidations = new Map<bigint, number>();

  constructor(
    private readonly observer: boolean,
    private readonly txns: LearnerTxns,
    private readonly out: LearnerOutput,
    private readonly takeTouches?: () => readonly SessionTouch[],
  ) {}

  /** Forwarded syncs not yet answered. */
  get pendingSyncCount(): number {
    return this.pendingSyncs.length;
  }

  /** A packet from the leader after UPTODATE. */
  receive(p: QuorumPacket): void {
    switch (p.type) {
      case PacketType.PING:
        // Never null data: a Java leader wraps it unchecked and drops us on null.
        this.send(pingReplyPacket(p.zxid, this.takeTouches?.() ?? []));
        return;
      case PacketType.SYNC:
        return this.onSync();
      case PacketType.REVALIDATE:
        return this.onRevalidateReply(p);
      case PacketType.UPTODATE:
        return this.warn("UPTODATE after the learner started serving");
    }
    if (this.observer) {
      switch (p.type) {
        case PacketType.INFORM:
          return this.txns.informWhileObserving(p);
        case PacketType.PROPOSAL:
          return this.warn(`observer ignores PROPOSAL ${zxidHex(p.zxid)}`);
        case PacketType.COMMIT:
          return this.warn(`observer ignores COMMIT ${zxidHex(p.zxid)}`);
      }
      this.out.leave(`unexpected ${packetName(p.type)} while observing`);
      return;
    }
    switch (p.type) {
      case PacketType.PROPOSAL:
        return this.txns.proposal(p, false);
      case PacketType.COMMIT:
        return this.txns.commit(p.zxid, false);
    }
    this.out.leave(`unexpected ${packetName(p.type)} while following`);
  }

  /** Forwards a client write or sync; a sync waits for the leader's SYNC. */
  forward(request: ForwardedRequest): void {
    if (request.type === OpCode.sync) this.pendingSyncs.push(request);
    this.send(requestPacket(request));
  }

  /** Asks whether a reconnecting client's session is still valid. */
  revalidate(sessionId: bigint, timeout: number): void {
    this.pendingRevalidations.set(sessionId, (this.pendingRevalidations.get(sessionId) ?? 0) + 1);
    this.send(revalidatePacket(sessionId, timeout));
  }

  private onSync(): void {
    const request = this.pendingSyncs.shift();
    if (request === undefined) {
      this.out.leave("SYNC from the leader with no sync pending");
      return;
    }
    this.out.push({ kind: "syncDone", request });
  }

  private onRevalidateReply(p: QuorumPacket): void {
    const { sessionId, valid } = parseRevalidateReply(p);
    const n = this.pendingRevalidations.get(sessionId);
    if (n === undefined) {
      this.warn(`REVALIDATE answer for session 0x${sessionId.toString(16)}, which we did not ask`);
      return;
    }
    if (n > 1) this.pendingRevalidations.set(sessionId, n - 1);
    else this.pendingRevalidations.delete(sessionId);
    this.out.push({ kind: "revalidated", sessionId, valid });
  }

  private send(packet: QuorumPacket): void {
    this.out.push({ kind: "send", packet });
  }

  private warn(message: string): void {
    this.out.push({ kind: "warn", message });
  }
}
