// Starts `zkt serve` as a real process on a free loopback port for tests.
import { fourLetter } from "./four_letter.ts";
import { freePort } from "./ports.ts";
import { waitFor } from "./wait.ts";

/** A running `zkt serve` process. */
export interface ZktServer {
  port: number;
  dir: string;
  child: Deno.ChildProcess;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** stderr so far. */
  log(): string;
}

/** Writes a zoo.cfg (plus `cfg` lines) into a temp dir and starts `zkt serve` on it. */
export async function startZkt(
  opts: {
    cfg?: string[];
    dir?: string;
    port?: number;
    env?: Record<string, string>;
    /** Runs the server under `ulimit -n` this low (descriptor exhaustion tests). */
    maxFiles?: number;
    /** A command that execs its arguments (e.g. a mount namespace), run in front of deno. */
    launcher?: string[];
  } = {},
): Promise<ZktServer> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "zkt-serve-" });
  const port = opts.port ?? freePort();
  const cfg = [
    "tickTime=200",
    `dataDir=${dir}/data`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    "admin.enableServer=false", // tests that want it turn it on with a free port
    ...(opts.cfg ?? []),
  ].join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/zoo.cfg`, cfg);
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const args = ["run", "--allow-all", "--quiet", main, "serve", "--config", `${dir}/zoo.cfg`];
  // bash execs deno, so child.pid is the server's own pid.
  const argv = opts.maxFiles === undefined
    ? [Deno.execPath(), ...args]
    : ["bash", "-c", `ulimit -n ${opts.maxFiles} && exec "$0" "$@"`, Deno.execPath(), ...args];
  if (opts.launcher) argv.unshift(...opts.launcher);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: opts.env,
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const c of child.stderr) text += dec.decode(c, { stream: true });
  })().catch(() => {});
  let exited: number | null = null;
  child.status.then((s) => exited = s.code);
  const server: ZktServer = {
    port,
    dir,
    child,
    log: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (exited === null) {
        try {
          child.kill(signal);
        } catch { /* gone */ }
      }
      const s = await child.status;
      await pump;
      return s.code;
    },
  };
  try {
    await waitFor(
      `zkt serve on port ${port}`,
      async () => {
        if (exited !== null) return true; // reported below, without waiting out the deadline
        return (await fourLetter(port, "ruok", "127.0.0.1", 2000)) === "imok";
      },
      30_000,
      50,
    );
    if (exited !== null) throw new Error(`zkt serve exited with ${exited}`);
  } catch (e) {
    await server.stop("SIGKILL");
    throw new Error(`${(e as Error).message}\n--- zkt log ---\n${text.slice(-3000)}`);
  }
  return server;
}
