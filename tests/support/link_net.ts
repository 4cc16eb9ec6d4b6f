// Partitions on loopback without iptables or tc: a proxy on every directed
// link between ensemble members, for the quorum port and the election port.
//
// Why per-link ports: a peer binds the address of its own server.N line, and
// every other peer connects to the address of that member's line in its own
// zoo.cfg. With one shared config, member N's listen address is also where
// everyone connects, so nothing can sit in between. So each member's zoo.cfg
// keeps its own line real and names, for every other member M, a proxy port
// that belongs to the link (self -> M) (Ensemble's `peerPorts` option). A
// proxy then knows source and destination from the port it was reached on;
// nothing has to be parsed from the protocols. A connection belongs to the
// link of the member that opened it, whichever way its bytes flow.
//
// The configs differ only in other members' ports. Proved with mixed
// ensembles (tests/interop/faults_nemesis_test.ts): Java 3.8 with
// reconfigEnabled=false (the default) keeps its own config (it skips storing
// the config NEWLEADER carries, and election notifications of the same
// config version change nothing), and it connects back (a lower sid's
// connection is dropped and re-opened) to the address of its own config;
// zkt ignores NEWLEADER's config text. /zookeeper/config differs between
// members, as a local node (no txn writes it), so tree comparisons skip it.
//
// One catch: the election port's initial message carries the connecting
// peer's own election address (its real one, from its own line), and a peer
// that drops a connection from a lower sid may connect back to that address
// (zkt does: before this rewrite an "isolated" zkt leader kept winning
// elections over direct connections).
// So an election link rewrites that address to the reverse link's proxy.
//
// A cut link is one of two failures: "reset" closes its connections and
// refuses new ones (a crashed host's RST); "drop" keeps them open and drops
// every byte both ways, and accepts new ones into the same void (a blackhole:
// only timeouts notice). Bytes dropped mid-stream cannot be taken back, so a
// healed link closes the connections it dropped bytes on. A delayed link
// holds every chunk for `delayMs` before forwarding it, in order.
import {
  encodeInitialMessage,
  PROTOCOL_VERSION_V1,
  PROTOCOL_VERSION_V2,
} from "../../src/election/handshake.ts";

/**
 * The election initial message at the head of `head` with its address list
 * replaced by `port` on 127.0.0.1, plus the bytes after it; null while
 * incomplete; `head` itself when it is the legacy form (no address).
 */
export function rewriteInitialMessage(head: Uint8Array, port: number): Uint8Array | null {
  if (head.length < 8) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = v.getBigInt64(0);
  if (version !== PROTOCOL_VERSION_V1 && version !== PROTOCOL_VERSION_V2) return head;
  if (head.length < 20) return null;
  const len = v.getInt32(16);
  if (len < 0 || len > 4096) return head; // malformed: let the receiver refuse it
  if (head.length < 20 + len) return null;
  const msg = encodeInitialMessage(v.getBigInt64(8), [{ host: "127.0.0.1", port }], version);
  const out = new Uint8Array(msg.length + head.length - 20 - len);
  out.set(msg);
  out.set(head.subarray(20 + len), msg.length);
  return out;
}

/** How long a proxy retries a refused connect to its target, ms. */
const CONNECT_RETRY_MS = 3000;

/** How a cut link fails. */
export type CutMode = "reset" | "drop";

