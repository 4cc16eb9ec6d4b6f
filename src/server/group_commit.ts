// Group commit and ordered release of replies. Txns are applied to the tree as
// they are prepared (so the next request sees them), but nothing a client can
// observe — a reply, a watch event — leaves before every txn prepared ahead of
// it is durable. Txns that arrive while a commit is in flight form the next
// batch: one write and one fsync per batch.

/** Where a batch of txns goes: append everything, then one durable commit. */
export interface CommitSink<T> {
  /** Appends the batch and makes it durable (one write, one fsync). */
  commit(batch: T[]): Promise<void>;
}

/** Orders txn durability and the outputs that depend on it. */
export class GroupCommit<T> {
  private pending: T[] = [];
  /** Batch number that txns added now belong to. */
  private open = 1;
  /** Highest batch number known durable. */
  private durable = 0;
  private outputs: { batch: number; run: () => void }[] = [];
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Sizes of committed batches, for stats. */
  lastBatchSize = 0;
  batches = 0;

  constructor(
    private readonly sink: CommitSink<T>,
    private readonly onFatal: (e: Error) => void,
  ) {}

  /** Adds a txn to the open batch (the caller already applied it). */
  add(txn: T): void {
    if (this.failure) throw this.failure;
    this.pending.push(txn);
    if (!this.running) this.running = this.loop();
  }

  /** Queues an output to run once every txn added so far is durable (at once if so already). */
  output(run: () => void): void {
    const batch = this.pending.length > 0 ? this.open : this.open - 1;
    if (this.outputs.length === 0 && batch <= this.durable) {
      run();
      return;
    }
    this.outputs.push({ batch, run });
  }

  /** Txns not yet durable. */
  get queued(): number {
    return this.pending.length;
  }

  /** Resolves when everything added so far is durable. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  private async loop(): Promise<void> {
    // Let the current turn add more txns so they share this batch.
    await Promise.resolve();
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const n = this.open;
        this.pending = [];
        this.open++;
        await this.sink.commit(batch);
        this.lastBatchSize = batch.length;
        this.batches++;
        this.durable = n;
        this.release();
      }
    } catch (e) {
      this.failure = e as Error;
      this.onFatal(this.failure);
    } finally {
      this.running = null;
    }
  }

  private release(): void {
    let i = 0;
    while (i < this.outputs.length && this.outputs[i].batch <= this.durable) {
      this.outputs[i].run();
      i++;
    }
    if (i > 0) this.outputs.splice(0, i);
  }
}
