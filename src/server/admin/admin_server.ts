// ZooKeeper's AdminServer (JettyAdminServer) on admin.serverAddress:
// admin.serverPort: GET /commands lists the commands, GET /commands/<name>
// runs one and answers with Jackson-shaped JSON. Unknown commands get 404 with
// 3.8's error body (3.8.0 itself answers them with 200; later releases use 404).
import { logger } from "../../log/logger.ts";
import { listSnapshots } from "../../persistence/datadir.ts";
import type { FourLetterView } from "../four_letter.ts";
import { type AdminSources, primaryNames, runCommand } from "./commands.ts";
import { type HttpLimits, type HttpServer, startHttp } from "./http_server.ts";
import { toJacksonJson } from "./json.ts";
import type { QuorumView } from "./quorum_view.ts";

const log = logger("JettyAdminServer");

/** JettyAdminServer's defaults. */
export const ADMIN_DEFAULT_PORT = 8080;
export const COMMAND_URL = "/commands";

/** Where the AdminServer listens and what it reads. */
export interface AdminServerOptions {
  hostname: string;
  port: number;
  view: () => FourLetterView;
  quorum?: () => QuorumView | null;
  /** The snapshot dir (for last_snapshot). */
  snapDir?: string;
  /** zoo.cfg text (for initial_configuration). */
  initialConfig?: string | null;
  /** Connection bounds (admin.idleTimeout and zkt's admin.* keys); Jetty's defaults otherwise. */
  limits?: Partial<HttpLimits>;
}

/** The /commands index: one link per primary name, as 3.8's servlet prints it. */
export function commandIndex(): string {
  return primaryNames().map((n) => `<a href="${COMMAND_URL}/${n}">${n}</a>\n<br/>\n`).join("");
}

/** Newest snapshot file of a dir: zxid from its name, mtime from the file. */
async function newestSnapshot(dir: string): Promise<{ zxid: bigint; mtimeMs: number } | null> {
  for (const f of await listSnapshots(dir)) {
    try {
      const st = await Deno.stat(f.path);
      return { zxid: f.zxid, mtimeMs: st.mtime?.getTime() ?? 0 };
    } catch { /* purged meanwhile: try the next */ }
  }
  return null;
}

function memoryMb(): { free: number; max: number; total: number } {
  const mb = (n: number) => Math.floor(n / (1024 * 1024));
  const m = Deno.memoryUsage();
  let max = m.heapTotal;
  try {
    max = Deno.systemMemoryInfo().total;
  } catch { /* keep the heap size */ }
  return { free: mb(m.heapTotal - m.heapUsed), max: mb(max), total: mb(m.heapTotal) };
}

/** Answers one AdminServer request (exported for tests without sockets). */
export async function handleAdminRequest(url: URL, src: AdminSources): Promise<Response> {
  const path = url.pathname;
  if (path === COMMAND_URL || path === COMMAND_URL + "/") {
    return new Response(commandIndex(), {
      headers: { "content-type": "text/html;charset=utf-8" },
    });
  }
  if (!path.startsWith(COMMAND_URL + "/")) {
    return new Response("Not Found\n", { status: 404, headers: { "content-type": "text/plain" } });
  }
  let name: string;
  try {
    name = decodeURIComponent(path.slice(COMMAND_URL.length + 1));
  } catch {
    return new Response("Bad Request: malformed path\n", { status: 400 });
  }
  const { known, response } = await runCommand(name, src, url.searchParams);
  return new Response(toJacksonJson(response.toMap()), {
    status: known ? 200 : 404,
    headers: { "content-type": "application/json" },
  });
}

/** Starts the AdminServer; throws HttpBindError when the port cannot be bound. */
export function startAdminServer(opts: AdminServerOptions): HttpServer {
  const src: AdminSources = {
    view: opts.view,
    quorum: opts.quorum,
    lastSnapshot: opts.snapDir ? () => newestSnapshot(opts.snapDir!) : undefined,
    initialConfig: opts.initialConfig,
    memoryMb,
  };
  const server = startHttp(
    {
      hostname: opts.hostname,
      port: opts.port,
      name: "AdminServer",
      portKey: "admin.serverPort",
      limits: opts.limits,
    },
    (url) => handleAdminRequest(url, src),
  );
  log.info(
    `Started AdminServer on address ${opts.hostname}, port ${server.addr.port} and command URL ${COMMAND_URL}`,
  );
  return server;
}
