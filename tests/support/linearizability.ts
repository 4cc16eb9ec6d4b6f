// Checks a client history recorded against an ensemble under faults, as
// ZooKeeper promises it (pure: no I/O, no clock):
//   - writes are linearizable: per key, the setData / setData-with-version
//     (compare-and-set) operations fit one order that respects real time and
//     a register model whose state is (data, version) — Wing & Gong's search
//     with Lowe's memoization (porcupine's form): a set of linearized ops
//     plus a state is explored once;
//   - reads are sequentially consistent, not linearizable (a follower answers
//     from its own, possibly stale, tree): each read returns what some write
//     wrote (its data with that write's version), never a write invoked after
//     the read returned, and within one session a key's version never goes
//     back (reads after the session's own acknowledged writes included);
//   - sequential creates get unique numbers that increase in real time, and
//     none acknowledged is missing from the final tree;
//   - the final reads (after healing, after sync) take part in the write
//     check as linearizable reads: an acknowledged write that is lost makes
//     the history non-linearizable, and is counted.
// An op whose outcome the client does not know (connection loss, timeout)
// may take effect at any point after its invocation, or never: its return is
// at infinity, and any outcome the model allows is accepted.

/** What the client learned of an operation. */
export type OpStatus = "ok" | "fail" | "unknown";

/** One recorded operation. Times are ms on one clock (the clients'). */
export interface Op {
  /** Session it ran in (a new session after expiry is another session). */
  session: string;
  kind: "read" | "write" | "cas" | "create";
  /** The register's path, or the parent of a sequential create. */
  key: string;
  /** Data written (write, cas); unique per op in a run. */
  value?: string;
  /** cas: the version the write requires. */
  expect?: number;
  invoke: number;
  complete: number;
  status: OpStatus;
  /** ok write/cas: the new version; ok read: the version read. */
  version?: number;
  /** ok read: the data read. */
  data?: string | null;
  /** ok create: the path created. */
  path?: string;
  /** A read after healing and sync, checked as linearizable. */
  final?: boolean;
  error?: string;
}

/** A register's state: its data and version. */
export interface RegState {
  value: string | null;
  version: number;
}

/** The verdict on one key's writes. */
export interface KeyVerdict {
  key: string;
  ops: number;
  linearizable: boolean | "inconclusive";
  steps: number;
}

/** The verdict on a whole history. */
export interface Verdict {
  ok: boolean;
  keys: KeyVerdict[];
  /** Sequential-consistency violations of reads, one line each. */
  readViolations: string[];
  /** Sequential-create violations (duplicates, out of real-time order, lost). */
  createViolations: string[];
  /** Acknowledged writes and creates not in the final state. */
  lost: number;
  ackedWrites: number;
}

/** The register model: the states op may lead to from s (empty: op impossible here). */
export function step(s: RegState, op: Op): RegState[] {
  if (op.kind === "read") {
    if (op.status !== "ok") return [s];
    return s.value === op.data && s.version === op.version ? [s] : [];
  }
  const applied = { value: op.value ?? null, version: s.version + 1 };
  if (op.kind === "write") {
    if (op.status === "ok") {
      return op.version === undefined || op.version === applied.version ? [applied] : [];
    }
    return [applied]; // unknown; a definite failure is not passed in
  }
  if (op.kind === "cas") {
    const matches = s.version === op.expect;
    if (op.status === "ok") {
      return matches && (op.version === undefined || op.version === applied.version)
        ? [applied]
        : [];
    }
    if (op.status === "fail") return matches ? [] : [s];
    return [matches ? applied : s];
  }
  throw new Error(`not a register op: ${op.kind}`);
}

