// The znodes' storage, columnar: a node is an index into typed arrays (stat
// fields, tree links, where its name and data bytes are), and paths resolve
// through a hash table keyed by (parent, name bytes). No JS object, string or
// Map entry per node, so 200k znodes cost about their bytes and stats rather
// than ~900 B of V8 heap each, and the GC has nothing per node to trace.
// It knows nothing of ZooKeeper's rules; tree.ts keeps those.

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** No node (a missing lookup, the end of a child list, the root's parent). */
export const NONE = -1;
/** The parent mark of a free (deleted, reusable) node index. */
const FREE = -2;
/** dataSlab marks: no data (null), and data kept in its own buffer. */
const NULL_DATA = -1;
const OWN_BUFFER = -2;
const EMPTY_DATA = -3;

const SLAB_SIZE = 256 * 1024;
/** Larger data keeps its own buffer (it already dwarfs a buffer's overhead). */
const MAX_SLABBED = 2048;

/** Every column: one typed array each, all the same length (the capacity). */
interface Columns {
  czxid: BigInt64Array;
  mzxid: BigInt64Array;
  pzxid: BigInt64Array;
  owner: BigInt64Array;
  acl: BigInt64Array;
  ctime: Float64Array;
  mtime: Float64Array;
  version: Int32Array;
  cversion: Int32Array;
  aversion: Int32Array;
  digest: Uint32Array;
  parent: Int32Array;
  first: Int32Array;
  last: Int32Array;
  next: Int32Array;
  prev: Int32Array;
  kids: Int32Array;
  nameOff: Int32Array;
  nameLen: Int32Array;
  hash: Int32Array;
  dataSlab: Int32Array;
  dataOff: Int32Array;
  dataLen: Int32Array;
}

type ColumnName = keyof Columns;
const BIG_COLUMNS = ["czxid", "mzxid", "pzxid", "owner", "acl"] as const;
const F64_COLUMNS = ["ctime", "mtime"] as const;
const I32_COLUMNS = [
  "version",
  "cversion",
  "aversion",
  "parent",
  "first",
  "last",
  "next",
  "prev",
  "kids",
  "nameOff",
  "nameLen",
  "hash",
  "dataSlab",
  "dataOff",
  "dataLen",
] as const;

function allocColumns(cap: number): Columns {
  const c = {} as Record<ColumnName, unknown>;
  for (const k of BIG_COLUMNS) c[k] = new BigInt64Array(cap);
  for (const k of F64_COLUMNS) c[k] = new Float64Array(cap);
  for (const k of I32_COLUMNS) c[k] = new Int32Array(cap);
  c.digest = new Uint32Array(cap);
  return c as unknown as Columns;
}

/** The columns cut to their first `n` rows (a copy). */
function copyColumns(c: Columns, n: number): Columns {
  const out = {} as Record<ColumnName, unknown>;
  for (const k of Object.keys(c) as ColumnName[]) out[k] = c[k].slice(0, n);
  return out as unknown as Columns;
}

/** Frees columns now rather than at the next major GC (they can be tens of MiB). */
function releaseColumns(c: Columns): void {
  for (const k of Object.keys(c) as ColumnName[]) (c[k].buffer as ArrayBuffer).transfer(0);
}

/** The hash of a name's bytes under a parent (FNV-1a, parent folded in first). */
function nameHash(parent: number, bytes: Uint8Array, start: number, end: number): number {
  let h = Math.imul(parent ^ 0x811c9dc5, 0x9e3779b1);
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h ^ (h >>> 15);
}

/** Reads a node's bytes: the columns, names and data (live, or a frozen copy). */
export class NodeReader {
  constructor(
    /** The columns (rows below `rows` are meaningful). */
    readonly cols: Columns,
    protected names: Uint8Array,
    protected slabs: (Uint8Array | null)[],
    protected own: Map<number, Uint8Array>,
    /** Rows in use or free (the high-water mark). */
    public rows: number,
  ) {}

  /** Frees this reader's columns (a frozen copy no longer needed); it must not be read again. */
  release(): void {
    releaseColumns(this.cols);
    this.rows = 0;
  }

  /** A node's name (the last path component; "" for the root). */
  name(id: number): string {
    const off = this.cols.nameOff[id];
    const len = this.cols.nameLen[id];
    const b = this.names;
    if (len < 24) {
      // Short ASCII names (the common case) without the decoder's call cost.
      let s = "";
      for (let i = off; i < off + len; i++) {
        const c = b[i];
        if (c >= 0x80) return fromUtf8.decode(b.subarray(off, off + len));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return fromUtf8.decode(b.subarray(off, off + len));
  }

  /** A node's data: a view valid while the node keeps it (bytes never change in place). */
  data(id: number): Uint8Array | null {
    const s = this.cols.dataSlab[id];
    if (s === NULL_DATA) return null;
    if (s === OWN_BUFFER) return this.own.get(id)!;
    if (s === EMPTY_DATA) return new Uint8Array(0);
    const off = this.cols.dataOff[id];
    return this.slabs[s]!.subarray(off, off + this.cols.dataLen[id]);
  }

  /** A node's data length (0 for none). */
  dataLength(id: number): number {
    return this.cols.dataSlab[id] === NULL_DATA ? 0 : this.cols.dataLen[id];
  }

  /** A node's children, in the order they were added. */
  childIds(id: number): number[] {
    const out: number[] = [];
    for (let c = this.cols.first[id]; c !== NONE; c = this.cols.next[c]) out.push(c);
    return out;
  }

  /** A node's children's names, in the order they were added. */
  childNames(id: number): string[] {
    const out: string[] = [];
    for (let c = this.cols.first[id]; c !== NONE; c = this.cols.next[c]) out.push(this.name(c));
    return out;
  }

  /**
   * Every node depth first from `root`, parents before children, with its path
   * (the root's is ""). Not for a store that changes meanwhile: walk a frozen copy.
   */
  *walk(root: number): Generator<[string, number]> {
    if (root === NONE) return;
    yield ["", root];
    const { first, next } = this.cols;
    const paths: string[] = [""];
    const at: number[] = [first[root]];
    while (at.length > 0) {
      const top = at.length - 1;
      const c = at[top];
      if (c === NONE) {
        at.pop();
        paths.pop();
        continue;
      }
      at[top] = next[c];
      const path = `${paths[top]}/${this.name(c)}`;
      yield [path, c];
      paths.push(path);
      at.push(first[c]);
    }
  }
}

/** The live store: adds, finds, relinks and removes nodes; places their data. */
export class NodeStore extends NodeReader {
  private cap: number;
  /** Free rows, reused before the high-water mark grows. */
  private freeRows: number[] = [];
  private live = 0;
  /** Data bytes of every live node, kept as data changes (3.8's nodeDataSize, less the paths). */
  private dataTotal = 0;
  private namesUsed = 0;
  private namesDead = 0;
  /** Open addressing, linear probing: row + 1 per slot, 0 = empty. */
  private table: Int32Array;
  private current = -1;
  private slabUsed: number[] = [];
  private slabLive: number[] = [];
  private freeSlabs: number[] = [];
  /** Scratch for a path's bytes. */
  private scratch = new Uint8Array(256);

  constructor(
    capacity = 64,
    /** Bytes per data slab (small in tests, to exercise compaction). */
    private readonly slabSize = SLAB_SIZE,
  ) {
    super(allocColumns(capacity), new Uint8Array(4096), [], new Map(), 0);
    this.cap = capacity;
    this.table = new Int32Array(128);
  }

  /** Nodes in the store. */
  get size(): number {
    return this.live;
  }

  /** Data bytes of every node, without a walk. */
  get dataBytes(): number {
    return this.dataTotal;
  }

  /** The bytes of a string in the scratch buffer: [bytes, length] (valid until the next call). */
  private encode(s: string): [Uint8Array, number] {
    if (s.length * 3 > this.scratch.length) {
      this.scratch = new Uint8Array(Math.max(s.length * 3, this.scratch.length * 2));
    }
    const b = this.scratch;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return [b, utf8.encodeInto(s, b).written];
      b[i] = c;
    }
    return [b, n];
  }

  /** The child of `parent` whose name is bytes[start, end), or NONE. */
  private find(parent: number, bytes: Uint8Array, start: number, end: number): number {
    const h = nameHash(parent, bytes, start, end);
    const t = this.table;
    const mask = t.length - 1;
    const { hash, parent: par, nameOff, nameLen } = this.cols;
    const len = end - start;
    const names = this.names;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const slot = t[i];
      if (slot === 0) return NONE;
      const id = slot - 1;
      if (hash[id] !== h || par[id] !== parent || nameLen[id] !== len) continue;
      const off = nameOff[id];
      let same = true;
      for (let j = 0; j < len; j++) {
        if (names[off + j] !== bytes[start + j]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
  }

  /** The node at a path below `root` ("" or "/" is the root itself), or NONE. */
  lookup(root: number, path: string): number {
    if (root === NONE) return NONE;
    if (path === "" || path === "/") return root;
    const [b, n] = this.encode(path);
    if (b[0] !== 0x2f) return NONE;
    let id = root;
    let start = 1;
    while (start <= n) {
      let end = start;
      while (end < n && b[end] !== 0x2f) end++;
      id = this.find(id, b, start, end);
      if (id === NONE) return NONE;
      start = end + 1;
    }
    return id;
  }

  /** The child of `parent` named `name`, or NONE. */
  child(parent: number, name: string): number {
    const [b, n] = this.encode(name);
    return this.find(parent, b, 0, n);
  }

  /** A new node named `name` at the end of `parent`'s children (NONE: a root), stats zero. */
  add(parent: number, name: string): number {
    const id = this.freeRows.length > 0 ? this.freeRows.pop()! : this.newRow();
    const c = this.cols;
    const [b, n] = this.encode(name);
    if (this.namesUsed + n > this.names.length) this.growNames(n);
    const off = this.namesUsed;
    this.names.set(b.subarray(0, n), off);
    this.namesUsed += n;
    c.nameOff[id] = off;
    c.nameLen[id] = n;
    c.parent[id] = parent;
    c.first[id] = c.last[id] = c.next[id] = NONE;
    c.kids[id] = 0;
    c.czxid[id] =
      c.mzxid[id] =
      c.pzxid[id] =
      c.owner[id] =
      c.acl[id] =
        0n;
    c.ctime[id] = c.mtime[id] = 0;
    c.version[id] = c.cversion[id] = c.aversion[id] = 0;
    c.digest[id] = 0;
    c.dataSlab[id] = NULL_DATA;
    c.dataOff[id] = c.dataLen[id] = 0;
    this.live++;
    if (parent !== NONE) {
      const tail = c.last[parent];
      c.prev[id] = tail;
      if (tail === NONE) c.first[parent] = id;
      else c.next[tail] = id;
      c.last[parent] = id;
      c.kids[parent]++;
      c.hash[id] = nameHash(parent, this.names, off, off + n);
      if (this.live * 2 > this.table.length) this.rehash(this.table.length * 2);
      else this.insert(id);
    } else {
      c.prev[id] = NONE;
      c.hash[id] = 0;
    }
    return id;
  }

  /** Removes a node (its children must be gone already): unlinked, unindexed, its data released. */
  remove(id: number): void {
    const c = this.cols;
    const parent = c.parent[id];
    if (parent !== NONE) {
      const p = c.prev[id];
      const n = c.next[id];
      if (p === NONE) c.first[parent] = n;
      else c.next[p] = n;
      if (n === NONE) c.last[parent] = p;
      else c.prev[n] = p;
      c.kids[parent]--;
      this.unindex(id);
    }
    this.setData(id, null);
    c.parent[id] = FREE;
    this.namesDead += c.nameLen[id];
    this.live--;
    this.freeRows.push(id);
    if (this.namesDead > 65536 && this.namesDead * 2 > this.namesUsed) this.compactNames();
  }

  /** Gives a node new data (small data copied into a slab; the old bytes released). */
  setData(id: number, data: Uint8Array | null): void {
    const c = this.cols;
    this.dataTotal += (data?.length ?? 0) - this.dataLength(id);
    const old = c.dataSlab[id];
    if (old === OWN_BUFFER) this.own.delete(id);
    else if (old >= 0) this.releaseSlab(old, c.dataLen[id]);
    if (data === null) {
      c.dataSlab[id] = NULL_DATA;
      c.dataLen[id] = 0;
      return;
    }
    c.dataLen[id] = data.length;
    if (data.length === 0) {
      c.dataSlab[id] = EMPTY_DATA;
      return;
    }
    if (data.length > Math.min(MAX_SLABBED, this.slabSize >> 1)) {
      c.dataSlab[id] = OWN_BUFFER;
      this.own.set(id, data);
      return;
    }
    this.place(id, data);
  }

  /** A frozen copy for a consistent walk while the store goes on changing. */
  freeze(): NodeReader {
    return new NodeReader(
      copyColumns(this.cols, this.rows),
      this.names,
      [...this.slabs],
      new Map(this.own),
      this.rows,
    );
  }

  /** Slabs in use and their live and allocated bytes (tests, stats). */
  slabStats(): { slabs: number; live: number; used: number } {
    let slabs = 0;
    let live = 0;
    let used = 0;
    for (let s = 0; s < this.slabs.length; s++) {
      if (!this.slabs[s]) continue;
      slabs++;
      live += this.slabLive[s];
      used += this.slabUsed[s];
    }
    return { slabs, live, used };
  }

  private place(id: number, data: Uint8Array): void {
    const c = this.cols;
    let s = this.current;
    const retired = s;
    if (s < 0 || this.slabUsed[s] + data.length > this.slabSize) {
      s = this.freeSlabs.length > 0 ? this.freeSlabs.pop()! : this.slabs.length;
      this.slabs[s] = new Uint8Array(this.slabSize);
      this.slabUsed[s] = 0;
      this.slabLive[s] = 0;
      this.current = s;
    }
    const off = this.slabUsed[s];
    this.slabs[s]!.set(data, off);
    this.slabUsed[s] += data.length;
    this.slabLive[s] += data.length;
    c.dataSlab[id] = s;
    c.dataOff[id] = off;
    // The slab just retired may have died while current (never compacted then).
    if (retired >= 0 && retired !== s) this.releaseSlab(retired, 0);
  }

  /** A slab lost `len` live bytes; one mostly dead has its live data moved out and is dropped. */
  private releaseSlab(s: number, len: number): void {
    this.slabLive[s] -= len;
    if (s === this.current || !this.slabs[s] || this.slabLive[s] * 2 >= this.slabUsed[s]) return;
    const slab = this.slabs[s]!;
    // Drop it first so nothing is placed back into it.
    this.slabs[s] = null;
    const c = this.cols;
    for (let id = 0; id < this.rows; id++) {
      if (c.dataSlab[id] !== s || c.parent[id] === FREE) continue;
      const off = c.dataOff[id];
      this.place(id, slab.subarray(off, off + c.dataLen[id]));
    }
    this.freeSlabs.push(s);
  }

  private newRow(): number {
    if (this.rows === this.cap) this.growColumns();
    return this.rows++;
  }

  private growColumns(): void {
    // 1.5x: less slack at rest than doubling, still amortized O(1).
    const cap = Math.max(64, Math.ceil(this.cap * 1.5));
    const next = allocColumns(cap);
    for (const k of Object.keys(next) as ColumnName[]) {
      (next[k] as Int32Array).set(this.cols[k] as Int32Array);
    }
    const old = this.cols;
    (this as { cols: Columns }).cols = next;
    this.cap = cap;
    releaseColumns(old);
  }

  private growNames(extra: number): void {
    const next = new Uint8Array(Math.max(this.names.length * 2, this.namesUsed + extra + 4096));
    next.set(this.names.subarray(0, this.namesUsed));
    this.names = next;
  }

  /** Rewrites the live names into a new buffer (the old one stays valid for frozen copies). */
  private compactNames(): void {
    const c = this.cols;
    const size = Math.max(4096, (this.namesUsed - this.namesDead) * 2);
    const next = new Uint8Array(size);
    let used = 0;
    for (let id = 0; id < this.rows; id++) {
      if (c.parent[id] === FREE) continue;
      const off = c.nameOff[id];
      const len = c.nameLen[id];
      next.set(this.names.subarray(off, off + len), used);
      c.nameOff[id] = used;
      used += len;
    }
    this.names = next;
    this.namesUsed = used;
    this.namesDead = 0;
  }

  private insert(id: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = this.cols.hash[id] & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = id + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    const c = this.cols;
    for (let id = 0; id < this.rows; id++) {
      if (c.parent[id] === FREE || c.parent[id] === NONE) continue;
      this.insert(id);
    }
  }

  /** Takes a node out of the table, shifting later entries back (no tombstones). */
  private unindex(id: number): void {
    const t = this.table;
    const mask = t.length - 1;
    const hash = this.cols.hash;
    let i = hash[id] & mask;
    while (t[i] !== id + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (t[j] === 0) break;
      const k = hash[t[j] - 1] & mask;
      // Move t[j] back to the hole at i unless its home k lies cyclically in (i, j].
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        t[i] = t[j];
        i = j;
      }
    }
    t[i] = 0;
  }
}
