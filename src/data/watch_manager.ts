// Watches as ZooKeeper 3.8 keeps them: a data table and a child table, each
// mapping path → watchers with a mode per (watcher, path). One-shot watches
// fire once; persistent ones stay; persistent-recursive ones also fire for
// every descendant (except child-list changes). Pure: returns who to notify.

/** Watcher modes (ZooDefs.AddWatchModes numbering for the persistent ones). */
export const enum WatchMode {
  Standard = -1,
  Persistent = 0,
  PersistentRecursive = 1,
}

/** Event types (Watcher.Event.EventType). */
export const enum WatchEventType {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
  DataWatchRemoved = 5,
  ChildWatchRemoved = 6,
  PersistentWatchRemoved = 7,
}

/** One table of watches (ZooKeeper has one for data and one for children). */
export class WatchTable<W> {
  private readonly byPath = new Map<string, Set<W>>();
  private readonly byWatcher = new Map<W, Map<string, WatchMode>>();
  private recursive = 0;
  /** (watcher, path) pairs, kept as watches come and go: wchs and mntr read it, never count it. */
  private total = 0;
  /** The most paths ever watched at once (3.8's HashMap never shrinks: it sets wchp's order). */
  peakPaths = 0;

  /** Adds (or re-modes) a watch; true when the path was new for this watcher. */
  add(path: string, w: W, mode: WatchMode = WatchMode.Standard): boolean {
    let set = this.byPath.get(path);
    if (!set) {
      this.byPath.set(path, set = new Set());
      if (this.byPath.size > this.peakPaths) this.peakPaths = this.byPath.size;
    }
    set.add(w);
    let paths = this.byWatcher.get(w);
    if (!paths) this.byWatcher.set(w, paths = new Map());
    const old = paths.get(path);
    paths.set(path, mode);
    if (old === undefined) this.total++;
    this.adjustRecursive(old, mode);
    return old === undefined;
  }

  private adjustRecursive(oldMode: WatchMode | undefined, newMode: WatchMode | undefined): void {
    const was = oldMode === WatchMode.PersistentRecursive;
    const is = newMode === WatchMode.PersistentRecursive;
    if (was && !is) this.recursive--;
    if (is && !was) this.recursive++;
  }

  /** The mode of w's watch on path (Standard when none). */
  modeOf(w: W, path: string): WatchMode {
    return this.byWatcher.get(w)?.get(path) ?? WatchMode.Standard;
  }

  /** Removes w's watch on path; false when there was none. */
  remove(path: string, w: W): boolean {
    const paths = this.byWatcher.get(w);
    if (!paths || !paths.has(path)) return false;
    this.adjustRecursive(paths.get(path), undefined);
    // A watcher keeps its (possibly empty) entry until its connection closes, as
    // 3.8's watch2Paths does: wchs counts it and wchc lists its session.
    paths.delete(path);
    this.total--;
    const set = this.byPath.get(path);
    if (!set || !set.delete(w)) return false;
    if (set.size === 0) this.byPath.delete(path);
    return true;
  }

  /** Drops every watch of a watcher (its connection closed). */
  removeWatcher(w: W): void {
    const paths = this.byWatcher.get(w);
    if (!paths) return;
    for (const [p, mode] of paths) {
      this.adjustRecursive(mode, undefined);
      const set = this.byPath.get(p);
      if (set) {
        set.delete(w);
        if (set.size === 0) this.byPath.delete(p);
      }
    }
    this.total -= paths.size;
    this.byWatcher.delete(w);
  }

  /** 3.8's containsWatcher: any watch at the path, or w's own recursive watch there. */
  contains(path: string, w: W): boolean {
    return this.byPath.has(path) || this.modeOf(w, path) === WatchMode.PersistentRecursive;
  }

  /** True when w has a watch on exactly this path. */
  has(path: string, w: W): boolean {
    return this.byWatcher.get(w)?.has(path) ?? false;
  }

  /**
   * Fires the watches an event at `path` triggers and returns their watchers,
   * skipping those in `suppress`. One-shot watches at `path` are consumed.
   */
  trigger(path: string, type: WatchEventType, suppress?: Set<W>): Set<W> {
    const hit = new Set<W>();
    let p: string | null = path;
    let atParent = false;
    while (p !== null) {
      const set = this.byPath.get(p);
      if (set) {
        for (const w of [...set]) {
          const mode = this.modeOf(w, p);
          if (mode === WatchMode.PersistentRecursive) {
            if (type !== WatchEventType.NodeChildrenChanged) hit.add(w);
          } else if (!atParent) {
            hit.add(w);
            if (mode === WatchMode.Standard) this.remove(p, w);
          }
        }
      }
      // Parents only matter when some recursive watch exists.
      if (this.recursive === 0) break;
      p = p === "/" ? null : parentPath(p);
      atParent = true;
    }
    if (suppress) { for (const w of suppress) hit.delete(w); }
    return hit;
  }

  /** Connections with watches, watched paths, total watches (the `wchs` numbers). */
  summary(): { watchers: number; paths: number; watches: number } {
    return { watchers: this.byWatcher.size, paths: this.byPath.size, watches: this.total };
  }

  /** path → watchers, for `wchp`. */
  byPathEntries(): IterableIterator<[string, Set<W>]> {
    return this.byPath.entries();
  }

  /** watcher → paths, for `wchc`. */
  byWatcherEntries(): Array<[W, string[]]> {
    return [...this.byWatcher].map(([w, m]) => [w, [...m.keys()]]);
  }

  /** Paths watched by w. */
  pathsOf(w: W): string[] {
    return [...(this.byWatcher.get(w)?.keys() ?? [])];
  }
}

function parentPath(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

/** One notification to deliver. */
export interface WatchFire<W> {
  watcher: W;
  type: WatchEventType;
  path: string;
}

/** The data and child tables together, with DataTree's trigger sequences. */
export class WatchManager<W> {
  readonly data = new WatchTable<W>();
  readonly child = new WatchTable<W>();

  private fire_(out: WatchFire<W>[], ws: Set<W>, type: WatchEventType, path: string): void {
    for (const watcher of ws) out.push({ watcher, type, path });
  }

  /** Fires one tree change (as applyTxn reports them) in DataTree's trigger order. */
  fire(
    ev: { type: "created" | "deleted" | "dataChanged" | "childrenChanged"; path: string },
    out: WatchFire<W>[] = [],
  ): WatchFire<W>[] {
    const p = ev.path;
    switch (ev.type) {
      case "created":
        this.fire_(out, this.data.trigger(p, WatchEventType.NodeCreated), 1, p);
        break;
      case "deleted": {
        const dataHit = this.data.trigger(p, WatchEventType.NodeDeleted);
        this.fire_(out, dataHit, 2, p);
        this.fire_(out, this.child.trigger(p, WatchEventType.NodeDeleted, dataHit), 2, p);
        break;
      }
      case "dataChanged":
        this.fire_(out, this.data.trigger(p, WatchEventType.NodeDataChanged), 3, p);
        break;
      case "childrenChanged":
        this.fire_(out, this.child.trigger(p, WatchEventType.NodeChildrenChanged), 4, p);
        break;
    }
    return out;
  }

  /** addWatch: a persistent or persistent-recursive watch in both tables. */
  addPersistent(path: string, w: W, mode: WatchMode): void {
    this.data.add(path, w, mode);
    this.child.add(path, w, mode);
  }

  /** Forgets a closed connection's watches. */
  removeWatcher(w: W): void {
    this.data.removeWatcher(w);
    this.child.removeWatcher(w);
  }
}
