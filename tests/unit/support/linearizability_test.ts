// The history checker of the fault tests (tests/support/linearizability.ts) on
// hand-made histories: each claim ZooKeeper makes (linearizable writes and
// compare-and-set, sequentially consistent reads, sequential creates, no lost
// acknowledged write) with a history that keeps it and one that breaks it.
import assert from "node:assert/strict";
import {
  checkHistory,
  createViolations,
  linearizable,
  type Op,
  readViolations,
  type RegState,
} from "../../support/linearizability.ts";

const INIT: RegState = { value: "init", version: 0 };
const K = "/r";

function w(session: string, value: string, invoke: number, complete: number, version?: number): Op {
  return {
    session,
    kind: "write",
    key: K,
    value,
    invoke,
    complete,
    status: version === undefined ? "unknown" : "ok",
    version,
  };
}
function cas(
  session: string,
  value: string,
  expect: number,
  invoke: number,
  complete: number,
  result: number | "fail" | "unknown",
): Op {
  return {
    session,
    kind: "cas",
    key: K,
    value,
    expect,
    invoke,
    complete,
    status: typeof result === "number" ? "ok" : result,
    version: typeof result === "number" ? result : undefined,
  };
}
function r(session: string, data: string, version: number, invoke: number, complete: number): Op {
  return { session, kind: "read", key: K, data, version, invoke, complete, status: "ok" };
}
function fin(data: string, version: number, t = 1000): Op {
  return { ...r("final", data, version, t, t + 1), final: true };
}

Deno.test("linearizable: sequential writes and a cas in version order", () => {
  const h = [w("a", "x", 0, 1, 1), cas("b", "y", 1, 2, 3, 2), w("a", "z", 4, 5, 3), fin("z", 3)];
  assert.equal(linearizable(h, INIT).result, true);
});

Deno.test("linearizable: overlapping writes may take either order", () => {
  // b's write overlaps a's and got the lower version: fine, they were concurrent.
  const h = [w("a", "x", 0, 10, 2), w("b", "y", 1, 9, 1), fin("x", 2)];
  assert.equal(linearizable(h, INIT).result, true);
});

Deno.test("not linearizable: a write that returned first got the later version", () => {
  const h = [w("a", "x", 0, 1, 2), w("b", "y", 2, 3, 1)];
  assert.equal(linearizable(h, INIT).result, false);
});

Deno.test("not linearizable: cas succeeded on a version a finished write had replaced", () => {
  const h = [w("a", "x", 0, 1, 1), cas("b", "y", 0, 2, 3, 1)];
  assert.equal(linearizable(h, INIT).result, false);
});

Deno.test("not linearizable: cas failed although the version it asked for was current", () => {
  const h = [w("a", "x", 0, 1, 1), cas("b", "y", 1, 2, 3, "fail"), fin("x", 1)];
  assert.equal(linearizable(h, INIT).result, false);
  const ok = [w("a", "x", 0, 1, 1), cas("b", "y", 0, 2, 3, "fail"), fin("x", 1)];
  assert.equal(linearizable(ok, INIT).result, true);
});

Deno.test("linearizable: a write of unknown outcome explains a version gap, or never happened", () => {
  const gap = [w("a", "x", 0, 1, 1), w("b", "lost?", 2, 3), w("a", "z", 4, 5, 3), fin("z", 3)];
  assert.equal(linearizable(gap, INIT).result, true);
  const noGap = [w("a", "x", 0, 1, 1), w("a", "z", 4, 5, 3)];
  assert.equal(linearizable(noGap, INIT).result, false);
  const never = [w("a", "x", 0, 1, 1), w("b", "maybe", 2, 3), fin("x", 1)];
  assert.equal(linearizable(never, INIT).result, true);
  const unknownCas = [w("a", "x", 0, 1, 1), cas("b", "c", 1, 2, 3, "unknown"), fin("c", 2)];
  assert.equal(linearizable(unknownCas, INIT).result, true);
});

