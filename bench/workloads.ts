// The workloads: each drives one server on a port with BenchConn and returns
// raw measurements. Every loop is bounded by a count and by a deadline.
import { BenchConn, CONN_LOST, type Done } from "./client.ts";
import { percentile, ratePerSec } from "./stats.ts";

const enc = new TextEncoder();
const NODE_EXISTS = -110;

/** Bytes of a given length (deterministic content). */
export function payload(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
  return b;
}

/** Outcome of a pipelined run. */
export interface RunResult {
  ok: number;
  errors: number;
  ms: number;
  /** True when the deadline stopped the run before the count. */
  cut: boolean;
}

/**
 * Keeps `window` requests outstanding on each connection until `total` were
 * issued or `timeMs` elapsed, then waits for what is in flight.
 */
export function pipeline(
  conns: BenchConn[],
  window: number,
  total: number,
  timeMs: number,
  issue: (c: BenchConn, i: number, done: Done) => void,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const deadline = t0 + timeMs;
    let issued = 0;
    let inFlight = 0;
    let ok = 0;
    let errors = 0;
    let cut = false;
    let finished = false;
    const next = (c: BenchConn) => {
      if (issued >= total) return false;
      if (performance.now() > deadline) {
        cut = true;
        return false;
      }
      const i = issued++;
      inFlight++;
      issue(c, i, (err) => {
        inFlight--;
        if (err === 0) ok++;
        else errors++;
        if (err === CONN_LOST) issued = total; // stop feeding a dead server
        if (!next(c) && inFlight === 0 && !finished) {
          finished = true;
          resolve({ ok, errors, ms: performance.now() - t0, cut });
        }
      });
      return true;
    };
    for (const c of conns) {
      for (let k = 0; k < window; k++) if (!next(c)) break;
    }
    if (inFlight === 0 && !finished) {
      finished = true;
      resolve({ ok, errors, ms: performance.now() - t0, cut });
    }
  });
}

/** Opens n sessions, at most `parallel` handshakes at a time. */
export async function openMany(port: number, n: number, parallel = 16): Promise<BenchConn[]> {
  const out: BenchConn[] = [];
  try {
    for (let i = 0; i < n; i += parallel) {
      const batch = Math.min(parallel, n - i);
      out.push(...await Promise.all(Array.from({ length: batch }, () => BenchConn.open(port))));
    }
  } catch (e) {
    await closeAll(out);
    throw e;
  }
  return out;
}

/** Closes every session (bounded: a connection that hangs is dropped after 10 s). */
export async function closeAll(conns: BenchConn[]): Promise<void> {
  await Promise.all(conns.map(async (c) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"t">((r) => timer = setTimeout(() => r("t"), 10_000));
    const r = await Promise.race([c.close().then(() => "ok" as const), timeout]);
    clearTimeout(timer);
    if (r === "t") await c.drop();
  }));
}

/** Creates a node, accepting that it exists already. */
export async function ensureNode(c: BenchConn, path: string, data: Uint8Array = new Uint8Array(0)) {
  const err = await c.call((d) => c.create(path, data, 0, d));
  if (err !== 0 && err !== NODE_EXISTS) throw new Error(`create ${path} failed with ${err}`);
}

/** Sequential creates with one request outstanding: per-op latency in ms. */
export async function seqCreate(port: number, n: number, timeMs: number) {
  const c = await BenchConn.open(port);
  try {
    await ensureNode(c, "/seq");
    const data = payload(32);
    const lat: number[] = [];
    const deadline = performance.now() + timeMs;
    let errors = 0;
    for (let i = 0; i < n && performance.now() < deadline; i++) {
      const t = performance.now();
      const err = await c.call((d) => c.create(`/seq/n${i}`, data, 0, d));
      lat.push(performance.now() - t);
      if (err !== 0) errors++;
      if (err === CONN_LOST) break;
    }
    return {
      count: lat.length,
      errors,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      cut: lat.length < n,
    };
  } finally {
    await closeAll([c]);
  }
}

/** Pipelined creates across several connections: ops/s. */
export async function pipelinedCreate(
  port: number,
  opts: { conns: number; window: number; total: number; timeMs: number; prefix: string },
): Promise<RunResult> {
  const conns = await openMany(port, opts.conns);
  try {
    await ensureNode(conns[0], opts.prefix);
    const data = payload(32);
    return await pipeline(
      conns,
      opts.window,
      opts.total,
      opts.timeMs,
      (c, i, d) => c.create(`${opts.prefix}/n${i}`, data, 0, d),
    );
  } finally {
    await closeAll(conns);
  }
}

/** Pipelined getData of one 100-byte node across several connections: ops/s. */
export async function getDataRate(
  port: number,
  opts: { conns: number; window: number; total: number; timeMs: number },
): Promise<RunResult> {
  const conns = await openMany(port, opts.conns);
  try {
    await ensureNode(conns[0], "/get", payload(100));
    return await pipeline(conns, opts.window, opts.total, opts.timeMs, (c, _i, d) => {
      c.getData("/get", false, d);
    });
  } finally {
    await closeAll(conns);
  }
}

