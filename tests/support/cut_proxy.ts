// A loopback TCP proxy in front of one server that a test can cut: cut()
// resets every proxied connection and refuses new ones until heal(), so a
// client with several hosts moves to another server while this one keeps
// running (kill -9 would also end the server's sessions' home).

/** A running proxy. */
export interface CutProxy {
  port: number;
  target: number;
  /** Connections being proxied now. */
  readonly active: number;
  /** Closes every proxied connection and refuses new ones. */
  cut(): void;
  /** Accepts and forwards connections again. */
  heal(): void;
  /** Stops listening and closes everything. */
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port forwarding to 127.0.0.1:targetPort. */
export function startCutProxy(targetPort: number): CutProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pairs = new Set<[Deno.Conn, Deno.Conn]>();
  let isCut = false;
  const end = (p: [Deno.Conn, Deno.Conn]) => {
    for (const c of p) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    pairs.delete(p);
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch { /* reset */ }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      if (isCut) {
        client.close();
        continue;
      }
      let target: Deno.TcpConn;
      try {
        target = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      } catch {
        client.close();
        continue;
      }
      client.setNoDelay(true);
      target.setNoDelay(true);
      const p: [Deno.Conn, Deno.Conn] = [client, target];
      pairs.add(p);
      // A half-close would leave the server's side open: end both together.
      Promise.race([pump(client, target), pump(target, client)]).then(() => end(p));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    target: targetPort,
    get active() {
      return pairs.size;
    },
    cut() {
      isCut = true;
      for (const p of [...pairs]) end(p);
    },
    heal() {
      isCut = false;
    },
    async close() {
      isCut = true;
      listener.close();
      for (const p of [...pairs]) end(p);
      await accepting;
    },
  };
}
