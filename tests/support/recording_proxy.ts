// A TCP proxy on loopback that records every byte in both directions, per
// connection: put it between a Zab learner and its leader to capture real
// quorum traffic (zab-3.8.md §14 scenario 25).

/** The bytes one proxied connection carried. */
export interface RecordedConn {
  /** 1-based, in accept order. */
  index: number;
  /** Client (learner) to target (leader). */
  up: Uint8Array[];
  /** Target (leader) to client (learner). */
  down: Uint8Array[];
  /** True once both directions ended. */
  done: boolean;
}

/** A running proxy. */
export interface RecordingProxy {
  port: number;
  conns: RecordedConn[];
  /**
   * While true, bytes from the target are swallowed (neither forwarded nor
   * recorded): the learner hears nothing more, as on a cut link, though its
   * process runs (SIGSTOP would not do: the kernel still buffers what comes).
   */
  muteTarget: boolean;
  /** Stops accepting and closes every proxied connection. */
  close(): Promise<void>;
}

/** Joins recorded chunks into one buffer. */
export function joined(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Starts a proxy on 127.0.0.1 (port 0: any free port) forwarding to 127.0.0.1:targetPort. */
export function startRecordingProxy(targetPort: number, port = 0): RecordingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns: RecordedConn[] = [];
  const sockets = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const pump = async (
    from: Deno.Conn,
    to: Deno.Conn,
    into: Uint8Array[],
    muted: () => boolean,
  ) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        if (muted()) continue;
        const chunk = buf.slice(0, n);
        into.push(chunk);
        let off = 0;
        while (off < n) off += await to.write(chunk.subarray(off));
      }
    } catch { /* either side reset */ }
    // A half-close would keep a Java peer's socket open: end both sides.
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      let target: Deno.TcpConn;
      try {
        target = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      } catch {
        client.close();
        continue;
      }
      client.setNoDelay(true);
      target.setNoDelay(true);
      sockets.add(client);
      sockets.add(target);
      const rec: RecordedConn = { index: conns.length + 1, up: [], down: [], done: false };
      conns.push(rec);
      tasks.push(
        Promise.all([
          pump(client, target, rec.up, () => false),
          pump(target, client, rec.down, () => proxy.muteTarget),
        ]).then(() => {
          rec.done = true;
          sockets.delete(client);
          sockets.delete(target);
        }),
      );
    }
  })().catch(() => {});
  const proxy: RecordingProxy = {
    port: (listener.addr as Deno.NetAddr).port,
    conns,
    muteTarget: false,
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
  return proxy;
}
