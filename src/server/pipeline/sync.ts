// The sync stage (3.8's SyncRequestProcessor): group commit. Txns handed in
// while a write + fsync is in flight form the next batch; each batch is written
// once and made durable once, and only then handed on, in order, to whatever
// follows sync in the chain. Nothing is applied here.
//
// Seam: standalone hands a durable batch straight to commit. A leader hands it
// to its broadcast core as its own ACK and commits on a quorum; a follower
// sends one ACK per durable PROPOSAL and commits on the leader's COMMIT; an
// observer commits what the leader INFORMed. The stage does not know which.
import { endOfTurn } from "../../net/end_of_turn.ts";

/** Where a batch of txns goes: append everything, then one durable commit. */
export interface CommitSink<T> {
  /** Appends the batch and makes it durable (one write, one fsync). */
  commit(batch: T[]): Promise<void>;
}

/** Batches txns into durable group commits and hands each durable batch on. */
export class GroupCommit<T> {
  private pending: T[] = [];
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Size of the last committed batch, for stats. */
  lastBatchSize = 0;
  batches = 0;

  constructor(
    private readonly sink: CommitSink<T>,
    /** Receives each batch once it is durable, batches in the order they were added. */
    private readonly durable: (batch: T[]) => void,
    private readonly onFatal: (e: Error) => void,
  ) {}

  /** Adds a txn to the open batch. */
  add(txn: T): void {
    if (this.failure) throw this.failure;
    this.pending.push(txn);
    if (!this.running) this.running = this.loop();
  }

  /** Txns added and not yet durable. */
  get queued(): number {
    return this.pending.length + this.inFlight;
  }

  private inFlight = 0;

  /** Resolves when everything added so far is durable and handed on. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  private async loop(): Promise<void> {
    // Let the whole turn add more txns so they share this batch (end_of_turn.ts).
    await endOfTurn();
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        this.inFlight = batch.length;
        await this.sink.commit(batch);
        this.inFlight = 0;
        this.lastBatchSize = batch.length;
        this.batches++;
        this.durable(batch);
      }
    } catch (e) {
      this.failure = e as Error;
      this.onFatal(this.failure);
    } finally {
      this.running = null;
    }
  }
}
