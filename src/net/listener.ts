// A TCP port's listener: each connection runs its own handler; a failing
// handler ends only its connection, and the listener keeps serving (accept
// failures back off, see accept_loop.ts).
import { logger } from "../log/logger.ts";
import { acceptLoop } from "./accept_loop.ts";
import { formatAddr } from "./framed_conn.ts";

const log = logger("Listener");

/** A running TCP listener. */
export interface TcpServer {
  addr: Deno.NetAddr;
  /** Stops accepting; existing connections are left to their handlers. */
  close(): void;
  /** Resolves when the accept loop has ended. */
  done: Promise<void>;
}

/** Listens on hostname:port and calls handle() for every accepted connection. */
export function serveTcp(
  opts: { hostname: string; port: number; name: string },
  handle: (conn: Deno.Conn) => Promise<void>,
): TcpServer {
  const listener = Deno.listen({ hostname: opts.hostname, port: opts.port, transport: "tcp" });
  let closing = false;
  const done = acceptLoop(listener, { name: opts.name, log, closing: () => closing }, (conn) => {
    try {
      conn.setNoDelay(true);
    } catch { /* not fatal */ }
    handle(conn).catch((e) => {
      let who = "?";
      try {
        who = formatAddr(conn.remoteAddr);
      } catch { /* closed */ }
      log.warn(`${opts.name}: connection from ${who} ended: ${(e as Error).message}`);
      try {
        conn.close();
      } catch { /* already closed */ }
    });
  });
  return {
    addr: listener.addr as Deno.NetAddr,
    close() {
      closing = true;
      try {
        listener.close();
      } catch { /* already closed */ }
    },
    done,
  };
}
