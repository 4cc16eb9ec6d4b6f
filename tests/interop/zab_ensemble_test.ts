// Acceptance tests of issue 17 (zab-3.8.md §14): what a user of an ensemble
// checks, with kazoo as the client, on ensembles named by their members' kinds.
// Each scenario is a table; a row names the members ("zk" = Apache ZooKeeper
// 3.8, "zkt" = `zkt serve`, ":observer" = peerType=observer). The all-"zk" rows
// validate the tests' own logic on Java-only ensembles; a zkt row is the same
// claim with zkt peers in it.
//   writes:    a write through any server is read through every other after
//              sync(); data and child watches fire on every server; an
//              ephemeral vanishes everywhere when its session closes or expires
//   failover:  kill -9 of the leader under a bounded write load: a new leader,
//              every acknowledged write readable everywhere, the old leader
//              rejoins as follower, trees and data dirs equal
//   move:      a session with every host, moved by cutting its connection,
//              keeps its ephemeral and its watches (REVALIDATE + setWatches)
//   observers: writes through an observer are read everywhere, and writes
//              elsewhere reach the observer
// A row's last voter is started first and leads at the start (fresh dirs,
// greatest sid): ["zk","zk","zkt"] is a zkt leader with Java followers,
// ["zkt","zkt","zk"] a Java leader with zkt followers.
// With zkt members these are zab-3.8.md §14 scenarios 1-3 and 17 (writes),
// 14 (expiry), 10-11 (failover), 16 (move) and 18 (observers).
import assert from "node:assert/strict";
import {
  assertTreesConverged,
  Ensemble,
  type EnsembleMember,
  failureWithLogs,
  type MemberSpec,
  replayDataDir,
  treeDiff,
} from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { KazooDriver } from "../support/kazoo_driver.ts";
import { ZkClient } from "../support/zk_client.ts";
import { waitFor } from "../support/wait.ts";

/** One table row: the members' kinds. */
interface Row {
  kinds: MemberSpec[];
}

/** Deadline for states that need an election or a session expiry (loaded 2-core machine). */
const SLOW_MS = 120_000;

function label(r: Row): string {
  return `[${r.kinds.join(",")}]`;
}

/** Runs fn on a fresh ensemble of row's kinds with a kazoo driver; logs on failure. */
async function withEnsemble(
  r: Row,
  opts: { proxies?: boolean },
  fn: (e: Ensemble, k: KazooDriver) => Promise<void>,
): Promise<void> {
  const e = await Ensemble.start(r.kinds, { proxies: opts.proxies, leaderLast: true });
  const k = KazooDriver.start();
  try {
    await fn(e, k);
  } catch (err) {
    throw await failureWithLogs(err, e, k);
  } finally {
    await k.kill();
    await e.stop();
  }
}

/** Connects client "s<sid>" to each running member alone. */
async function clientPerMember(e: Ensemble, k: KazooDriver): Promise<string[]> {
  const names: string[] = [];
  for (const m of e.running) {
    await k.connect(`s${m.sid}`, e.direct(m));
    names.push(`s${m.sid}`);
  }
  return names;
}

/** sync() then exists(path) through client `name`, until it says `want`. */
function waitExists(k: KazooDriver, name: string, path: string, want: boolean): Promise<true> {
  return waitFor(
    `${path} ${want ? "present" : "gone"} via ${name}`,
    async () => {
      await k.sync(name, path === "/" ? "/" : path.slice(0, path.lastIndexOf("/")) || "/");
      return (await k.exists(name, path)) === want;
    },
    SLOW_MS,
    100,
  );
}

/** Waits until client `name` has seen an event of `type` on `path` `count` times. */
function waitEvents(
  k: KazooDriver,
  name: string,
  type: string,
  path: string,
  count: number,
): Promise<true> {
  return waitFor(
    `${count} ${type} event(s) on ${path} at ${name}`,
    async () => {
      const ev = await k.events(name);
      return ev.filter((x) => x.type === type && x.path === path).length >= count;
    },
    SLOW_MS,
    50,
  );
}

