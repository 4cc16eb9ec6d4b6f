// A small HTTP/1.1 listener for the AdminServer and the /metrics endpoint, on
// our own accept loop rather than Deno.serve: a failing accept (descriptors
// exhausted) backs off and never ends the process, and each connection is
// bounded the way Jetty bounds its AdminServer: a head of at most 8 KiB, a
// deadline for reading it, an idle deadline between requests and for a stalled
// response write (admin.idleTimeout, 30 s), and a cap on open connections (at
// the cap the connection that has waited longest for its client is closed).
// GET/HEAD only; a handler that throws gives a 500 and the listener keeps serving.
import { logger } from "../../log/logger.ts";
import { acceptLoop } from "../../net/accept_loop.ts";
import {
  formatResponseHead,
  hasBody,
  headEnd,
  HttpHeadError,
  keepAlive,
  MAX_HEAD_BYTES,
  parseRequestHead,
  type RequestHead,
} from "../../net/http1.ts";

const log = logger("HttpServer");

/** A running HTTP listener. */
export interface HttpServer {
  addr: Deno.NetAddr;
  /** Open connections (for tests and bounds). */
  connections(): number;
  /** Stops accepting and closes every connection; resolves when done. */
  stop(): Promise<void>;
}

/** Per-connection bounds. */
export interface HttpLimits {
  /** No byte from the client for this long (before a request, or while a response is stuck): close. */
  idleTimeoutMs: number;
  /** A request head not complete this long after its first byte: close. */
  headerTimeoutMs: number;
  /** Open connections at most. */
  maxConnections: number;
  /** Largest request head; a longer one gets 431. */
  maxHeadBytes: number;
}

/** Jetty's AdminServer defaults (idle 30 s, 8 KiB head); zkt adds the header deadline and the cap. */
export const HTTP_DEFAULT_LIMITS: HttpLimits = {
  idleTimeoutMs: 30_000,
  headerTimeoutMs: 30_000,
  maxConnections: 100,
  maxHeadBytes: MAX_HEAD_BYTES,
};

/** Why a listener could not start (address in use, no permission, bad address). */
export class HttpBindError extends Error {}

type Handler = (url: URL) => Response | Promise<Response>;

const enc = new TextEncoder();