/**
 * setData of `bytes` bytes from many clients, `window` outstanding each (1: the
 * latency-bound shape group commit is for; more: throughput-bound): ops/s.
 */
export async function setDataRate(
  port: number,
  opts: { clients: number; window?: number; bytes?: number; total: number; timeMs: number },
): Promise<RunResult> {
  const conns = await openMany(port, opts.clients);
  try {
    await ensureNode(conns[0], "/set");
    await Promise.all(conns.map((c, k) => ensureNode(c, `/set/c${k}`)));
    const data = payload(opts.bytes ?? 100);
    const index = new Map(conns.map((c, k) => [c, k]));
    return await pipeline(conns, opts.window ?? 1, opts.total, opts.timeMs, (c, _i, d) => {
      c.setData(`/set/c${index.get(c)}`, data, d);
    });
  } finally {
    await closeAll(conns);
  }
}

/** Session churn: `workers` loops of connect + closeSession: sessions/s. */
export async function sessionRate(
  port: number,
  opts: { workers: number; total: number; timeMs: number },
): Promise<RunResult> {
  const t0 = performance.now();
  const deadline = t0 + opts.timeMs;
  let issued = 0;
  let ok = 0;
  let errors = 0;
  let cut = false;
  const worker = async () => {
    for (;;) {
      if (issued >= opts.total) return;
      if (performance.now() > deadline) {
        cut = true;
        return;
      }
      issued++;
      try {
        const c = await BenchConn.open(port);
        await c.close();
        ok++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
  return { ok, errors, ms: performance.now() - t0, cut };
}

/** Watch fan-out: `watchers` sessions watch one node; one setData; ms until all are notified. */
export async function watchFanout(
  port: number,
  opts: { watchers: number; rounds: number; timeMs: number },
) {
  const writer = await BenchConn.open(port);
  const watchers: BenchConn[] = [];
  try {
    await ensureNode(writer, "/fan", payload(16));
    watchers.push(...await openMany(port, opts.watchers));
    const times: number[] = [];
    const deadline = performance.now() + opts.timeMs;
    let missed = 0;
    for (let r = 0; r < opts.rounds && performance.now() < deadline; r++) {
      // Arm: every watcher sets a data watch; wait for all the replies.
      const armed = await Promise.all(
        watchers.map((c) => c.call((d) => c.getData("/fan", true, d))),
      );
      if (armed.some((e) => e !== 0)) throw new Error(`getData watch failed: ${armed}`);
      let remaining = watchers.length;
      let t0 = 0;
      const all = new Promise<number>((resolve) => {
        for (const c of watchers) {
          c.onEvent = () => {
            c.onEvent = null;
            if (--remaining === 0) resolve(performance.now() - t0);
          };
        }
      });
      t0 = performance.now();
      const err = await writer.call((d) => writer.setData("/fan", enc.encode(`round ${r}`), d));
      if (err !== 0) throw new Error(`setData /fan failed with ${err}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((res) => timer = setTimeout(() => res(null), 10_000));
      const ms = await Promise.race([all, timeout]);
      clearTimeout(timer);
      if (ms === null) {
        missed += remaining;
        break;
      }
      times.push(ms);
    }
    return {
      rounds: times.length,
      p50: percentile(times, 50),
      max: times.length ? Math.max(...times) : NaN,
      missed,
    };
  } finally {
    await closeAll([writer, ...watchers]);
  }
}

/** Loads `count` znodes (`bytes` of data, default 100) under /load/pN parents of 1000 children each. */
export async function loadZnodes(
  port: number,
  opts: { count: number; bytes?: number; conns: number; window: number; timeMs: number },
): Promise<RunResult> {
  const conns = await openMany(port, opts.conns);
  try {
    const c0 = conns[0];
    await ensureNode(c0, "/load");
    const parents = Math.ceil(opts.count / 1000);
    await pipeline([c0], 100, parents, opts.timeMs, (c, i, d) => {
      c.create(`/load/p${i}`, new Uint8Array(0), 0, d);
    });
    const data = payload(opts.bytes ?? 100);
    return await pipeline(conns, opts.window, opts.count, opts.timeMs, (c, i, d) => {
      c.create(`/load/p${Math.floor(i / 1000)}/n${i % 1000}`, data, 0, d);
    });
  } finally {
    await closeAll(conns);
  }
}

/** A mixed warm-up (creates, reads, writes, sessions) so the JVM's JIT has run before measuring. */
export async function warmUp(port: number, scale: number, timeMs: number): Promise<number> {
  const t0 = performance.now();
  const left = () => Math.max(0, timeMs - (performance.now() - t0));
  await pipelinedCreate(port, {
    conns: 4,
    window: 100,
    total: 5000 * scale,
    timeMs: left(),
    prefix: "/warm",
  });
  await getDataRate(port, { conns: 4, window: 100, total: 10000 * scale, timeMs: left() });
  await setDataRate(port, { clients: 8, total: 2000 * scale, timeMs: left() });
  await sessionRate(port, { workers: 4, total: 50 * scale, timeMs: left() });
  return performance.now() - t0;
}

/** ops/s of a run (successful ops only). */
export function rateOf(r: RunResult): number {
  return ratePerSec(r.ok, r.ms);
}
