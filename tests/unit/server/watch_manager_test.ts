// The watch manager keeps 3.8's semantics: one-shot watches fire once,
// persistent ones stay, recursive ones cover descendants but not child-list changes.
// Driven through fire(), with the events applyTxn reports, as the server does.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import {
  type WatchEventType,
  type WatchFire,
  WatchManager,
  WatchMode,
  WatchTable,
} from "../../../src/data/watch_manager.ts";

const ev = (fires: { watcher: string; type: number; path: string }[]) =>
  fires.map((f) => `${f.watcher}:${f.type}:${f.path}`);

type TreeEvent = Parameters<WatchManager<string>["fire"]>[0];
const parentOf = (p: string) => p.substring(0, p.lastIndexOf("/")) || "/";
/** Fires the events applyTxn reports for one change, in its order. */
function fireAll(w: WatchManager<string>, events: TreeEvent[]): WatchFire<string>[] {
  const out: WatchFire<string>[] = [];
  for (const e of events) w.fire(e, out);
  return out;
}
const created = (w: WatchManager<string>, path: string) =>
  fireAll(w, [{ type: "created", path }, { type: "childrenChanged", path: parentOf(path) }]);
const deleted = (w: WatchManager<string>, path: string) =>
  fireAll(w, [{ type: "deleted", path }, { type: "childrenChanged", path: parentOf(path) }]);
const dataChanged = (w: WatchManager<string>, path: string) =>
  fireAll(w, [{ type: "dataChanged", path }]);

Deno.test("one-shot data watch fires once", () => {
  const w = new WatchManager<string>();
  w.data.add("/a", "c1");
  assertEquals(ev(dataChanged(w, "/a")), ["c1:3:/a"]);
  assertEquals(ev(dataChanged(w, "/a")), []);
});

Deno.test("delete notifies a connection once even with data and child watches", () => {
  const w = new WatchManager<string>();
  w.data.add("/a", "c1");
  w.child.add("/a", "c1");
  w.child.add("/", "c2");
  assertEquals(ev(deleted(w, "/a")), ["c1:2:/a", "c2:4:/"]);
  assertEquals(w.data.summary().watches + w.child.summary().watches, 0);
});

Deno.test("persistent watch stays and sees data and child events at its path only", () => {
  const w = new WatchManager<string>();
  w.addPersistent("/a", "c1", WatchMode.Persistent);
  assertEquals(ev(created(w, "/a/b")), ["c1:4:/a"]);
  assertEquals(ev(dataChanged(w, "/a/b")), []);
  assertEquals(ev(dataChanged(w, "/a")), ["c1:3:/a"]);
  assertEquals(ev(dataChanged(w, "/a")), ["c1:3:/a"]);
});

Deno.test("persistent-recursive watch covers descendants, skips NodeChildrenChanged", () => {
  const w = new WatchManager<string>();
  w.addPersistent("/a", "c1", WatchMode.PersistentRecursive);
  assertEquals(ev(created(w, "/a/b/c")), ["c1:1:/a/b/c"]);
  assertEquals(ev(dataChanged(w, "/a/b")), ["c1:3:/a/b"]);
  assertEquals(ev(deleted(w, "/a/b/c")), ["c1:2:/a/b/c"]);
  assertEquals(ev(dataChanged(w, "/x")), []);
});

Deno.test("removing a connection drops all its watches", () => {
  const w = new WatchManager<string>();
  w.data.add("/a", "c1");
  w.addPersistent("/b", "c1", WatchMode.PersistentRecursive);
  w.data.add("/a", "c2");
  w.removeWatcher("c1");
  assertEquals(ev(dataChanged(w, "/b/x")), []);
  assertEquals(ev(dataChanged(w, "/a")), ["c2:3:/a"]);
  // c2's watch fired, but c2 stays counted until its connection closes (3.8's watch2Paths).
  assertEquals(w.data.summary(), { watchers: 1, paths: 0, watches: 0 });
  w.removeWatcher("c2");
  assertEquals(w.data.summary(), { watchers: 0, paths: 0, watches: 0 });
});

Deno.test("applyTxn-style events fire in DataTree's order", () => {
  const w = new WatchManager<string>();
  w.data.add("/a/b", "c1");
  w.child.add("/a", "c2");
  const out: WatchFire<string>[] = [];
  for (
    const e of [
      { type: "deleted" as const, path: "/a/b" },
      { type: "childrenChanged" as const, path: "/a" },
    ]
  ) w.fire(e, out);
  assertEquals(ev(out), ["c1:2:/a/b", "c2:4:/a"]);
});

Deno.test("wchs' total watches, kept as watches change, equals a count of every watcher's paths", () => {
  const paths = ["/", "/a", "/a/b", "/c"];
  const modes = [WatchMode.Standard, WatchMode.Persistent, WatchMode.PersistentRecursive];
  const step = fc.oneof(
    fc.tuple(fc.constant("add"), fc.nat(3), fc.constantFrom(...paths), fc.constantFrom(...modes)),
    fc.tuple(fc.constant("remove"), fc.nat(3), fc.constantFrom(...paths), fc.constant(0)),
    fc.tuple(fc.constant("close"), fc.nat(3), fc.constant("/"), fc.constant(0)),
    fc.tuple(fc.constant("fire"), fc.nat(3), fc.constantFrom(...paths), fc.nat(3)),
  );
  fc.assert(fc.property(fc.array(step, { maxLength: 50 }), (steps) => {
    const t = new WatchTable<number>();
    for (const [kind, w, p, m] of steps) {
      if (kind === "add") t.add(p, w, m as WatchMode);
      else if (kind === "remove") t.remove(p, w);
      else if (kind === "close") t.removeWatcher(w);
      else t.trigger(p, (m + 1) as WatchEventType);
      let n = 0;
      for (const [, ps] of t.byWatcherEntries()) n += ps.length;
      assertEquals(t.summary().watches, n);
    }
  }));
});