/** Stops every member (kill -9) and checks their data dirs replay to the same tree. */
async function assertDataDirsEqual(e: Ensemble): Promise<void> {
  for (const m of e.members) await e.kill(m);
  const trees: { sid: number; tree: Awaited<ReturnType<typeof replayDataDir>> }[] = [];
  // Java members' dirs too: a 3.8.0 follower that rejoins under writes can log
  // txns twice, and replay applies them again as ZooKeeper's restore does.
  for (const m of e.members) {
    trees.push({ sid: m.sid, tree: await replayDataDir(`${m.dir}/data`) });
  }
  assert.ok(trees.length >= 2, "at least two data dirs to compare");
  for (const t of trees.slice(1)) {
    assert.deepEqual(
      treeDiff(trees[0].tree, t.tree),
      [],
      `data dir of member ${trees[0].sid} vs ${t.sid}`,
    );
  }
}

/** Writes through each member in turn, each read back through every other after sync(). */
async function writesReadEverywhere(e: Ensemble, k: KazooDriver, names: string[]) {
  await k.create(names[0], "/writes");
  for (const w of names) {
    const path = `/writes/via-${w}`;
    await k.create(w, path, `written via ${w}`);
    for (const r of names) {
      if (r === w) continue;
      await k.sync(r, path);
      const got = await k.get(r, path);
      assert.equal(got.data, `written via ${w}`, `${path} read via ${r}`);
    }
  }
  // setData through each member, read (value and version) through every other.
  for (const [i, w] of names.entries()) {
    const st = await k.set(w, "/writes", `v${i}`);
    for (const r of names) {
      await k.sync(r, "/writes");
      const got = await k.get(r, "/writes");
      assert.equal(got.data, `v${i}`, `/writes read via ${r} after set via ${w}`);
      assert.equal(got.version, st.version);
      assert.equal(got.mzxid, st.mzxid);
    }
  }
  void e;
}

/** A data watch and a child watch on every member fire for a write through each member. */
async function watchesFireEverywhere(k: KazooDriver, names: string[]) {
  await k.create(names[0], "/watched", "0");
  for (const n of names) await k.sync(n, "/watched");
  for (const [round, w] of names.entries()) {
    for (const n of names) {
      await k.watchData(n, "/watched");
      await k.watchChildren(n, "/watched");
    }
    await k.set(w, "/watched", `round ${round}`);
    await k.create(w, `/watched/c${round}`);
    for (const n of names) {
      await waitEvents(k, n, "CHANGED", "/watched", round + 1);
      await waitEvents(k, n, "CHILD", "/watched", round + 1);
    }
  }
}

/** An ephemeral is seen everywhere, then gone everywhere after close and after expiry. */
async function ephemeralsVanishEverywhere(e: Ensemble, k: KazooDriver, names: string[]) {
  // Closed session: owner on the last member.
  const last = e.running[e.running.length - 1];
  await k.connect("owner", e.direct(last));
  await k.create("owner", "/eph-closed", "", { ephemeral: true });
  for (const n of names) await waitExists(k, n, "/eph-closed", true);
  await k.close("owner");
  for (const n of names) await waitExists(k, n, "/eph-closed", false);

  // Expired session: owner on the first member, in a process killed by PID.
  const crashing = KazooDriver.start();
  try {
    await crashing.connect("owner", e.direct(e.running[0]), { timeout: 4 });
    await crashing.create("owner", "/eph-expired", "", { ephemeral: true });
    for (const n of names) {
      await waitExists(k, n, "/eph-expired", true);
      await k.call("watch-exists", { name: n, path: "/eph-expired" });
    }
  } finally {
    await crashing.kill();
  }
  for (const n of names) {
    await waitEvents(k, n, "DELETED", "/eph-expired", 1);
    await waitExists(k, n, "/eph-expired", false);
  }
}

// ---- writes, watches, ephemerals: 3 and 5 members -------------------------

