// The two servers every real-client test runs against: `zkt serve` and Apache
// ZooKeeper 3.8 standalone, each fresh, so one client session sees the same zxids,
// versions and sequence numbers on both and the outputs can be compared whole.
import { startApacheZk } from "../../support/apache_zk.ts";
import { freePort } from "../../support/ports.ts";
import { startZkt } from "../../support/zkt_server.ts";

/** A server a client talks to. */
export interface Target {
  name: "zkt" | "zookeeper";
  port: number;
  /** `127.0.0.1:port`. */
  hostPort: string;
  /** The server's log so far, for failure messages. */
  log(): string;
}

/** Both servers; `stop()` ends both. */
export interface Targets {
  zkt: Target;
  zookeeper: Target;
  both: [Target, Target];
  stop(): Promise<void>;
}

/** Starts a fresh zkt and a fresh Apache ZooKeeper side by side. */
export async function startTargets(): Promise<Targets> {
  const [zktRun, zkRun] = await Promise.allSettled([
    startZkt(),
    startApacheZk({ clientPort: freePort() }),
  ]);
  if (zktRun.status === "rejected" || zkRun.status === "rejected") {
    if (zktRun.status === "fulfilled") await zktRun.value.stop();
    if (zkRun.status === "fulfilled") await zkRun.value.stop();
    throw zktRun.status === "rejected" ? zktRun.reason : (zkRun as PromiseRejectedResult).reason;
  }
  const s = zktRun.value;
  const z = zkRun.value;
  const zkt: Target = {
    name: "zkt",
    port: s.port,
    hostPort: `127.0.0.1:${s.port}`,
    log: s.log,
  };
  const zookeeper: Target = {
    name: "zookeeper",
    port: z.clientPort,
    hostPort: `127.0.0.1:${z.clientPort}`,
    log: z.log,
  };
  return {
    zkt,
    zookeeper,
    both: [zkt, zookeeper],
    async stop() {
      await Promise.all([s.stop(), z.stop()]);
    },
  };
}

/** Output of a client process. */
export interface ProcOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client program to its end, with `input` on stdin. */
export async function runClient(
  cmd: string,
  args: string[],
  input = "",
  env?: Record<string, string>,
): Promise<ProcOutput> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(input));
  await w.close();
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/** Runs the same step on both servers at once and returns [zkt's, ZooKeeper's]. */
export async function onBoth<T>(
  targets: Targets,
  step: (t: Target) => Promise<T>,
): Promise<[T, T]> {
  const [a, b] = await Promise.all([step(targets.zkt), step(targets.zookeeper)]);
  return [a, b];
}
