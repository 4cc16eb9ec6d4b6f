// `server.N=host:quorumPort:electionPort[:type][;[clientHost:]clientPort]` with `|`
// between several addresses: parse and print as ZooKeeper 3.8's QuorumServer does.
import { ConfigKeyError, show } from "./errors.ts";
import { javaParseInt } from "./java.ts";
import type { HostPort, LearnerType, QuorumServer } from "./types.ts";

/** String.split as Java does it: trailing empty strings are dropped. */
export function javaSplit(s: string, sep: string): string[] {
  if (s === "") return [""];
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Splits "host:port[:...]" with IPv6 literals in brackets, as ConfigUtils.getHostAndPort does. */
export function splitHostAndPort(key: string, s: string): string[] {
  if (!s.startsWith("[")) return javaSplit(s, ":");
  const close = s.indexOf("]");
  if (close < 0) {
    throw new ConfigKeyError(key, `${show(s)} starts with '[' but has no matching ']:'`);
  }
  if (close + 2 === s.length) {
    throw new ConfigKeyError(key, `${show(s)} has no port after the colon`);
  }
  if (close + 2 < s.length) return [s.slice(1, close), ...javaSplit(s.slice(close + 2), ":")];
  return [s.replace(/[[\]]/g, "")];
}

/** Parses a port as InetSocketAddress would accept it; zero is refused too (nothing can connect to it). */
export function parsePort(key: string, what: string, s: string): number {
  const port = javaParseInt(s);
  if (port === undefined) {
    const hint = s.trim() !== s ? " (stray whitespace)" : "";
    throw new ConfigKeyError(key, `${what} ${show(s)} is not a number${hint}`);
  }
  if (port < 1 || port > 65535) {
    throw new ConfigKeyError(key, `${what} ${port} is out of range (1-65535)`);
  }
  return port;
}

function parseType(key: string, s: string): LearnerType {
  const t = s.trim().toLowerCase();
  if (t === "observer" || t === "participant") return t;
  throw new ConfigKeyError(key, `unrecognised peer type ${show(s)} (participant or observer)`);
}

/** Options for parsing a server line. */
export interface ServerSpecOptions {
  /** `|`-separated addresses are refused unless multiAddress.enabled=true. */
  multiAddressEnabled: boolean;
}

/** Parses the value of `server.<sid>`; throws ConfigKeyError naming `server.<sid>`. */
export function parseServerSpec(
  sid: number,
  value: string,
  opts: ServerSpecOptions,
): QuorumServer {
  const key = `server.${sid}`;
  const wrongFormat = () =>
    new ConfigKeyError(
      key,
      `${show(value)} does not have the form host:port:port[:participant|observer]` +
        `[;[host:]clientPort] (several host:port:port parts joined by '|')`,
    );
  const serverClient = javaSplit(value, ";");
  if (serverClient.length === 0 || serverClient.length > 2) throw wrongFormat();
  const addresses = javaSplit(serverClient[0], "|");
  let clientAddr: HostPort | undefined;
  if (serverClient.length === 2) {
    const parts = splitHostAndPort(key, serverClient[1]);
    if (parts.length === 0 || parts.length > 2) throw wrongFormat();
    const host = parts.length === 2 ? parts[0] : "0.0.0.0";
    if (host === "") throw new ConfigKeyError(key, "client address has an empty host");
    clientAddr = { host, port: parsePort(key, "client port", parts[parts.length - 1]) };
  }
  if (!opts.multiAddressEnabled && addresses.length > 1) {
    throw new ConfigKeyError(
      key,
      "multiple addresses given but the multiple address feature is disabled " +
        "(set multiAddress.enabled=true)",
    );
  }
  const addrs: HostPort[] = [];
  const electionAddrs: HostPort[] = [];
  let type: LearnerType | undefined;
  for (const address of addresses) {
    const parts = splitHostAndPort(key, address);
    if (parts.length < 3 || parts.length > 4) throw wrongFormat();
    const host = parts[0];
    if (host === "") throw new ConfigKeyError(key, `${show(address)} has an empty host`);
    const quorumPort = parsePort(key, "quorum port", parts[1]);
    const electionPort = parsePort(key, "election port", parts[2]);
    if (quorumPort === electionPort) {
      throw new ConfigKeyError(
        key,
        `quorum port and election port must be different (both ${quorumPort})`,
      );
    }
    if (parts.length === 4) {
      const t = parseType(key, parts[3]);
      if (type !== undefined && t !== type) {
        throw new ConfigKeyError(
          key,
          `multiple addresses must have the same role: ${type} vs ${t}`,
        );
      }
      type = t;
    }
    for (const a of addrs) {
      if (a.host === host && a.port === quorumPort) {
        throw new ConfigKeyError(key, `address ${formatHostPort(a)} is listed twice`);
      }
    }
    addrs.push({ host, port: quorumPort });
    electionAddrs.push({ host, port: electionPort });
  }
  const qs: QuorumServer = { id: sid, addrs, electionAddrs, type: type ?? "participant" };
  if (clientAddr) qs.clientAddr = clientAddr;
  return qs;
}

/** "host:port", with IPv6 hosts in brackets. */
export function formatHostPort(a: HostPort): string {
  return `${delimitedHost(a.host)}:${a.port}`;
}

function delimitedHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Parses IPv6 text into 8 groups; undefined when it is not an IPv6 literal. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, p] of pieces.entries()) {
      const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(p);
      if (quad && i === pieces.length - 1) {
        const b = quad.slice(1).map(Number);
        if (b.some((x) => x > 255)) return undefined;
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  if (head.length + tail.length > 7) return undefined;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * The host as Java's InetSocketAddress.getHostString shows it: IPv6 literals in
 * Java's long form ("0:0:0:0:0:0:0:1"), IPv4-mapped ones as IPv4; names as written.
 */
export function javaHostString(host: string): string {
  if (!host.includes(":")) return host;
  const pct = host.indexOf("%");
  const addr = pct < 0 ? host : host.slice(0, pct);
  const zone = pct < 0 ? "" : host.slice(pct);
  const g = parseIpv6(addr);
  if (!g) return host;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  }
  return g.map((x) => x.toString(16)).join(":") + zone;
}

function javaHostPort(a: HostPort): HostPort {
  return { host: javaHostString(a.host), port: a.port };
}

function byHost(a: HostPort, b: HostPort): number {
  return a.host < b.host ? -1 : a.host > b.host ? 1 : 0;
}

/**
 * The server line value exactly as ZooKeeper 3.8's QuorumServer.toString prints it:
 * addresses sorted by host, the role always spelled out, the client address last.
 */
export function formatServerSpec(qs: QuorumServer): string {
  const addrs = qs.addrs.map(javaHostPort).sort(byHost);
  const elections = qs.electionAddrs.map(javaHostPort).sort(byHost);
  let s = addrs.map((a, i) => `${delimitedHost(a.host)}:${a.port}:${elections[i].port}`).join(
    "|",
  );
  s += `:${qs.type}`;
  if (qs.clientAddr) s += `;${formatHostPort(javaHostPort(qs.clientAddr))}`;
  return s;
}