const WRITES: Row[] = [
  // Java only: validates the test
  { kinds: ["zk", "zk", "zk"] },
  // Java only, 5 members
  { kinds: ["zk", "zk", "zk", "zk", "zk"] },
  // §14 #1: zkt leader, Java followers
  { kinds: ["zk", "zk", "zkt"] },
  // §14 #2: Java leader, a zkt and a Java follower
  { kinds: ["zk", "zkt", "zk"] },
  // §14 #3: Java leader, every commit needs a zkt ACK
  { kinds: ["zkt", "zkt", "zk"] },
  // zkt only
  { kinds: ["zkt", "zkt", "zkt"] },
  // 5 members, zkt leader
  { kinds: ["zk", "zk", "zk", "zkt", "zkt"] },
  // 5 members, Java leader, 2 zkt followers
  { kinds: ["zkt", "zkt", "zk", "zk", "zk"] },
  // zkt only, 5 members
  { kinds: ["zkt", "zkt", "zkt", "zkt", "zkt"] },
];

for (const row of WRITES) {
  Deno.test({
    name: `zab ensemble ${
      label(row)
    }: writes through any server are read through every other after sync(), watches fire on every server, ephemerals vanish everywhere on close and expiry`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      await withEnsemble(row, {}, async (e, k) => {
        const names = await clientPerMember(e, k);
        await t.step(
          "writes through each server, sync() + read through every other",
          () => writesReadEverywhere(e, k, names),
        );
        await t.step(
          "data and child watches fire on every server",
          () => watchesFireEverywhere(k, names),
        );
        await t.step(
          "an ephemeral vanishes everywhere on close and on expiry",
          () => ephemeralsVanishEverywhere(e, k, names),
        );
        await t.step(
          "trees equal on every server, no digest mismatches",
          () => assertTreesConverged(e, k, names),
        );
      });
    },
  });
}

// ---- kill -9 of the leader under a write load -------------------------------

const FAILOVER: Row[] = [
  // Java only: validates the test
  { kinds: ["zk", "zk", "zk"] },
  // Java only, 5 members
  { kinds: ["zk", "zk", "zk", "zk", "zk"] },
  // §14 #10: the zkt leader killed, Java peers elect, zkt rejoins as follower
  { kinds: ["zk", "zk", "zkt"] },
  // §14 #11: the Java leader killed, zkt (greater sid) may take over
  { kinds: ["zk", "zkt", "zk"] },
  // Java leader of zkt followers killed: zkt leads, Java rejoins
  { kinds: ["zkt", "zkt", "zk"] },
  // zkt only
  { kinds: ["zkt", "zkt", "zkt"] },
  // 5 members, zkt leader killed
  { kinds: ["zkt", "zk", "zk", "zkt", "zkt"] },
];

/** Creates the load issues: bounded by count and by time. */
const LOAD_COUNT = 2000;
const LOAD_SECONDS = 150;

for (const row of FAILOVER) {
  Deno.test({
    name: `zab ensemble ${
      label(row)
    }: kill -9 of the leader under writes: a new leader, every acknowledged write readable everywhere, the old leader rejoins as follower, trees and data dirs equal`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await withEnsemble(row, {}, async (e, k) => {
        const old = (await e.leader())!;
        assert.ok(old, "a leader before the kill");
        await k.startLoad("load", e.hosts(), "/load", LOAD_COUNT, LOAD_SECONDS);
        await k.waitAcked("load", 100, "100 acknowledged writes", SLOW_MS);

        await e.kill(old);
        const atKill = (await k.loadStatus("load")).acked;
        const next = await e.waitServing(SLOW_MS);
        assert.notEqual(next.sid, old.sid, "a new leader");
        await k.waitAcked("load", atKill + 21, "writes accepted again", SLOW_MS, 50);

        e.restart(old);
        await e.waitServing(SLOW_MS);
        assert.equal(await e.mode(old), "follower", "the old leader rejoins as follower");
        const load = await k.loadWait("load");
        assert.ok(load.done, "the load finished within its bound");
        assert.ok(load.acked.length > atKill, "writes were acknowledged after the kill");
        await k.close("load");

        const names = await clientPerMember(e, k);
        for (const n of names) {
          const missing = await k.missingAfterSync(n, "/load", load.acked);
          assert.deepEqual(missing, [], `acknowledged writes missing via ${n}`);
        }
        await assertTreesConverged(e, k, names);
        for (const n of names) await k.close(n);
        await assertDataDirsEqual(e);
      });
    },
  });
}

