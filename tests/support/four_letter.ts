// Sends a ZooKeeper four-letter word and returns the whole reply.

/** Sends `cmd` (e.g. "srvr") to host:port and reads until the server closes. */
export async function fourLetter(
  port: number,
  cmd: string,
  hostname = "127.0.0.1",
  timeoutMs = 5000,
): Promise<string> {
  const conn = await Deno.connect({ hostname, port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(new TextEncoder().encode(cmd));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const total = chunks.reduce((a, c) => a + c.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    return new TextDecoder().decode(all);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed by the timer or the peer */ }
  }
}

/** Parses `srvr`/`stat` output's "Mode: x" line; undefined when absent. */
export function modeOf(srvr: string): string | undefined {
  return srvr.match(/^Mode: (\S+)/m)?.[1];
}
