// Free loopback ports for tests: bind port 0, read the port, release it.

/** Ports this process handed out: the kernel may give a just-released port again. */
const handedOut = new Set<number>();

/** Returns a TCP port on 127.0.0.1 that was free a moment ago, not one returned before. */
export function freePort(): number {
  for (let i = 0; i < 50; i++) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no fresh free port after 50 tries");
}

/** Returns n distinct free ports. */
export function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}
