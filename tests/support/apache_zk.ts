// Starts and stops Apache ZooKeeper 3.8 (Debian) processes for interop tests.
import { fourLetter } from "./four_letter.ts";
import { ZK_CLASSPATH } from "./interop.ts";
import { waitFor } from "./wait.ts";

/** A running Apache ZooKeeper peer started by a test. */
export interface ApacheZk {
  dir: string;
  clientPort: number;
  child: Deno.ChildProcess;
  /** Kills the process (SIGKILL by default) and waits for it to exit. */
  stop(signal?: Deno.Signal): Promise<void>;
  /** The stderr log so far, for failure messages. */
  log(): string;
}

/** Options for one peer. `cfg` lines are appended to the generated zoo.cfg. */
export interface ApacheZkOptions {
  dir?: string;
  clientPort: number;
  myid?: number;
  cfg?: string[];
  /** Extra JVM -D properties. */
  jvmProps?: Record<string, string>;
  /** Wait until `srvr` answers (default true). */
  waitReady?: boolean;
}

/** Writes zoo.cfg (+ myid) into a dir and starts QuorumPeerMain on it. */
export async function startApacheZk(opts: ApacheZkOptions): Promise<ApacheZk> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "zkt-apache-zk-" });
  const dataDir = `${dir}/data`;
  await Deno.mkdir(dataDir, { recursive: true });
  if (opts.myid !== undefined) await Deno.writeTextFile(`${dataDir}/myid`, `${opts.myid}\n`);
  const cfg = [
    "tickTime=2000",
    "initLimit=10",
    "syncLimit=5",
    `dataDir=${dataDir}`,
    `clientPort=${opts.clientPort}`,
    "clientPortAddress=127.0.0.1",
    "admin.enableServer=false",
    "4lw.commands.whitelist=*",
    ...(opts.cfg ?? []),
  ].join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/zoo.cfg`, cfg);
  const props = Object.entries({
    "zookeeper.admin.enableServer": "false",
    ...(opts.jvmProps ?? {}),
  }).map(([k, v]) => `-D${k}=${v}`);
  const child = new Deno.Command("java", {
    args: [
      "-Xmx256m",
      ...props,
      "-cp",
      ZK_CLASSPATH,
      "org.apache.zookeeper.server.quorum.QuorumPeerMain",
      `${dir}/zoo.cfg`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let logText = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stderr) logText += dec.decode(chunk, { stream: true });
  })().catch(() => {});
  let stopped = false;
  const zk: ApacheZk = {
    dir,
    clientPort: opts.clientPort,
    child,
    log: () => logText,
    async stop(signal: Deno.Signal = "SIGKILL") {
      if (stopped) return;
      stopped = true;
      try {
        child.kill(signal);
      } catch { /* already exited */ }
      await child.status;
      await pump;
    },
  };
  if (opts.waitReady ?? true) {
    try {
      await waitFor(
        `Apache ZooKeeper on port ${opts.clientPort} to answer srvr`,
        async () => (await fourLetter(opts.clientPort, "srvr")).includes("Mode:"),
        60_000,
        100,
      );
    } catch (e) {
      await zk.stop();
      throw new Error(`${(e as Error).message}\n--- ZooKeeper log ---\n${logText.slice(-4000)}`);
    }
  }
  return zk;
}
