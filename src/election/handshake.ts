// The election port's initial message: the connecting peer sends a protocol
// version (-65536 v1: one address; -65535 v2: `|`-separated addresses), its sid,
// then its election address(es) as a length-prefixed string. A first long >= 0
// is the legacy form: that long is the sid and nothing follows.
import type { HostPort } from "../config/types.ts";
import { DecodeError } from "../jute/errors.ts";

/** Protocol version 1: a single election address. */
export const PROTOCOL_VERSION_V1 = -65536n;
/** Protocol version 2 (multiAddress.enabled): several addresses. */
export const PROTOCOL_VERSION_V2 = -65535n;
/** ZooKeeper's limit on the address string of the initial message. */
export const MAX_INITIAL_ADDR_BYTES = 2048;
/** QuorumPeer.OBSERVER_ID (Long.MAX_VALUE): a sid the receiver replaces by a fresh negative id. */
export const OBSERVER_ID = (1n << 63n) - 1n;

const utf8 = new TextEncoder();
const utf8Dec = new TextDecoder();

/** Formats an address as NetUtils.formatInetAddr does (IPv6 in brackets). */
export function formatElectionAddr(a: HostPort): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The bytes a connecting peer sends first. */
export function encodeInitialMessage(
  sid: bigint,
  addrs: HostPort[],
  version: bigint = PROTOCOL_VERSION_V1,
): Uint8Array {
  const list = version === PROTOCOL_VERSION_V2 ? addrs : addrs.slice(0, 1);
  const text = utf8.encode(list.map(formatElectionAddr).join("|"));
  const out = new Uint8Array(20 + text.length);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, version);
  v.setBigInt64(8, BigInt.asIntN(64, sid));
  v.setInt32(16, text.length);
  out.set(text, 20);
  return out;
}

/** Is a host the wildcard address (the receiver drops those, as 3.8 does)? */
function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || /^\[?(0*:)+0*\]?$/.test(host);
}

/**
 * Parses the address string of an initial message ("host:port|[v6]:port").
 * Wildcard hosts are dropped; anything malformed is a DecodeError.
 */
export function parseInitialAddrs(text: string): HostPort[] {
  const out: HostPort[] = [];
  for (const part of text.split("|")) {
    let host: string;
    let port: string;
    if (part.startsWith("[")) {
      const close = part.indexOf("]");
      if (close < 0 || part[close + 1] !== ":") {
        throw new DecodeError(0, `badly formed address: ${part}`);
      }
      host = part.slice(1, close);
      port = part.slice(close + 2);
      if (port.includes(":")) throw new DecodeError(0, `badly formed address: ${part}`);
    } else {
      const bits = part.split(":");
      if (bits.length !== 2) throw new DecodeError(0, `badly formed address: ${part}`);
      [host, port] = bits;
    }
    if (!/^[+-]?\d{1,10}$/.test(port) || Math.abs(Number(port)) > 0x7fffffff) {
      throw new DecodeError(0, `bad port number: ${port}`);
    }
    const p = Number(port);
    if (p < 0 || p > 65535) throw new DecodeError(0, `port out of range: ${port}`);
    if (!isWildcard(host)) out.push({ host, port: p });
  }
  return out;
}

/** Checks the address-string length of a v1/v2 initial message. */
export function checkInitialLength(len: number): void {
  if (len <= 0 || len > MAX_INITIAL_ADDR_BYTES) {
    throw new DecodeError(16, `unreasonable buffer length: ${len}`);
  }
}

/** Decodes the address bytes of an initial message. */
export function decodeInitialAddrs(bytes: Uint8Array): HostPort[] {
  return parseInitialAddrs(utf8Dec.decode(bytes));
}
