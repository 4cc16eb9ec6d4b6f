// The prep stage's hand-off (3.8's PrepRequestProcessor, after its checks):
// a prepared txn — built by ../prep.ts and ../write_ops.ts over the
// outstanding-changes overlay — gets its zxid and header time, its changes go
// into the overlay (so the next request is prepared against them), and it
// moves on with the tree digest it will leave, for the log.
//
// Seam: standalone hands the txn to sync. A leader hands it to propose (a
// PROPOSAL to the voters, then its own sync). A follower or observer does not
// prepare writes: it forwards the request to the leader and has no overlay.
import { DIGEST_VERSION } from "../../data/digest.ts";
import type { Txn } from "../../jute/txn_body.ts";
import type { TxnHeader } from "../../jute/txn.ts";
import type { ChainTxn } from "./commit.ts";
import type { Outstanding } from "./overlay.ts";

/** What the prep stage is wired to. */
export interface PrepWiring {
  overlay: Outstanding;
  /** The next zxid. */
  nextZxid(): bigint;
  /** Wall-clock ms for the txn header. */
  now(): number;
  /** The next stage (sync, or propose). */
  next(t: ChainTxn): void;
}

/** Gives prepared txns their zxids and records them as outstanding. */
export class PrepStage {
  constructor(private readonly w: PrepWiring) {}

  /** Hands on a prepared txn of `sessionId`'s request `cxid`; returns it as it travels. */
  submit(sessionId: bigint, cxid: number, txn: Txn): ChainTxn {
    const w = this.w;
    const header: TxnHeader = {
      clientId: sessionId,
      cxid,
      zxid: w.nextZxid(),
      time: w.now(),
      type: txn.type,
    };
    const treeDigest = w.overlay.record(header, txn);
    const t = { header, txn, digest: { version: DIGEST_VERSION, treeDigest } };
    w.next(t);
    return t;
  }
}
