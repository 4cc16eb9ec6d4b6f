// Client side of ZooKeeper's four-letter words: send 4 bytes, read to EOF.
import { RuntimeError } from "../errors.ts";

const dec = new TextDecoder();

/** The peer answered that the word is not in its 4lw.commands.whitelist. */
export class FourLetterRefused extends RuntimeError {
  override name = "FourLetterRefused";
  constructor(readonly where: string, readonly cmd: string) {
    super(
      `${where} refused '${cmd}': it is not in the peer's 4lw.commands.whitelist ` +
        `(add ${cmd} to 4lw.commands.whitelist in its zoo.cfg, or use the AdminServer with --admin)`,
    );
  }
}

/** Splits "host:port" (IPv6 in brackets); throws on a bad form. */
export function parseHostPort(s: string, defaultPort?: number): { hostname: string; port: number } {
  const m = s.match(/^\[([^\]]+)\](?::(\d+))?$/) ?? s.match(/^([^:]+)(?::(\d+))?$/);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RuntimeError(`bad address '${s}': expected HOST:PORT`);
  }
  return { hostname: m[1], port };
}

/** Sends a four-letter word and returns the reply; RuntimeError when unreachable or silent, FourLetterRefused when not whitelisted. */
export async function sendFourLetter(
  hostname: string,
  port: number,
  cmd: string,
  timeoutMs = 5000,
): Promise<string> {
  let conn: Deno.Conn;
  const where = `${hostname}:${port}`;
  try {
    conn = await Promise.race([
      Deno.connect({ hostname, port }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      ),
    ]);
  } catch (e) {
    throw new RuntimeError(
      `cannot connect to ${where}: ${
        (e as Error).message
      } (is the peer running, and is that its client port?)`,
    );
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* closed */ }
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  try {
    await conn.write(new TextEncoder().encode(cmd));
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } catch (e) {
    throw new RuntimeError(`${where}: ${cmd} failed: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  if (timedOut) {
    throw new RuntimeError(`${where}: no complete '${cmd}' reply within ${timeoutMs} ms`);
  }
  const text = chunks.map((c) => dec.decode(c, { stream: true })).join("") + dec.decode();
  if (/is not executed because it is not in the whitelist/.test(text)) {
    throw new FourLetterRefused(where, cmd);
  }
  return text;
}