// ---- a session moving between servers ---------------------------------------

const MOVE: Row[] = [
  // Java only: validates the test
  { kinds: ["zk", "zk", "zk"] },
  // §14 #16: moves between a zkt and Java followers of a Java leader
  { kinds: ["zk", "zkt", "zk"] },
  // §14 #16: moves between zkt and Java peers under a zkt leader
  { kinds: ["zkt", "zk", "zkt"] },
  // zkt only
  { kinds: ["zkt", "zkt", "zkt"] },
];

/** How many times the kazoo session is moved (each time off the server it is on). */
const MOVES = 3;

/** kazoo with every host behind proxies: cut the one it is on, MOVES times. */
async function kazooSessionMoves(e: Ensemble, k: KazooDriver, names: string[]) {
  const creds = await k.connect("mover", e.hosts(), { timeout: 10 });
  await k.create("mover", "/moving-eph", "mine", { ephemeral: true });
  await k.create("mover", "/moving-watched", "start");
  await k.dataWatch("mover", "/moving-watched");
  const seen = (data: string) =>
    waitFor(
      `the DataWatch to see "${data}"`,
      async () => {
        const ev = await k.events("mover");
        return ev.some((x) => x.type === "DATAWATCH" && (x as { data?: string }).data === data);
      },
      SLOW_MS,
      50,
    );
  await seen("start");
  const visited = new Set<EnsembleMember>();
  for (let i = 0; i < MOVES; i++) {
    const from = await waitFor("the session's server", () => e.proxiedMember(), SLOW_MS);
    visited.add(from);
    from.proxy!.cut();
    const to = await waitFor("the session on another server", async () => {
      const m = e.proxiedMember();
      return m && m !== from && await k.call<boolean>("connected", { name: "mover" })
        ? m
        : undefined;
    }, SLOW_MS);
    from.proxy!.heal();
    visited.add(to);
    assert.deepEqual(await k.call("session", { name: "mover" }), creds, "same session");
    // A write through the server the session left reaches its watch on the new one.
    await k.set(`s${from.sid}`, "/moving-watched", `move ${i}`);
    await seen(`move ${i}`);
    for (const n of names) await waitExists(k, n, "/moving-eph", true);
    const eph = await k.get(`s${to.sid}`, "/moving-eph");
    assert.equal(eph.ephemeralOwner, creds.session, "the ephemeral's owner");
  }
  const states = await k.states("mover");
  assert.ok(!states.includes("LOST"), `session never lost: ${states.join(",")}`);
  assert.ok(visited.size >= 2, "the session was on several servers");
  await k.close("mover");
  for (const n of names) await waitExists(k, n, "/moving-eph", false);
}

/**
 * A Java-style client moving its session: watches set on one member, the
 * connection dropped, the session reattached on every other member in turn with
 * SetWatches (relativeZxid = last zxid seen). A write after the reattach fires
 * the watch, and so does one made while the client was away (the new server
 * compares the node's mzxid with relativeZxid).
 */
