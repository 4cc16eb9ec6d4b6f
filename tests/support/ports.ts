// Free loopback ports for tests. A test often plans a port and binds it
// seconds later (an ensemble's server lines, a JVM's boot). Ports the kernel
// hands out for port 0 come from the ephemeral range, the same range every
// outgoing connection takes its local port from: under load (a burst of a
// thousand connects, JVMs, kazoo) one of those could take a planned port
// before it was bound, and the server failed with "Address already in use".
// So, where the ephemeral range is known (Linux), planned ports come from
// below it, picked at random and checked free by binding them.

const BELOW_FROM = 10_000;

/** The first port of the kernel's ephemeral range, or null when unknown. */
function ephemeralLow(): number | null {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    const low = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > BELOW_FROM + 1000 ? low : null;
  } catch {
    return null;
  }
}

const LOW = ephemeralLow();

function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

function kernelPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Ports this process handed out: one planned port is never handed out twice. */
const handedOut = new Set<number>();

/** Returns n distinct TCP ports on 127.0.0.1 that were free a moment ago, none returned before. */
export function freePorts(n: number): number[] {
  const out = new Set<number>();
  for (let tries = 0; out.size < n && tries < 1000; tries++) {
    const p = LOW === null
      ? kernelPort()
      : BELOW_FROM + Math.floor(Math.random() * (LOW - BELOW_FROM));
    if (out.has(p) || handedOut.has(p)) continue;
    if (LOW === null || bindable(p)) out.add(p);
  }
  if (out.size < n) throw new Error(`no ${n} free loopback ports found`);
  for (const p of out) handedOut.add(p);
  return [...out];
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  return freePorts(1)[0];
}
