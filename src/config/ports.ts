// Listener clashes: two listeners on one host:port cannot both bind. zkt checks
// this up front; ZooKeeper only fails later, at bind time.
import { ConfigKeyError } from "./errors.ts";
import { formatHostPort } from "./server_spec.ts";
import type { QuorumServer } from "./types.ts";

/** True for the any-address ("0.0.0.0", "::"). */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "0:0:0:0:0:0:0:0";
}

/** Same host, counting "localhost" as 127.0.0.1 (no DNS). */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === "localhost" ? "127.0.0.1" : h);
  return norm(a) === norm(b);
}

/** One listener a config asks for. */
export interface Endpoint {
  /** The key that configures it, for the error message. */
  key: string;
  sid: number;
  what: string;
  host: string;
  port: number;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1" ||
    host === "0:0:0:0:0:0:0:1";
}

/**
 * Refuses two listeners on one host:port (zkt's check; ZooKeeper fails later, at
 * bind). A wildcard address clashes with its own server's listeners, and with
 * other servers' only when all of them sit on loopback (so on this one machine).
 */
export function checkPortReuse(endpoints: Endpoint[], servers: Iterable<QuorumServer>): void {
  const local = new Set<number>();
  for (const qs of servers) {
    if ([...qs.addrs, ...qs.electionAddrs].every((a) => isLoopback(a.host))) local.add(qs.id);
  }
  const sameMachine = (x: number, y: number) => x === y || (local.has(x) && local.has(y));
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = endpoints[j], b = endpoints[i];
      if (a.port !== b.port) continue;
      const wildcard = isWildcard(a.host) || isWildcard(b.host);
      const clash = wildcard ? sameMachine(a.sid, b.sid) : sameHost(a.host, b.host);
      if (!clash) continue;
      const owner = a.sid === b.sid ? "" : ` of server.${a.sid}`;
      throw new ConfigKeyError(
        b.key,
        `${b.what} ${formatHostPort(b)} reuses the ${a.what} port${owner} (${formatHostPort(a)})`,
      );
    }
  }
}

/** The listeners of one server line. */
export function serverEndpoints(qs: QuorumServer): Endpoint[] {
  const key = `server.${qs.id}`;
  const out: Endpoint[] = [];
  for (const a of qs.addrs) out.push({ key, sid: qs.id, what: "quorum address", ...a });
  for (const a of qs.electionAddrs) {
    out.push({ key, sid: qs.id, what: "election address", ...a });
  }
  if (qs.clientAddr) out.push({ key, sid: qs.id, what: "client address", ...qs.clientAddr });
  return out;
}