async function setWatchesAfterMove(e: Ensemble, k: KazooDriver) {
  const voters = e.running;
  const writer = `s${voters[0].sid}`;
  await k.create(writer, "/sw", "0");
  let c = await ZkClient.connect(voters[0].client, { timeoutMs: 10_000 });
  const { sessionId, passwd } = c.session;
  let lastZxid = 0n;
  try {
    for (const [i, to] of voters.slice(1).entries()) {
      const before = await c.getData("/sw", true);
      assert.equal(before.err, 0);
      lastZxid = before.zxid;
      await c.drop();
      // Written while the client is away: the reattach must fire the watch at once.
      await k.set(writer, "/sw", `away ${i}`);
      c = await ZkClient.connect(to.client, { sessionId, passwd, lastZxidSeen: lastZxid });
      assert.equal(c.session.sessionId, sessionId, `session kept on member ${to.sid}`);
      assert.equal(await c.setWatches(lastZxid, { data: ["/sw"], child: ["/sw"] }), 0);
      await waitFor(
        `NodeDataChanged for a write while away (member ${to.sid})`,
        () => c.events.some((ev) => ev.type === 3 && ev.path === "/sw"),
        SLOW_MS,
        20,
      );
      // Set after the reattach: fires on a write through another member.
      const child = c.events.length;
      assert.equal((await c.getChildren("/sw", true)).err, 0);
      await k.create(writer, `/sw/c${i}`);
      await waitFor(
        `NodeChildrenChanged (member ${to.sid})`,
        () => c.events.slice(child).some((ev) => ev.type === 4 && ev.path === "/sw"),
        SLOW_MS,
        20,
      );
    }
    assert.equal(await c.close(), 0);
  } catch (err) {
    await c.drop().catch(() => {});
    throw err;
  }
}

for (const row of MOVE) {
  Deno.test({
    name: `zab ensemble ${
      label(row)
    }: a session moved to another server keeps its ephemeral and its watches`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      await withEnsemble(row, { proxies: true }, async (e, k) => {
        const names = await clientPerMember(e, k);
        await t.step(
          "kazoo with every host, its connection cut: same session, ephemeral kept, DataWatch keeps firing",
          () => kazooSessionMoves(e, k, names),
        );
        await t.step(
          "a session reattached on each other server with SetWatches gets the events it missed and later ones",
          () => setWatchesAfterMove(e, k),
        );
        await assertTreesConverged(e, k, names);
      });
    },
  });
}

// ---- observers ---------------------------------------------------------------

const OBSERVERS: Row[] = [
  // Java only: validates the test
  { kinds: ["zk", "zk", "zk", "zk:observer"] },
  // §14 #18: Java observer under a zkt leader
  { kinds: ["zk", "zk", "zkt", "zk:observer"] },
  // §14 #18: zkt observer under a Java leader
  { kinds: ["zk", "zk", "zk", "zkt:observer"] },
  // zkt observer, zkt followers, Java leader
  { kinds: ["zkt", "zkt", "zk", "zkt:observer"] },
  // zkt only
  { kinds: ["zkt", "zkt", "zkt", "zkt:observer"] },
];

for (const row of OBSERVERS) {
  Deno.test({
    name: `zab ensemble ${
      label(row)
    }: writes through an observer are read everywhere, writes elsewhere and their watches reach the observer`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await withEnsemble(row, {}, async (e, k) => {
        const names = await clientPerMember(e, k);
        const observers = e.members.filter((m) => m.observer);
        for (const o of observers) assert.equal(await e.mode(o), "observer");
        for (const o of observers) {
          const via = `s${o.sid}`;
          const path = `/via-observer-${o.sid}`;
          await k.create(via, path, "from the observer");
          for (const n of names) {
            await k.sync(n, path);
            assert.equal((await k.get(n, path)).data, "from the observer", `${path} via ${n}`);
          }
          // A watch on the observer fires for writes through every voter.
          for (const [i, w] of names.filter((n) => n !== via).entries()) {
            await k.watchData(via, path);
            await k.set(w, path, `via ${w}`);
            await waitEvents(k, via, "CHANGED", path, i + 1);
            await k.sync(via, path);
            assert.equal((await k.get(via, path)).data, `via ${w}`);
          }
        }
        await ephemeralsVanishEverywhere(e, k, names);
        await assertTreesConverged(e, k, names);
        for (const n of names) await k.close(n);
        await assertDataDirsEqual(e);
      });
    },
  });
}