/** One accepted connection: reads heads, answers them, enforces the deadlines. */
class HttpConn {
  /** When the connection started waiting for its client (null while we are busy answering). */
  waitingSince: number | null = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    readonly conn: Deno.Conn,
    private readonly limits: HttpLimits,
    private readonly name: string,
    private readonly handle: Handler,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    try {
      this.conn.close();
    } catch { /* closed */ }
  }

  /** (Re)arms the one deadline this connection has; null disarms it. */
  private deadline(ms: number | null, what: string): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms === null) return;
    this.timer = setTimeout(() => {
      log.debug(`${this.name}: closing ${this.who()}: ${what} after ${ms} ms`);
      this.close();
    }, ms);
  }

  private who(): string {
    try {
      const a = this.conn.remoteAddr as Deno.NetAddr;
      return `${a.hostname}:${a.port}`;
    } catch {
      return "?";
    }
  }

  async run(): Promise<void> {
    const buf = new Uint8Array(this.limits.maxHeadBytes);
    let filled = 0;
    try {
      while (!this.closed) {
        // Wait for a whole head: idle deadline until its first byte, then the header deadline.
        this.waitingSince = Date.now();
        let end = headEnd(buf, filled);
        if (filled === 0) this.deadline(this.limits.idleTimeoutMs, "idle");
        else this.deadline(this.limits.headerTimeoutMs, "request head not complete");
        while (end < 0) {
          if (filled === buf.length) {
            await this.respondError(new HttpHeadError(431, "request head too large"));
            return;
          }
          const n = await this.conn.read(buf.subarray(filled));
          if (n === null) return;
          if (filled === 0) {
            this.deadline(this.limits.headerTimeoutMs, "request head not complete");
          }
          const from = Math.max(0, filled - 3);
          filled += n;
          end = headEnd(buf, filled, from);
        }
        this.waitingSince = null;
        this.deadline(null, "");
        let head: RequestHead;
        let body: boolean;
        try {
          head = parseRequestHead(buf.subarray(0, end));
          body = hasBody(head);
        } catch (e) {
          if (!(e instanceof HttpHeadError)) throw e;
          await this.respondError(e);
          return;
        }
        // Pipelined bytes after the head start the next one.
        buf.copyWithin(0, end, filled);
        filled -= end;
        const again = keepAlive(head) && !body;
        await this.answer(head, again);
        if (!again) return;
      }
    } catch (e) {
      if (!this.closed) log.debug(`${this.name}: ${this.who()}: ${(e as Error).message}`);
    } finally {
      this.close();
    }
  }

  private async answer(head: RequestHead, again: boolean): Promise<void> {
    let res: Response;
    if (head.method !== "GET" && head.method !== "HEAD") {
      res = new Response(`HTTP method ${head.method} is not supported by this URL\n`, {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    } else {
      let url: URL | null = null;
      try {
        url = new URL(head.target, `http://${head.headers.get("host") || "localhost"}`);
      } catch { /* answered below */ }
      if (url === null) {
        res = new Response("Bad Request: malformed URL\n", { status: 400 });
      } else {
        try {
          res = await this.handle(url);
        } catch (e) {
          log.warn(`${this.name}: request failed: ${(e as Error).message}`);
          res = new Response("Internal Server Error\n", { status: 500 });
        }
      }
    }
    const body = new Uint8Array(await res.arrayBuffer());
    await this.send(
      res.status,
      res.headers,
      head.method === "HEAD" ? null : body,
      body.length,
      again,
    );
  }

  private async respondError(e: HttpHeadError): Promise<void> {
    log.debug(`${this.name}: ${this.who()}: ${e.message}`);
    const body = enc.encode(`${e.message}\n`);
    await this.send(
      e.status,
      new Headers({ "content-type": "text/plain" }),
      body,
      body.length,
      false,
    );
  }

  /** Writes a response; a client that stops reading is cut off at the idle deadline. */
  private async send(
    status: number,
    headers: Headers,
    body: Uint8Array | null,
    length: number,
    again: boolean,
  ): Promise<void> {
    const fields: [string, string][] = [];
    for (const [k, v] of headers) {
      if (k !== "content-length" && k !== "connection" && k !== "transfer-encoding") {
        fields.push([k, v]);
      }
    }
    fields.push(["date", new Date().toUTCString()], ["content-length", String(length)]);
    if (!again) fields.push(["connection", "close"]);
    const headBytes = formatResponseHead(status, fields);
    const out = body === null || body.length === 0 ? headBytes : concat(headBytes, body);
    this.deadline(this.limits.idleTimeoutMs, "response not read");
    let off = 0;
    while (off < out.length) off += await this.conn.write(out.subarray(off));
    this.deadline(null, "");
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Serves GET/HEAD requests with `handle`; other methods get 405. */
export function startHttp(
  opts: {
    hostname: string;
    port: number;
    name: string;
    portKey: string;
    limits?: Partial<HttpLimits>;
  },
  handle: Handler,
): HttpServer {
  const limits = { ...HTTP_DEFAULT_LIMITS, ...opts.limits };
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: opts.hostname, port: opts.port, transport: "tcp" });
  } catch (e) {
    const why = e instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : (e as Error).message;
    throw new HttpBindError(
      `${opts.name}: cannot listen on ${opts.hostname}:${opts.port}: ${why} ` +
        `(set ${opts.portKey} to a free port)`,
    );
  }
  const open = new Set<HttpConn>();
  let closing = false;
  const done = acceptLoop(listener, { name: opts.name, log, closing: () => closing }, (conn) => {
    try {
      conn.setNoDelay(true);
    } catch { /* not fatal */ }
    if (open.size >= limits.maxConnections && !evictOldestWaiting(open)) {
      // Every connection is busy being answered: refuse this one.
      try {
        conn.close();
      } catch { /* closed */ }
      return;
    }
    const c = new HttpConn(conn, limits, opts.name, handle);
    open.add(c);
    c.run().finally(() => open.delete(c));
  });
  return {
    addr: listener.addr as Deno.NetAddr,
    connections: () => open.size,
    async stop() {
      closing = true;
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of open) c.close();
      await done;
    },
  };
}

/** Closes the connection that has waited longest for its client; false when none waits. */
function evictOldestWaiting(open: Set<HttpConn>): boolean {
  let oldest: HttpConn | null = null;
  for (const c of open) {
    if (c.waitingSince !== null && (oldest === null || c.waitingSince < oldest.waitingSince!)) {
      oldest = c;
    }
  }
  if (oldest === null) return false;
  oldest.close();
  open.delete(oldest);
  return true;
}
