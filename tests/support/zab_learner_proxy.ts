// A TCP proxy on loopback whose two directions can be muted apart: bytes read
// while muted are dropped, as on a link that loses them, while both processes
// run. Put between a learner and its leader's quorum port to keep a PROPOSAL
// from a follower, or a follower's ACK from the leader.

/** A running proxy. */
export interface MutingProxy {
  port: number;
  /** Drop bytes from the connecting side (learner → leader). */
  muteUp: boolean;
  /** Drop bytes from the target (leader → learner). */
  muteDown: boolean;
  /** Connections accepted so far. */
  accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 forwarding to 127.0.0.1:targetPort. */
export function startMutingProxy(targetPort: number): MutingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sockets = new Set<Deno.Conn>();
  const tasks: Promise<unknown>[] = [];
  const pump = async (from: Deno.Conn, to: Deno.Conn, muted: () => boolean) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        if (muted()) continue;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch { /* either side reset */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* closed */ }
      sockets.delete(c);
    }
  };
  let accepting: Promise<void> = Promise.resolve();
  const proxy: MutingProxy = {
    port: (listener.addr as Deno.NetAddr).port,
    muteUp: false,
    muteDown: false,
    accepted: 0,
    async close() {
      try {
        listener.close();
      } catch { /* closed */ }
      for (const s of sockets) {
        try {
          s.close();
        } catch { /* closed */ }
      }
      await accepting;
      await Promise.all(tasks);
    },
  };
  accepting = (async () => {
    for await (const client of listener) {
      let target: Deno.TcpConn;
      try {
        target = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      } catch {
        client.close();
        continue;
      }
      proxy.accepted++;
      client.setNoDelay(true);
      target.setNoDelay(true);
      sockets.add(client);
      sockets.add(target);
      tasks.push(Promise.all([
        pump(client, target, () => proxy.muteUp),
        pump(target, client, () => proxy.muteDown),
      ]));
    }
  })().catch(() => {});
  return proxy;
}
