// Runs a ZkServer in this process on an ephemeral loopback port (fast tests of
// the client protocol; tests/integration starts real `zkt serve` processes).
import { parseConfig } from "../../src/config/load.ts";
import { Database } from "../../src/server/database.ts";
import type { ZkServerOptions } from "../../src/server/server_options.ts";
import { ZkServer } from "../../src/server/zk_server.ts";

/** A running in-process server and its data dir. */
export interface InProc {
  server: ZkServer;
  port: number;
  dir: string;
  /** Stops the server (the data dir stays for a restart). */
  stop(): Promise<void>;
}

/** Starts a server with zoo.cfg `lines` (tickTime=100 unless given) in a fresh or given dir. */
export async function startInProc(
  lines: string[] = [],
  opts: Partial<ZkServerOptions> & { dir?: string } = {},
): Promise<InProc> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "zkt-inproc-" });
  const text = [
    "tickTime=100",
    `dataDir=${dir}`,
    "clientPort=2181", // the listener binds port 0 below
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    ...lines,
  ].join("\n");
  const cfg = parseConfig(text, {
    readFile: (p) => {
      throw new Deno.errors.NotFound(p);
    },
  });
  const db = await Database.open(cfg);
  const server = new ZkServer({ config: cfg, db, ...opts });
  const addr = server.start("127.0.0.1", 0);
  return { server, port: addr.port, dir, stop: () => server.stop() };
}
