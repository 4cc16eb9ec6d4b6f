// Hands memory back to the system once the server goes quiet after work. A
// burst of requests leaves garbage in V8's heap and freed-but-resident holes
// in malloc's heap (request buffers, a snapshot's frozen columns); neither
// shrinks by itself while the server idles (V8's own memory reducer waits
// 30 s). So when requests stop after enough of them, one last-resort GC
// (V8's gc(), exposed by scripts/lib.sh's V8 flags: it compacts the old
// generation and shrinks the young one) and then glibc's malloc_trim(0) run.
// Each is skipped where unavailable (no --expose-gc; not glibc; no FFI
// permission). Measured: 200k znodes held in ~113 MiB instead of ~145-170
// (docs/PERFORMANCE.md).

const TRIM_DELAY_MS = 200;

/** What a reclaim may call; injectable for tests. */
export interface ReclaimHooks {
  gc: (() => void) | null;
  trim: (() => void) | null;
}

/** The hooks this process has: V8's gc when exposed, glibc's malloc_trim when loadable. */
export function processHooks(): ReclaimHooks {
  const g = (globalThis as { gc?: (opts?: object) => void }).gc;
  return {
    gc: typeof g === "function" ? () => g({ type: "major", flavor: "last-resort" }) : null,
    trim: mallocTrim(),
  };
}

function mallocTrim(): (() => void) | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    return () => void libc.symbols.malloc_trim(0n);
  } catch {
    return null; // musl, no FFI permission, or no libc.so.6
  }
}

/**
 * Pure decision: given the activity counter at each check, reclaim on the
 * first quiet check (at most `quietOps` since the one before: idle sessions
 * still ping) after at least `minOps` since the last reclaim.
 */
export class QuietDetector {
  private last: number | null = null;
  private sinceReclaim = 0;

  constructor(private readonly minOps: number, private readonly quietOps = 20) {}

  /** One periodic check with the current counter; true: reclaim now. */
  check(counter: number): boolean {
    const prev = this.last;
    this.last = counter;
    if (prev === null) return false;
    // The counter may be reset (srst): count from zero then.
    const delta = counter >= prev ? counter - prev : counter;
    this.sinceReclaim += delta;
    if (delta > this.quietOps || this.sinceReclaim < this.minOps) return false;
    this.sinceReclaim = 0;
    return true;
  }
}

/** Checks `activity()` every `everyMs`; stop() ends it. The timer never keeps the process alive. */
export function startIdleReclaim(
  activity: () => number,
  opts: { everyMs?: number; minOps?: number; hooks?: ReclaimHooks } = {},
): { stop(): void; reclaims(): number } {
  const hooks = opts.hooks ?? processHooks();
  const quiet = new QuietDetector(opts.minOps ?? 5000);
  let count = 0;
  let trimTimer: ReturnType<typeof setTimeout> | undefined;
  const timer = setInterval(() => {
    if (!quiet.check(activity())) return;
    hooks.gc?.();
    count++;
    // V8 frees dead ArrayBuffers' memory on a background sweep after the GC:
    // trim once that has run, or the holes it leaves stay resident.
    if (hooks.trim) {
      const t = setTimeout(() => hooks.trim?.(), TRIM_DELAY_MS);
      Deno.unrefTimer(t);
      trimTimer = t;
    }
  }, opts.everyMs ?? 250);
  Deno.unrefTimer(timer);
  return {
    stop: () => {
      clearInterval(timer);
      clearTimeout(trimTimer);
    },
    reclaims: () => count,
  };
}