Deno.test("lost acknowledged write: the final read misses it, counted as lost", () => {
  const h = [w("a", "x", 0, 1, 1), w("a", "y", 2, 3, 2), fin("x", 1)];
  const v = checkHistory(h, new Map([[K, INIT]]), new Map());
  assert.equal(v.ok, false);
  assert.equal(v.keys[0].linearizable, false);
  assert.equal(v.lost, 1);
  assert.equal(v.ackedWrites, 2);
  const kept = checkHistory([...h.slice(0, 2), fin("y", 2)], new Map([[K, INIT]]), new Map());
  assert.equal(kept.ok, true);
  assert.equal(kept.lost, 0);
});

Deno.test("a search past its step budget is inconclusive, not a verdict", () => {
  const h = Array.from({ length: 12 }, (_, i) => w(`s${i}`, `v${i}`, 0, 100));
  assert.equal(linearizable(h, INIT, 5).result, "inconclusive");
});

Deno.test("reads: stale in another session is sequentially consistent", () => {
  const h = [w("a", "x", 0, 1, 1), r("b", "init", 0, 5, 6), r("b", "x", 1, 7, 8)];
  assert.deepEqual(readViolations(h, new Map([[K, INIT]])), []);
});

Deno.test("reads: a session never goes back, not even behind its own write", () => {
  const back = [
    w("a", "x", 0, 1, 1),
    w("b", "y", 0, 2, 2),
    r("a", "y", 2, 3, 4),
    r("a", "x", 1, 5, 6),
  ];
  assert.equal(readViolations(back, new Map([[K, INIT]])).length, 1);
  const own = [w("a", "x", 0, 1, 1), r("a", "init", 0, 2, 3)];
  assert.equal(readViolations(own, new Map([[K, INIT]])).length, 1);
});

Deno.test("reads: data no write wrote, a wrong version, or a write from the future", () => {
  const init = new Map([[K, INIT]]);
  assert.equal(readViolations([r("a", "ghost", 1, 0, 1)], init).length, 1);
  assert.equal(readViolations([w("a", "x", 0, 1, 1), r("b", "x", 2, 2, 3)], init).length, 1);
  assert.equal(readViolations([r("b", "x", 1, 0, 1), w("a", "x", 2, 3, 1)], init).length, 1);
});

function create(session: string, path: string | null, invoke: number, complete: number): Op {
  return {
    session,
    kind: "create",
    key: "/seq",
    invoke,
    complete,
    status: path === null ? "unknown" : "ok",
    path: path ?? undefined,
  };
}
const p = (n: number) => `/seq/s-${String(n).padStart(10, "0")}`;

Deno.test("sequential creates: unique, increasing in real time, none lost", () => {
  const good = [create("a", p(0), 0, 1), create("b", p(2), 0.5, 3), create("a", p(1), 2, 4)];
  assert.deepEqual(
    createViolations(good, new Map([["/seq", new Set([p(0), p(1), p(2)])]])).violations,
    [],
  );
  const dup = [create("a", p(0), 0, 1), create("b", p(0), 2, 3)];
  assert.ok(createViolations(dup, new Map([["/seq", new Set([p(0)])]])).violations.length >= 1);
  const backwards = [create("a", p(5), 0, 1), create("b", p(3), 2, 3)];
  assert.equal(
    createViolations(backwards, new Map([["/seq", new Set([p(3), p(5)])]])).violations.length,
    1,
  );
  const lost = createViolations(good, new Map([["/seq", new Set([p(0), p(2)])]]));
  assert.equal(lost.lost, 1);
  const unexplained = [create("a", p(0), 0, 1), create("b", null, 2, 3)];
  assert.deepEqual(
    createViolations(unexplained, new Map([["/seq", new Set([p(0), p(1)])]])).violations,
    [],
  );
  assert.equal(
    createViolations(unexplained, new Map([["/seq", new Set([p(0), p(1), p(2)])]])).violations
      .length,
    1,
  );
});
