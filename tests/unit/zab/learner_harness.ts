// Drives a LearnerCore in tests: records every action, and (unless told not
// to) completes each disk step as soon as the action list that asked for it
// has been handled, as a shell with an instant disk would.
import type { QuorumPacket } from "../../../src/jute/quorum.ts";
import type { TxnHeader } from "../../../src/jute/txn.ts";
import { encode } from "../../../src/jute/writer.ts";
import { writeTxnHeader } from "../../../src/jute/txn.ts";
import { type LearnerAction, LearnerCore, type LearnerOptions } from "../../../src/zab/learner.ts";
import { PacketType } from "../../../src/zab/packet_types.ts";
import * as P from "../../../src/zab/packets.ts";

/** A follower/observer start state; fields default to a fresh data dir. */
export function options(o: Partial<LearnerOptions> = {}): LearnerOptions {
  return {
    sid: 2n,
    observer: false,
    acceptedEpoch: 0n,
    currentEpoch: 0n,
    lastLoggedZxid: 0n,
    ...o,
  };
}

/** A txn entry for `zxid` (a header and a 4-byte body; the core never decodes bodies). */
export function txnEntry(zxid: bigint, type = 5): Uint8Array {
  const h: TxnHeader = { clientId: 0x42n, cxid: 1, zxid, time: 1_700_000_000_000, type };
  const head = encode(writeTxnHeader, h, 32);
  const out = new Uint8Array(head.length + 4);
  out.set(head);
  return out;
}

/** PROPOSAL for zxid. */
export const proposal = (zxid: bigint): QuorumPacket => P.proposalPacket(zxid, txnEntry(zxid));
/** INFORM for zxid. */
export const inform = (zxid: bigint): QuorumPacket => P.informPacket(zxid, txnEntry(zxid));
/** COMMIT for zxid. */
export const commit = (zxid: bigint): QuorumPacket => P.commitPacket(zxid);

/** One line per action, for readable assertions. */
export function describe(a: LearnerAction): string {
  switch (a.kind) {
    case "send":
      return `send ${P.describePacket(a.packet)}`;
    case "writeAcceptedEpoch":
    case "writeCurrentEpoch":
    case "startServing":
      return `${a.kind} ${a.epoch}`;
    case "truncate":
    case "loadSnapshot":
      return `${a.kind} 0x${a.zxid.toString(16)}`;
    case "takeSnapshot":
      return `takeSnapshot 0x${a.zxid.toString(16)} fsync=${a.fsync}`;
    case "append":
      return `append ${a.txns.map((t) => "0x" + t.zxid.toString(16)).join(",")}`;
    case "apply":
      return `apply 0x${a.txn.zxid.toString(16)}`;
    case "syncDone":
      return `syncDone cxid=${a.request.cxid}`;
    case "revalidated":
      return `revalidated 0x${a.sessionId.toString(16)} ${a.valid}`;
    case "warn":
      return `warn ${a.message}`;
    case "leave":
      return `leave (${a.memory}) ${a.reason}`;
  }
}

/** A LearnerCore with an instant (or manual) disk and a record of what it did. */
export class Harness {
  readonly core: LearnerCore;
  /** Every action, in order. */
  readonly actions: LearnerAction[] = [];
  /** Disk completions are made at once unless false. */
  autoDisk = true;

  constructor(opts: LearnerOptions) {
    this.core = new LearnerCore(opts);
  }

  /** Runs an input and, with autoDisk, the completions it asks for; returns all actions. */
  run(first: LearnerAction[]): LearnerAction[] {
    const out: LearnerAction[] = [];
    let batch = first;
    while (batch.length > 0) {
      out.push(...batch);
      this.actions.push(...batch);
      const next: LearnerAction[] = [];
      if (this.autoDisk) {
        for (const a of batch) next.push(...this.complete(a));
      }
      batch = next;
    }
    return out;
  }

  /** The completion a shell with an instant disk reports for an action. */
  complete(a: LearnerAction): LearnerAction[] {
    switch (a.kind) {
      case "writeAcceptedEpoch":
        return this.core.acceptedEpochWritten();
      case "truncate":
        return this.core.truncated();
      case "loadSnapshot":
        return this.core.snapshotLoaded();
      case "takeSnapshot":
        return this.core.snapshotWritten();
      case "append":
        return this.core.persisted(a.txns[a.txns.length - 1].zxid);
      case "writeCurrentEpoch":
        return this.core.currentEpochWritten();
      default:
        return [];
    }
  }

  start(): LearnerAction[] {
    return this.run(this.core.start());
  }

  feed(...packets: QuorumPacket[]): LearnerAction[] {
    const out: LearnerAction[] = [];
    for (const p of packets) out.push(...this.run(this.core.receive(p)));
    return out;
  }

  /** Packets sent so far. */
  get sent(): QuorumPacket[] {
    return this.actions.flatMap((a) => a.kind === "send" ? [a.packet] : []);
  }

  /** Actions of one kind so far. */
  of<K extends LearnerAction["kind"]>(kind: K): Extract<LearnerAction, { kind: K }>[] {
    return this.actions.filter((a) => a.kind === kind) as Extract<LearnerAction, { kind: K }>[];
  }

  /** The leave actions so far. */
  get leaves(): Extract<LearnerAction, { kind: "leave" }>[] {
    return this.of("leave");
  }
}

/** A follower (or observer) taken through discovery with LEADERINFO(epoch). */
export function registered(o: Partial<LearnerOptions> = {}, epoch = 1n): Harness {
  const h = new Harness(options(o));
  h.start();
  h.feed(P.leaderInfoPacket(epoch));
  return h;
}

/** A learner in broadcast after an empty DIFF in `epoch`. */
export function serving(o: Partial<LearnerOptions> = {}, epoch = 1n): Harness {
  const h = registered(o, epoch);
  h.feed(P.diffPacket(o.lastLoggedZxid ?? 0n));
  h.feed(P.newLeaderPacket(epoch, ""), P.upToDatePacket());
  return h;
}

export const T = PacketType;
