// The leader's established epoch (zab-3.8.md §6): a txn proposed gets the
// next zxid synchronously (so the host's prep order is the proposal order),
// goes to the leader's own log (its ACK fed back after the fsync), and once
// committed is applied and reported to the host. Performs what the Broadcast
// core returns, in order.
import type { Broadcast, BroadcastAction } from "./broadcast.ts";
import type { ZabHost } from "./leader_host.ts";
import { zxidHex } from "./packet_types.ts";
import type { QuorumPacket } from "./packets.ts";
import type { ZabLog } from "./zab_log.ts";

/** What the proposals need from the leader shell. */
export interface ProposalsContext {
  myid: bigint;
  zabLog: ZabLog;
  host?: ZabHost;
  send(sid: bigint, p: QuorumPacket): void;
  /** Runs a step in the shell's input order. */
  input(step: () => void): Promise<void>;
  /** Ends the leadership. */
  end(reason: string): void;
  ended(): boolean;
}

/** The zxid a txn entry's TxnHeader carries (-1 if too short): clientId (8), cxid (4), zxid. */
function headerZxid(entry: Uint8Array): bigint {
  return entry.length >= 20
    ? new DataView(entry.buffer, entry.byteOffset, entry.byteLength).getBigInt64(12)
    : -1n;
}

/** Drives the Broadcast core of one established epoch. */
export class LeaderProposals {
  constructor(readonly core: Broadcast, private readonly c: ProposalsContext) {}

  /** Proposes the txn `build(zxid)` returns; returns its zxid. */
  propose(build: (zxid: bigint) => Uint8Array): bigint {
    const zxid = this.core.nextZxid;
    const entry = build(zxid);
    const inHeader = headerZxid(entry);
    if (inHeader !== zxid) {
      throw new Error(`txn header carries zxid ${zxidHex(inHeader)}, expected ${zxidHex(zxid)}`);
    }
    this.perform(this.core.propose({ zxid, entry }, performance.now()));
    return zxid;
  }

  /** Performs the core's actions, in order. */
  perform(actions: BroadcastAction[]): void {
    const c = this.c;
    for (const a of actions) {
      if (c.ended()) return;
      switch (a.kind) {
        case "send":
          c.send(a.to, a.packet);
          break;
        case "log": {
          const zxid = a.txn.zxid;
          c.zabLog.append([a.txn]).then(
            () => c.input(() => this.perform(this.core.ack(c.myid, zxid))),
            (e) => c.end(`cannot log ${zxidHex(zxid)}: ${(e as Error).message}`),
          );
          break;
        }
        case "apply": {
          const result = c.zabLog.apply(a.txn);
          c.host?.commit?.(a.txn, result);
          break;
        }
        case "stepDown":
          c.end(a.reason);
          return;
      }
    }
  }
}
