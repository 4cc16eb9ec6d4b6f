// The leader chain: prep → propose → (the Zab log, the ACK quorum) → commit →
// final. Prep is the standalone prep over the outstanding-changes overlay; the
// zxid comes from Zab (propose assigns it synchronously, so prep order is
// proposal order) and the txn leaves as its txn-entry bytes with the digest
// the overlay predicts. The leader's own log append, the ACKs and the commit
// order are Zab's (one log writer: this chain never appends). When Zab has
// applied a committed txn to the tree, `committed` does the rest of the
// commit stage — overlay entries dropped, digest checked, watches fired —
// and final answers the request if it came in on this server.
import type { ApplyResult } from "../../data/apply.ts";
import { DIGEST_VERSION } from "../../data/digest.ts";
import type { DataTree } from "../../data/tree.ts";
import { OpCode } from "../../jute/constants.ts";
import type { TxnHeader } from "../../jute/txn.ts";
import type { Txn } from "../../jute/txn_body.ts";
import { bytesOf } from "../../jute/writer.ts";
import { decodeTxnEntry, encodeTxnEntry } from "../../persistence/records.ts";
import type { ChainTxn, Committed } from "./commit.ts";
import { FinalStage } from "./final.ts";
import { committedTree, Outstanding } from "./overlay.ts";
import type { Chain } from "./standalone.ts";

/** What the leader chain is built on. */
export interface LeaderChainWiring {
  tree: DataTree;
  ephemerals(sessionId: bigint): string[];
  now(): number;
  /** Zab's propose: `build(zxid)` returns the txn-entry bytes; returns the zxid. */
  propose(build: (zxid: bigint) => Uint8Array): bigint;
  /** Resolves once every txn handed to the Zab log is durable. */
  drain(): Promise<void>;
  fire(c: Committed): void;
  after(c: Committed): void;
  mismatch(zxid: bigint, logged: bigint, tree: bigint): void;
}

/** The leader's chain: the stages the server drives, plus Zab's commit report. */
export interface LeaderChain extends Chain {
  /** Zab applied committed txn `zxid` (its entry bytes) to the tree, with this result. */
  committed(txn: { zxid: bigint; entry: Uint8Array }, rc: ApplyResult): Committed;
  /** Proposals made and not yet committed. */
  readonly outstanding: number;
}

/** Builds prep → propose → commit → final over the tree Zab applies to. */
export function leaderChain(w: LeaderChainWiring): LeaderChain {
  const overlay = new Outstanding(committedTree(w.tree, w.ephemerals));
  const final = new FinalStage();
  /** Proposed, not yet committed: what final and the watches need at commit. */
  const proposed = new Map<bigint, ChainTxn>();
  const submit = (sessionId: bigint, cxid: number, txn: Txn): ChainTxn => {
    let t: ChainTxn | null = null;
    w.propose((zxid) => {
      const header: TxnHeader = { clientId: sessionId, cxid, zxid, time: w.now(), type: txn.type };
      const treeDigest = overlay.record(header, txn);
      // 3.8 writes no digest after an error txn.
      const digest = txn.type === OpCode.error ? null : { version: DIGEST_VERSION, treeDigest };
      t = { header, txn, digest };
      return bytesOf((out) => encodeTxnEntry(out, header, txn, digest));
    });
    const made = t as ChainTxn | null;
    if (made === null) throw new Error("propose did not build the txn");
    proposed.set(made.header.zxid, made);
    return made;
  };
  return {
    overlay,
    final,
    prep: { submit },
    sync: {
      get queued() {
        return proposed.size;
      },
      drain: () => w.drain(),
    },
    get outstanding() {
      return proposed.size;
    },
    committed(txn, rc) {
      const zxid = txn.zxid;
      const t = proposed.get(zxid) ?? decodeTxnEntry(txn.entry);
      proposed.delete(zxid);
      overlay.committed(zxid);
      if (t.digest && t.txn.type !== OpCode.error) {
        const now = w.tree.digest;
        if (now !== t.digest.treeDigest) w.mismatch(zxid, t.digest.treeDigest, now);
      }
      const c: Committed = { header: t.header, txn: t.txn, rc };
      w.fire(c);
      final.committed(c);
      w.after(c);
      return c;
    },
  };
}