/** Two fixed pseudo-random 32-bit words per op (xorshift32, fixed seed). */
function zobrist(n: number): Int32Array {
  const out = new Int32Array(2 * n);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

interface Node {
  op: number;
  call: boolean;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

/**
 * Whether ops (one register's writes, cas and linearizable reads) are
 * linearizable from init; "inconclusive" past maxSteps search steps.
 */
export function linearizable(
  ops: readonly Op[],
  init: RegState,
  maxSteps = 10_000_000,
): { result: boolean | "inconclusive"; steps: number } {
  const events: { t: number; call: boolean; i: number }[] = [];
  ops.forEach((o, i) => {
    events.push({ t: o.invoke, call: true, i });
    events.push({ t: o.status === "unknown" ? Infinity : o.complete, call: false, i });
  });
  // Equal times count as overlapping: calls first.
  events.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Node = { op: -1, call: false, match: null, prev: null, next: null };
  const returns = new Map<number, Node>();
  let last = head;
  const nodes: Node[] = [];
  for (const e of events) {
    const n: Node = { op: e.i, call: e.call, match: null, prev: last, next: null };
    last.next = n;
    last = n;
    nodes.push(n);
    if (!e.call) returns.set(e.i, n);
  }
  for (const n of nodes) if (n.call) n.match = returns.get(n.op)!;
  const lift = (e: Node) => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: Node) => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };
  // The set of linearized ops is memoized by a 64-bit Zobrist hash (two
  // random 32-bit words per op, xor-ed in and out), not by the bitset itself:
  // a string of the bitset per state cost ~GBs on 2,000-op keys. A collision
  // (odds ~1e-6 at 10M states) could only make the search wrongly give up a
  // branch, so a "false" is worth a second look, never a "true".
  const rnd = zobrist(ops.length);
  let h1 = 0;
  let h2 = 0;
  const cache = new Set<string>();
  const calls: { node: Node; state: RegState }[] = [];
  let state = init;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (++steps > maxSteps) return { result: "inconclusive", steps };
    if (entry === null) throw new Error("linearizability search ran off the history");
    if (entry.call) {
      let advanced = false;
      for (const ns of step(state, ops[entry.op])) {
        const k1 = h1 ^ rnd[2 * entry.op];
        const k2 = h2 ^ rnd[2 * entry.op + 1];
        const key = `${k1},${k2}|${ns.version}|${ns.value}`;
        if (!cache.has(key)) {
          cache.add(key);
          calls.push({ node: entry, state });
          state = ns;
          h1 = k1;
          h2 = k2;
          lift(entry);
          entry = head.next;
          advanced = true;
          break;
        }
      }
      if (!advanced) entry = entry.next;
    } else {
      const top = calls.pop();
      if (!top) return { result: false, steps };
      entry = top.node;
      state = top.state;
      h1 ^= rnd[2 * entry.op];
      h2 ^= rnd[2 * entry.op + 1];
      unlift(entry);
      entry = entry.next;
    }
  }
  return { result: true, steps };
}

/** Sequential-consistency violations of the reads (non-final ones), one line each. */
export function readViolations(ops: readonly Op[], init: Map<string, RegState>): string[] {
  const out: string[] = [];
  const writers = new Map<string, Op>(); // value -> write/cas
  for (const o of ops) {
    if ((o.kind === "write" || o.kind === "cas") && o.status !== "fail" && o.value !== undefined) {
      writers.set(`${o.key}\0${o.value}`, o);
    }
  }
  const fmt = (o: Op) =>
    `${o.session} ${o.kind} ${o.key} [${o.invoke.toFixed(1)}, ${o.complete.toFixed(1)}]`;
  for (const r of ops) {
    if (r.kind !== "read" || r.status !== "ok") continue;
    const i = init.get(r.key);
    if (i && r.data === i.value && r.version === i.version) continue;
    const w = writers.get(`${r.key}\0${r.data}`);
    if (!w) {
      out.push(`${fmt(r)} read ${JSON.stringify(r.data)} v${r.version}: no write wrote it`);
    } else if (w.status === "ok" && w.version !== r.version) {
      out.push(`${fmt(r)} read v${r.version}, but its write got v${w.version}`);
    } else if (w.invoke > r.complete) {
      out.push(`${fmt(r)} read a write invoked after it returned (${fmt(w)})`);
    }
  }
  // Within a session, per key, versions seen never go back.
  const bySession = new Map<string, Op[]>();
  for (const o of ops) {
    if (o.status !== "ok" || o.final || o.kind === "create") continue;
    const l = bySession.get(o.session) ?? [];
    l.push(o);
    bySession.set(o.session, l);
  }
  for (const [, l] of bySession) {
    l.sort((a, b) => a.invoke - b.invoke);
    const seen = new Map<string, Op>();
    for (const o of l) {
      if (o.version === undefined) continue;
      const prev = seen.get(o.key);
      if (prev && prev.version! > o.version) {
        out.push(
          `${fmt(o)} saw v${o.version} after the session saw v${prev.version} (${fmt(prev)})`,
        );
        continue;
      }
      seen.set(o.key, o);
    }
  }
  return out;
}

