// Issue 16: when descriptors run out, accept() fails at once and keeps failing
// while the connection waits in the kernel's queue. The loop must back off
// (not spin) and log a bounded number of lines (zkt logged 428,054 lines in
// 8 s; ZooKeeper 124), and it must go on accepting once descriptors free up.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { AcceptBackoff, acceptLoop } from "../../../src/net/accept_loop.ts";
import { Logger, setLogSink } from "../../../src/log/logger.ts";

Deno.test("accept failures back off: the delay doubles to its cap and a success resets it", () => {
  const b = new AcceptBackoff(10, 1000, 10_000);
  const delays = Array.from({ length: 9 }, (_, i) => b.failed(i).delayMs);
  assertEquals(delays, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
  b.succeeded(100);
  assertEquals(b.failed(200).delayMs, 10);
});

Deno.test("a run of accept failures logs at most one line per window, counting the rest", () => {
  const b = new AcceptBackoff(10, 1000, 10_000);
  let now = 0;
  const logged: number[] = [];
  // 60 s of continuous failures at the backoff's pace.
  while (now < 60_000) {
    const f = b.failed(now);
    if (f.log) logged.push(f.suppressed);
    now += f.delayMs;
  }
  assert(logged.length <= 7, `${logged.length} lines`);
  assertEquals(logged[0], 0);
  assert(logged.slice(1).every((n) => n > 0), "later lines say how many were left out");
});

Deno.test("descriptors hovering at the limit (fail, succeed, fail, ...) cannot flood the log", () => {
  const b = new AcceptBackoff(10, 1000, 10_000);
  let lines = 0;
  for (let now = 0; now < 10_000; now += 5) {
    if (b.failed(now).log) lines++;
    if (b.succeeded(now + 1).log) lines++;
  }
  assert(lines <= 2, `${lines} lines in one window`);
});

/** A listener whose accept() fails `failures` times (EMFILE), then yields one conn, then is closed. */
function flakyListener(failures: number) {
  let calls = 0;
  const conn = { close() {} } as unknown as Deno.Conn;
  const l = {
    accept(): Promise<Deno.Conn> {
      calls++;
      if (calls <= failures) {
        return Promise.reject(new Error("Too many open files (os error 24)"));
      }
      if (calls === failures + 1) return Promise.resolve(conn);
      return Promise.reject(new Deno.errors.BadResource("listener closed"));
    },
  } as unknown as Deno.Listener<Deno.Conn>;
  return { l, conn, calls: () => calls };
}

Deno.test("acceptLoop survives a run of failed accepts, logs them rate-limited, then accepts again", async () => {
  const lines: string[] = [];
  const prev = setLogSink((line) => lines.push(line));
  try {
    const f = flakyListener(200);
    const got: Deno.Conn[] = [];
    await acceptLoop(
      f.l,
      {
        name: "client port",
        log: new Logger("Listener"),
        closing: () => false,
        backoff: new AcceptBackoff(0.1, 1, 10_000),
      },
      (c) => got.push(c),
    );
    assertEquals(got, [f.conn]);
    assertEquals(f.calls(), 202);
    const failed = lines.filter((l) => l.includes("accept failed"));
    assertEquals(failed.length, 1);
    assert(failed[0].includes("Too many open files"), failed[0]);
    assertEquals(lines.filter((l) => l.includes("accepting again after 200")).length, 1);
  } finally {
    setLogSink(prev);
  }
});
