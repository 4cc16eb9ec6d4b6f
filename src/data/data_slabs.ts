// Small znode data packed into shared slabs. A Uint8Array with its own
// ArrayBuffer costs ~250 B of memory beside its bytes (the backing store and
// its bookkeeping), so 200k znodes of 100 B spent more on that than on data.
// Slabs are bump-allocated and never reused; a slab whose bytes are mostly
// dead is compacted (its live data moves to the current slab) and dropped
// once nothing refers to it, so a churning tree holds at most ~2x its data.

/** Whatever holds placed data (a DataNode); compaction moves its `data`. */
export interface DataOwner {
  data: Uint8Array | null;
}

interface Slab {
  buf: ArrayBuffer;
  used: number;
  live: number;
  owners: Set<DataOwner>;
}

/** Places znode data in slabs and keeps them compact. */
export class DataSlabs {
  private readonly byBuffer = new Map<ArrayBufferLike, Slab>();
  private current: Slab | null = null;

  constructor(
    private readonly slabSize = 256 * 1024,
    /** Larger data keeps its own buffer (it already dwarfs the overhead). */
    private readonly maxSlabbed = 2048,
  ) {}

  /** The bytes `owner` will hold: a copy of `data` in a slab when small, else `data` itself. */
  place(owner: DataOwner, data: Uint8Array | null): Uint8Array | null {
    if (data === null || data.length === 0 || data.length > this.maxSlabbed) return data;
    let s = this.current;
    if (!s || s.used + data.length > this.slabSize) {
      s = { buf: new ArrayBuffer(this.slabSize), used: 0, live: 0, owners: new Set() };
      this.byBuffer.set(s.buf, s);
      this.current = s;
    }
    const view = new Uint8Array(s.buf, s.used, data.length);
    view.set(data);
    s.used += data.length;
    s.live += data.length;
    s.owners.add(owner);
    return view;
  }

  /** `owner` no longer holds `data` (replaced or deleted); the view itself stays valid. */
  release(owner: DataOwner, data: Uint8Array | null): void {
    if (data === null || data.length === 0) return;
    const s = this.byBuffer.get(data.buffer);
    if (!s || !s.owners.delete(owner)) return;
    s.live -= data.length;
    if (s !== this.current && s.live * 2 < s.used) this.compact(s);
  }

  /** Slabs in use and their live and allocated bytes (tests, stats). */
  stats(): { slabs: number; live: number; used: number } {
    let live = 0;
    let used = 0;
    for (const s of this.byBuffer.values()) {
      live += s.live;
      used += s.used;
    }
    return { slabs: this.byBuffer.size, live, used };
  }

  private compact(s: Slab): void {
    this.byBuffer.delete(s.buf);
    for (const o of s.owners) {
      const d = o.data;
      if (d !== null && d.buffer === s.buf) o.data = this.place(o, d);
    }
    s.owners.clear();
  }
}