/** The sequence number of a sequential node's path. */
function seqOf(path: string): number {
  return Number(path.slice(-10));
}

/**
 * Sequential-create violations: duplicate numbers, numbers not increasing in
 * real time, acknowledged creates missing from `finalChildren` (full paths),
 * and more unexplained children than creates of unknown outcome.
 */
export function createViolations(
  ops: readonly Op[],
  finalChildren: Map<string, Set<string>>,
): { violations: string[]; lost: number } {
  const out: string[] = [];
  let lost = 0;
  const creates = ops.filter((o) => o.kind === "create");
  const byParent = new Map<string, Op[]>();
  for (const o of creates) {
    const l = byParent.get(o.key) ?? [];
    l.push(o);
    byParent.set(o.key, l);
  }
  for (const [parent, l] of byParent) {
    const acked = l.filter((o) => o.status === "ok");
    const seen = new Map<number, Op>();
    for (const o of acked) {
      const n = seqOf(o.path!);
      if (seen.has(n)) out.push(`${parent}: sequence ${n} created twice`);
      seen.set(n, o);
    }
    // Real-time order: anything that returned before o was invoked has a smaller number.
    const byComplete = [...acked].sort((a, b) => a.complete - b.complete);
    const byInvoke = [...acked].sort((a, b) => a.invoke - b.invoke);
    let j = 0;
    let maxBefore: Op | null = null;
    for (const o of byInvoke) {
      while (j < byComplete.length && byComplete[j].complete < o.invoke) {
        const c = byComplete[j++];
        if (!maxBefore || seqOf(c.path!) > seqOf(maxBefore.path!)) maxBefore = c;
      }
      if (maxBefore && seqOf(maxBefore.path!) >= seqOf(o.path!)) {
        out.push(
          `${parent}: ${o.path} (invoked ${o.invoke.toFixed(1)}) not after ${maxBefore.path} ` +
            `(returned ${maxBefore.complete.toFixed(1)})`,
        );
      }
    }
    const have = finalChildren.get(parent) ?? new Set<string>();
    for (const o of acked) {
      if (!have.has(o.path!)) {
        lost++;
        out.push(`${parent}: acknowledged ${o.path} is missing after healing`);
      }
    }
    const ackedPaths = new Set(acked.map((o) => o.path!));
    const extra = [...have].filter((p) => !ackedPaths.has(p)).length;
    const unknown = l.filter((o) => o.status === "unknown").length;
    if (extra > unknown) {
      out.push(`${parent}: ${extra} children no create explains (${unknown} of unknown outcome)`);
    }
  }
  return { violations: out, lost };
}

/**
 * The whole check. `init` holds each register's state before the run; the
 * history's final reads (op.final) are its state after healing.
 */
export function checkHistory(
  ops: readonly Op[],
  init: Map<string, RegState>,
  finalChildren: Map<string, Set<string>>,
  maxSteps?: number,
): Verdict {
  const keys: KeyVerdict[] = [];
  let lost = 0;
  let ackedWrites = 0;
  for (const [key, s0] of init) {
    const mine = ops.filter((o) =>
      o.key === key &&
      ((o.kind === "write" && o.status !== "fail") || o.kind === "cas" ||
        (o.kind === "read" && o.final && o.status === "ok"))
    );
    const { result, steps } = linearizable(mine, s0, maxSteps);
    keys.push({ key, ops: mine.length, linearizable: result, steps });
    const acked = mine.filter((o) => o.kind !== "read" && o.status === "ok");
    ackedWrites += acked.length;
    const fin = mine.find((o) => o.final);
    if (fin) lost += acked.filter((o) => o.version! > fin.version!).length;
  }
  const reads = readViolations(ops.filter((o) => !o.final), init);
  const creates = createViolations(ops, finalChildren);
  ackedWrites += ops.filter((o) => o.kind === "create" && o.status === "ok").length;
  lost += creates.lost;
  return {
    ok: keys.every((k) => k.linearizable === true) && reads.length === 0 &&
      creates.violations.length === 0 && lost === 0,
    keys,
    readViolations: reads,
    createViolations: creates.violations,
    lost,
    ackedWrites,
  };
}
