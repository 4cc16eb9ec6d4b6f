// The idle reclaim: a GC and a malloc trim once requests stop after a burst,
// never while they flow, never for idle pings alone.
import assert from "node:assert/strict";
import { processHooks, QuietDetector, startIdleReclaim } from "../../../src/server/idle_reclaim.ts";

Deno.test("QuietDetector: reclaims on the first quiet check after enough activity, once", () => {
  const q = new QuietDetector(100, 20);
  const seen: boolean[] = [];
  // first check only records; then a burst, then quiet checks.
  for (const c of [0, 50, 120, 200, 200, 200, 205]) seen.push(q.check(c));
  assert.deepEqual(seen, [false, false, false, false, true, false, false]);
});

Deno.test("QuietDetector: a trickle of pings is quiet but never reaches minOps alone; a reset counter counts from zero", () => {
  const q = new QuietDetector(100, 20);
  let c = 0;
  q.check(c);
  for (let i = 0; i < 4; i++) assert.equal(q.check(c += 10), false, "40 pings < minOps");
  assert.equal(q.check(c += 500), false, "busy");
  assert.equal(q.check(c), true, "quiet after the burst");
  // srst resets packetsReceived to 0: 300 after the reset is activity, not -200.
  assert.equal(q.check(300), false);
  assert.equal(q.check(300), true);
});

Deno.test("startIdleReclaim runs gc then trim once the counter stops moving", async () => {
  const calls: ("gc" | "trim")[] = [];
  let counter = 0;
  const busy = setInterval(() => counter += 1000, 5);
  const r = startIdleReclaim(() => counter, {
    everyMs: 20,
    minOps: 100,
    hooks: { gc: () => calls.push("gc"), trim: () => calls.push("trim") },
  });
  try {
    // While the counter moves, nothing is reclaimed.
    const t0 = Date.now();
    while (counter < 20_000 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(calls, []);
    clearInterval(busy);
    const deadline = Date.now() + 5000;
    while (calls.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(calls.slice(0, 2), ["gc", "trim"]);
    assert.equal(r.reclaims(), 1);
  } finally {
    clearInterval(busy);
    r.stop();
  }
});

Deno.test("processHooks: no gc without --expose-gc; malloc_trim is callable on glibc Linux", () => {
  const h = processHooks();
  assert.equal(h.gc, null, "tests run without --expose-gc");
  if (Deno.build.os === "linux" && h.trim) h.trim(); // must not throw
});
