// The final stage (3.8's FinalRequestProcessor, with CommitProcessor's
// per-session order): replies leave in each session's request order. A write
// waits for its txn to commit and is answered from its ApplyResult; anything
// answered from the committed tree (a read, a ping, a refusal) runs when the
// session's earlier writes have committed — at once when it has none — so a
// session never sees a state older than its own writes, and other sessions'
// reads never wait. Pure: answers are the caller's closures.
//
// Seam: a committed txn is matched to a local request by zxid. Standalone and
// a leader know the zxid at prep; a follower or observer learns it when the
// leader's PROPOSAL (or INFORM) for the forwarded request arrives
// (assign), before it commits. A txn with no local request (another server's
// client, an expiry) is just applied.
import { OpCode } from "../../jute/constants.ts";
import type { Committed } from "./commit.ts";

type Pending =
  | { kind: "write"; zxid: bigint | null; done: (c: Committed) => void }
  | { kind: "answer"; run: () => void };

/** Per-session queues of requests waiting for their turn to be answered. */
export class FinalStage {
  private readonly queues = new Map<bigint, Pending[]>();
  /** Writes waiting for their commit, by zxid. */
  private readonly byZxid = new Map<bigint, bigint>();

  /** Answers `run` once `session`'s earlier writes have committed (now, if none are waiting). */
  answer(session: bigint, run: () => void): void {
    const q = this.queues.get(session);
    if (!q || q.length === 0) return run();
    q.push({ kind: "answer", run });
  }

  /** A write of `session` waits for its txn (zxid, or null until assigned) to commit. */
  awaitCommit(session: bigint, zxid: bigint | null, done: (c: Committed) => void): void {
    const q = this.queues.get(session);
    const p: Pending = { kind: "write", zxid, done };
    if (q) q.push(p);
    else this.queues.set(session, [p]);
    if (zxid !== null) this.byZxid.set(zxid, session);
  }

  /** Gives the oldest write of `session` still without one its zxid (a learner's PROPOSAL). */
  assign(session: bigint, zxid: bigint): boolean {
    const w = this.queues.get(session)?.find((p) => p.kind === "write" && p.zxid === null);
    if (!w || w.kind !== "write") return false;
    w.zxid = zxid;
    this.byZxid.set(zxid, session);
    return true;
  }

  /** Sessions with a queue (empty ones stay until their closeSession commits). */
  get sessions(): number {
    return this.queues.size;
  }

  /** Requests of `session` not yet answered. */
  waiting(session: bigint): number {
    return this.queues.get(session)?.length ?? 0;
  }

  /** A committed txn: its request (if it came in here) is answered, then what queued behind it. */
  committed(c: Committed): boolean {
    const zxid = c.header.zxid;
    const session = this.byZxid.get(zxid);
    if (session === undefined) {
      // Another server's client or an expiry: a closed session's empty queue goes.
      if (c.txn.type === OpCode.closeSession) this.forget(c.header.clientId);
      return false;
    }
    this.byZxid.delete(zxid);
    const q = this.queues.get(session)!;
    const head = q[0];
    if (head === undefined) {
      throw new Error(`txn 0x${zxid.toString(16)} committed out of its session's order`);
    }
    if (head.kind !== "write" || head.zxid !== zxid) {
      throw new Error(`txn 0x${zxid.toString(16)} committed out of its session's order`);
    }
    q.shift();
    head.done(c);
    this.drain(q);
    if (c.txn.type === OpCode.closeSession) this.forget(c.header.clientId);
    return true;
  }

  /** Runs the answers at the head of a session's queue, up to its next write. */
  private drain(q: Pending[]): void {
    while (q.length > 0 && q[0].kind === "answer") {
      const p = q.shift()!;
      (p as { run: () => void }).run();
    }
  }

  /**
   * A session's closeSession committed: its queue goes once empty. Until then
   * an empty queue stays: deleting and re-adding it on every write churned
   * the map's table under load.
   */
  private forget(session: bigint): void {
    if (this.queues.get(session)?.length === 0) this.queues.delete(session);
  }
}
