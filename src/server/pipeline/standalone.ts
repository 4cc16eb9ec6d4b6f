// The standalone chain, assembled in one place: prep → sync → commit → final.
// A txn is applied only once it is durable; replies and watch events leave
// only after it is applied, so no client sees state that is not on disk.
// A quorum peer assembles its own chain from the same stages (see each stage's
// header for its seam); no stage asks which chain it is in.
import type { DataTree } from "../../data/tree.ts";
import type { Txn } from "../../jute/txn_body.ts";
import { type ChainTxn, CommitStage, type Committed } from "./commit.ts";
import { FinalStage } from "./final.ts";
import { committedTree, Outstanding } from "./overlay.ts";
import { PrepStage } from "./prep.ts";
import { type CommitSink, GroupCommit } from "./sync.ts";

/** What the standalone chain is built on. */
export interface StandaloneWiring {
  tree: DataTree;
  /** A session's committed ephemerals in 3.8's order. */
  ephemerals(sessionId: bigint): string[];
  /** The txn log (append + fsync per batch). */
  sink: CommitSink<ChainTxn>;
  nextZxid(): bigint;
  now(): number;
  /** A txn was applied: fire its watches (before any reply). */
  fire(c: Committed): void;
  /** A txn was applied and its request answered: what the server does after (close, snapshot). */
  after(c: Committed): void;
  mismatch(zxid: bigint, logged: bigint, tree: bigint): void;
  /** The log could not be written: nothing may be answered any more. */
  fatal(e: Error): void;
}

/** The stages of one chain, as the server drives them (every role's chain has these). */
export interface Chain {
  overlay: Outstanding;
  /** Hands on a prepared txn (its zxid assigned now); returns it as it travels. */
  prep: { submit(sessionId: bigint, cxid: number, txn: Txn): ChainTxn };
  /** Txns handed on and not yet durable, and a wait until they are. */
  sync: { readonly queued: number; drain(): Promise<void> };
  final: FinalStage;
}

/** Builds prep → sync → commit → final over one tree and one log. */
export function standaloneChain(w: StandaloneWiring): Chain {
  const overlay = new Outstanding(committedTree(w.tree, w.ephemerals));
  const final = new FinalStage();
  const commit = new CommitStage({
    tree: w.tree,
    hints: overlay,
    applied: (zxid) => overlay.committed(zxid),
    mismatch: w.mismatch,
    fire: w.fire,
    next: (c) => {
      final.committed(c);
      w.after(c);
    },
  });
  const sync = new GroupCommit<ChainTxn>(w.sink, (batch) => {
    for (const t of batch) commit.commit(t);
  }, w.fatal);
  const prep = new PrepStage({
    overlay,
    nextZxid: w.nextZxid,
    now: w.now,
    next: (t) => sync.add(t),
  });
  return { overlay, prep, sync, final };
}