/** One directed link's proxy (connections opened by `from` to `to`'s port). */
export class LinkProxy {
  readonly port: number;
  private readonly listener: Deno.Listener;
  private readonly conns = new Set<{ a: Deno.Conn; b: Deno.Conn | null; poisoned: boolean }>();
  private cut: CutMode | null = null;
  private delayMs = 0;
  private readonly accepting: Promise<void>;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly target: number,
    /** Rewrites the first bytes the connecting side sends (null: wants more). */
    private readonly rewriteHead?: (head: Uint8Array) => Uint8Array | null,
  ) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.accepting = (async () => {
      for await (const c of listener) this.accept(c);
    })().catch(() => {});
  }

  /** Cuts the link; "reset" also ends every open connection. */
  setCut(mode: CutMode | null): void {
    if (mode === null) {
      // Connections that lost bytes cannot resume: end them as a timeout would.
      for (const p of [...this.conns]) if (p.poisoned) this.end(p);
    } else {
      for (const p of [...this.conns]) {
        if (mode === "reset") this.end(p);
        else p.poisoned = true;
      }
    }
    this.cut = mode;
  }

  /** Holds every forwarded chunk for ms (0: none). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Whether the link is cut now. */
  get isCut(): boolean {
    return this.cut !== null;
  }

  private end(p: { a: Deno.Conn; b: Deno.Conn | null }): void {
    for (const c of [p.a, p.b]) {
      try {
        c?.close();
      } catch { /* closed */ }
    }
    this.conns.delete(p as { a: Deno.Conn; b: Deno.Conn | null; poisoned: boolean });
  }

  private async accept(a: Deno.Conn): Promise<void> {
    if (this.cut === "reset") {
      a.close();
      return;
    }
    const p = { a, b: null as Deno.Conn | null, poisoned: this.cut === "drop" };
    this.conns.add(p);
    if (p.poisoned) {
      // Blackholed from the start: swallow what it sends until healed.
      this.drain(a).then(() => this.end(p));
      return;
    }
    // The kernel accepted for us, so a target that is not listening yet
    // (a Java leader binds its quorum port only once elected) must not look
    // like a closed connection: retry for a while, as a SYN would be.
    const deadline = Date.now() + CONNECT_RETRY_MS;
    while (p.b === null) {
      try {
        p.b = await Deno.connect({ hostname: "127.0.0.1", port: this.target });
      } catch {
        if (Date.now() > deadline || !this.conns.has(p)) {
          this.end(p);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!this.conns.has(p)) {
      this.end(p);
      return;
    }
    (a as Deno.TcpConn).setNoDelay(true);
    (p.b as Deno.TcpConn).setNoDelay(true);
    Promise.race([this.pump(p, a, p.b, this.rewriteHead), this.pump(p, p.b, a)]).then(() =>
      this.end(p)
    );
  }

  private async drain(c: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while ((await c.read(buf)) !== null) { /* dropped */ }
    } catch { /* closed */ }
  }

  private async pump(
    p: { poisoned: boolean },
    from: Deno.Conn,
    to: Deno.Conn,
    rewriteHead?: (head: Uint8Array) => Uint8Array | null,
  ): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    let chain = Promise.resolve();
    let failed = false;
    let head: Uint8Array | null = rewriteHead ? new Uint8Array(0) : null;
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null || failed) break;
        if (p.poisoned) continue;
        let chunk: Uint8Array = buf.slice(0, n);
        if (head) {
          const joined = new Uint8Array(head.length + n);
          joined.set(head);
          joined.set(chunk, head.length);
          const out = rewriteHead!(joined);
          if (out === null) {
            head = joined;
            continue;
          }
          head = null;
          chunk = out;
        }
        const at = Date.now() + this.delayMs;
        chain = chain.then(async () => {
          const wait = at - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (p.poisoned) return;
          let off = 0;
          while (off < chunk.length) off += await to.write(chunk.subarray(off));
        }).catch(() => {
          failed = true;
        });
        if (this.delayMs === 0) await chain;
      }
    } catch { /* reset */ }
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    this.cut = "reset";
    this.listener.close();
    for (const p of [...this.conns]) this.end(p);
    await this.accepting;
  }
}

/** The links between members, by sid; what a nemesis cuts and heals. */
export class LinkNet {
  private readonly links = new Map<string, LinkProxy>();

  /** The proxy of link (from -> to) for a port kind, started on first use. */
  link(from: number, to: number, kind: "quorum" | "election", target: number): LinkProxy {
    const key = `${from}>${to}:${kind}`;
    let l = this.links.get(key);
    if (!l) {
      // A connect-back from `to` must take the link (to -> from).
      const back = () => this.links.get(`${to}>${from}:election`)?.port;
      l = new LinkProxy(
        from,
        to,
        target,
        kind === "election"
          ? (head) => {
            const port = back();
            return port === undefined ? head : rewriteInitialMessage(head, port);
          }
          : undefined,
      );
      this.links.set(key, l);
    }
    return l;
  }

  /** For Ensemble's `peerPorts`: the proxy ports self's zoo.cfg names for other. */
  peerPorts = (
    self: { sid: number },
    other: { sid: number; quorum: number; election: number },
  ): { quorum: number; election: number } => ({
    quorum: this.link(self.sid, other.sid, "quorum", other.quorum).port,
    election: this.link(self.sid, other.sid, "election", other.election).port,
  });

  private between(a: number, b: number): LinkProxy[] {
    return [...this.links.values()].filter((l) =>
      (l.from === a && l.to === b) || (l.from === b && l.to === a)
    );
  }

  /** Cuts both directions between a and b. */
  cut(a: number, b: number, mode: CutMode): void {
    for (const l of this.between(a, b)) l.setCut(mode);
  }

  /** Delays both directions between a and b (0: none). */
  delay(a: number, b: number, ms: number): void {
    for (const l of this.between(a, b)) l.setDelay(ms);
  }

  /** Cuts exactly these pairs of sids (both directions); heals every other link. */
  setCuts(pairs: readonly (readonly [number, number])[], mode: CutMode): void {
    const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
    const want = new Set(pairs.map(([a, b]) => key(a, b)));
    for (const l of this.links.values()) {
      const cut = want.has(key(l.from, l.to));
      if (cut !== l.isCut) l.setCut(cut ? mode : null);
    }
  }

  /** Cuts every link between members of different groups; heals the rest. */
  partition(groups: readonly (readonly number[])[], mode: CutMode): void {
    const pairs: [number, number][] = [];
    groups.forEach((g, i) =>
      groups.slice(i + 1).forEach((h) => g.forEach((a) => h.forEach((b) => pairs.push([a, b]))))
    );
    this.setCuts(pairs, mode);
  }

  /** Pairs of sids that cannot reach each other now. */
  cutPairs(): string[] {
    const out = new Set<string>();
    for (const l of this.links.values()) {
      if (l.isCut) out.add(`${Math.min(l.from, l.to)}-${Math.max(l.from, l.to)}`);
    }
    return [...out].sort();
  }

  /** Heals every link and removes every delay. */
  heal(): void {
    for (const l of this.links.values()) {
      l.setCut(null);
      l.setDelay(0);
    }
  }

  /** Closes every proxy. */
  async close(): Promise<void> {
    for (const l of this.links.values()) await l.close();
  }
}
