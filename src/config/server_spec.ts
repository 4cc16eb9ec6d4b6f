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

function byHost(a: HostPort, b: HostPort): number {
  return a.host < b.host ? -1 : a.host > b.host ? 1 : 0;
}

/**
 * The server line value exactly as ZooKeeper 3.8's QuorumServer.toString prints it:
 * addresses sorted by host, the role always spelled out, the client address last.
 */
export function formatServerSpec(qs: QuorumServer): string {
  const addrs = [...qs.addrs].sort(byHost);
  const elections = [...qs.electionAddrs].sort(byHost);
  let s = addrs.map((a, i) => `${delimitedHost(a.host)}:${a.port}:${elections[i].port}`).join(
    "|",
  );
  s += `:${qs.type}`;
  if (qs.clientAddr) s += `;${formatHostPort(qs.clientAddr)}`;
  return s;
}
