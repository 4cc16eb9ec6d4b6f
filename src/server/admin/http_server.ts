// A small HTTP listener over Deno.serve for the AdminServer and the metrics
// endpoint: GET/HEAD only, a handler that throws gives a 500 and the listener
// keeps serving, and a bind failure is reported with what to change.
import { logger } from "../../log/logger.ts";

const log = logger("HttpServer");

/** A running HTTP listener. */
export interface HttpServer {
  addr: Deno.NetAddr;
  /** Stops accepting and closes idle connections; resolves when done. */
  stop(): Promise<void>;
}

/** Why a listener could not start (address in use, no permission, bad address). */
export class HttpBindError extends Error {}

/** Serves GET/HEAD requests with `handle`; other methods get 405. */
export function startHttp(
  opts: { hostname: string; port: number; name: string; portKey: string },
  handle: (url: URL, req: Request) => Response | Promise<Response>,
): HttpServer {
  const ac = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: opts.hostname,
      port: opts.port,
      signal: ac.signal,
      onListen: () => {},
      onError: (e) => {
        log.warn(`${opts.name}: request failed: ${(e as Error).message}`);
        return new Response("Internal Server Error\n", { status: 500 });
      },
    }, async (req) => {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response(`HTTP method ${req.method} is not supported by this URL\n`, {
          status: 405,
          headers: { allow: "GET, HEAD" },
        });
      }
      const res = await handle(new URL(req.url), req);
      return req.method === "HEAD" ? new Response(null, res) : res;
    });
  } catch (e) {
    const why = e instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : (e as Error).message;
    throw new HttpBindError(
      `${opts.name}: cannot listen on ${opts.hostname}:${opts.port}: ${why} ` +
        `(set ${opts.portKey} to a free port)`,
    );
  }
  return {
    addr: server.addr,
    async stop() {
      ac.abort();
      await server.finished;
    },
  };
}
