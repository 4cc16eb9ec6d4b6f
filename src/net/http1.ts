// The little of HTTP/1.1 the AdminServer and /metrics need, as pure functions:
// find the end of a request head in a bounded buffer, parse it, decide
// keep-alive, and format a response head. Bodies are not read: a request that
// carries one is answered and its connection closed.

/** Jetty's default request header size: a longer head gets 431. */
export const MAX_HEAD_BYTES = 8192;

/** A parsed request line and headers (names lower-cased). */
export interface RequestHead {
  method: string;
  target: string;
  /** "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  headers: Map<string, string>;
}

/** A request the server answers with `status` and then closes. */
export class HttpHeadError extends Error {
  override name = "HttpHeadError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const latin1 = new TextDecoder("latin1");
const enc = new TextEncoder();

/**
 * Where the head ends in buf[0, len): the index just past its blank line, or
 * -1 while it is incomplete. Bare LF line ends are accepted, as most servers do.
 */
export function headEnd(buf: Uint8Array, len: number, from = 0): number {
  for (let i = Math.max(from, 1); i < len; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i - 1] === 0x0a) return i + 1;
    if (buf[i - 1] === 0x0d && i >= 3 && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d) return i + 1;
  }
  return -1;
}

/** Parses a complete head (the bytes up to and including its blank line). */
export function parseRequestHead(bytes: Uint8Array): RequestHead {
  const lines = latin1.decode(bytes).split(/\r?\n/);
  // RFC 9112 2.2: ignore empty lines before the request line.
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const parts = (lines.shift() ?? "").split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1] === "") {
    throw new HttpHeadError(400, "malformed request line");
  }
  const [method, target, version] = parts;
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new HttpHeadError(400, `unsupported HTTP version '${version}'`);
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) throw new HttpHeadError(400, "malformed header line");
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(key);
    headers.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }
  return { method, target, version, headers };
}

function hasToken(v: string | undefined, token: string): boolean {
  return v !== undefined && v.toLowerCase().split(",").some((t) => t.trim() === token);
}

/** True when the connection may carry another request after this one. */
export function keepAlive(h: RequestHead): boolean {
  const c = h.headers.get("connection");
  return h.version === "HTTP/1.1" ? !hasToken(c, "close") : hasToken(c, "keep-alive");
}

/** True when the request carries a body (which this server does not read). */
export function hasBody(h: RequestHead): boolean {
  if (h.headers.has("transfer-encoding")) return true;
  const cl = h.headers.get("content-length");
  if (cl === undefined) return false;
  if (!/^\d+$/.test(cl)) throw new HttpHeadError(400, "bad content-length");
  return Number(cl) > 0;
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

/** Formats a response's status line and headers, ending with the blank line. */
export function formatResponseHead(status: number, headers: [string, string][]): Uint8Array {
  let s = `HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return enc.encode(s + "\r\n");
}
