// The deterministic-simulation harness: a seeded PRNG, a virtual-time event
// queue, and the seed plan every simulation test shares (a fixed list in CI,
// random seeds on request, one seed to replay). Protocol-specific worlds (FLE
// now, Zab next) are built on these pieces.

/** A small fast PRNG (mulberry32) so a run replays from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element of a non-empty array. */
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
}

/** Events ordered by virtual time, ties in insertion order (so runs are deterministic). */
export class EventQueue<E> {
  private a: { t: number; seq: number; e: E }[] = [];
  private seq = 0;

  get size(): number {
    return this.a.length;
  }

  private less(i: number, j: number): boolean {
    const x = this.a[i], y = this.a[j];
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }

  /** Schedules e at virtual time t. */
  push(t: number, e: E): void {
    const a = this.a;
    a.push({ t, seq: this.seq++, e });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** Removes the earliest event. */
  pop(): { t: number; e: E } | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return { t: top.t, e: top.e };
  }
}

/** Which seeds a simulation test runs, and how to say so. */
export interface SeedPlan {
  seeds: number[];
  /** How the list was chosen, for the failure message. */
  source: string;
}

/**
 * The seeds to run. Default (CI): the fixed list 1..ciCount, the same every run.
 * ZKT_SIM_SEED=<n>: that one seed (replay a failure).
 * ZKT_SIM_SEEDS=random:<k>: k fresh random seeds (each failure prints its seed);
 * ZKT_SIM_SEEDS=<a>-<b> or <a>,<b>,…: those seeds.
 */
export function seedPlan(ciCount: number): SeedPlan {
  const one = Deno.env.get("ZKT_SIM_SEED");
  if (one !== undefined && one !== "") return { seeds: [parseSeed(one)], source: `seed ${one}` };
  const spec = Deno.env.get("ZKT_SIM_SEEDS");
  if (spec === undefined || spec === "") {
    return { seeds: range(1, ciCount), source: `fixed seeds 1..${ciCount}` };
  }
  const random = /^random:(\d+)$/.exec(spec);
  if (random) {
    const k = Number(random[1]);
    const seeds = Array.from(
      { length: k },
      () => crypto.getRandomValues(new Uint32Array(1))[0],
    );
    return { seeds, source: `${k} random seeds` };
  }
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return { seeds: range(Number(span[1]), Number(span[2])), source: `seeds ${spec}` };
  return { seeds: spec.split(",").map(parseSeed), source: `seeds ${spec}` };
}

function parseSeed(s: string): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) > 0xffffffff) {
    throw new Error(`ZKT_SIM_SEED(S): not a seed (0..4294967295): ${s}`);
  }
  return Number(s);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

/** The command that replays one seed of the simulation tests. */
export function replayCommand(seed: number): string {
  return `ZKT_SIM_SEED=${seed} deno test --allow-all tests/sim/`;
}
