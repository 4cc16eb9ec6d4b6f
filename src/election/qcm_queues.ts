// The queues of ZooKeeper 3.8's QuorumCnxManager as pure data structures, shared
// by the real connection manager (qcm.ts) and the simulation (tests/sim), so the
// simulation runs the same drop and re-send rules the peer does:
// - per peer, a send slot of capacity 1 (SEND_CAPACITY): a newer message
//   replaces one still waiting, which is dropped;
// - per peer, the last message taken for writing (lastMessageSent), written
//   again first on a new connection when nothing newer waits;
// - one receive queue of capacity 100 (RECV_CAPACITY) that drops the oldest.

/** Messages waiting per peer (SEND_CAPACITY). */
export const SEND_CAPACITY = 1;
/** Received messages kept before the oldest is dropped (RECV_CAPACITY). */
export const RECV_CAPACITY = 100;

/** Per-peer send slots (capacity 1) and the last message sent to each peer. */
export class SendSlots<T> {
  /** sid → the waiting message or null; a sid is present once we have talked to it. */
  private readonly slots = new Map<bigint, T | null>();
  private readonly last = new Map<bigint, T>();

  /** Queues msg for sid; returns the older message it replaced (dropped), if any. */
  offer(sid: bigint, msg: T): T | undefined {
    const old = this.slots.get(sid) ?? undefined;
    this.slots.set(sid, msg);
    return old ?? undefined;
  }

  /** Takes sid's waiting message to write it now; it becomes the last message sent. */
  take(sid: bigint): T | undefined {
    const msg = this.slots.get(sid);
    if (msg === undefined || msg === null) return undefined;
    this.slots.set(sid, null);
    this.last.set(sid, msg);
    return msg;
  }

  /**
   * A connection to sid came up: registers sid and returns what to write before
   * anything else — the last message sent when no newer one waits (the peer may
   * have lost it with the old connection), else nothing.
   */
  connected(sid: bigint): T | undefined {
    const waiting = this.slots.get(sid);
    if (waiting === undefined) this.slots.set(sid, null);
    if (waiting !== undefined && waiting !== null) return undefined;
    return this.last.get(sid);
  }

  /** True when some known peer's slot is empty (3.8's haveDelivered). */
  haveDelivered(): boolean {
    for (const m of this.slots.values()) if (m === null) return true;
    return false;
  }

  /** Every sid we have talked to (whom connectAll reconnects). */
  sids(): bigint[] {
    return [...this.slots.keys()];
  }

  /** Messages waiting for sid: 0 or 1. */
  queued(sid: bigint): number {
    const m = this.slots.get(sid);
    return m === undefined || m === null ? 0 : 1;
  }
}

/** A bounded FIFO that drops its oldest entry when full. */
export class RecvQueue<T> {
  private items: T[] = [];

  constructor(readonly capacity = RECV_CAPACITY) {}

  /** Appends m; returns the oldest entry dropped to make room, if any. */
  push(m: T): T | undefined {
    const dropped = this.items.length >= this.capacity ? this.items.shift() : undefined;
    this.items.push(m);
    return dropped;
  }

  /** Takes every entry, oldest first. */
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Entries waiting. */
  get length(): number {
    return this.items.length;
  }
}
