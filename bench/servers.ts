// Starts the two servers under test with the same zoo.cfg settings, each on its
// own data dir on loopback, and tracks every process it started so they can be
// killed by PID on exit, error or Ctrl-C.
import { sendFourLetter } from "../src/net/four_letter_client.ts";
import { cpuTicksFromStat } from "./stats.ts";
import { shellQuote, zktServeArgv } from "../tests/support/ensemble.ts";

/** Which server a process is. */
export type Kind = "zkt" | "zk";

/** A server process started by the benchmark. */
export interface Server {
  kind: Kind;
  port: number;
  /** Directory holding zoo.cfg, data/ and server.log. */
  dir: string;
  pid: number;
  child: Deno.ChildProcess;
  /** Milliseconds from spawn until `srvr` answered with a Mode line. */
  startupMs: number;
}

/** How to launch zkt. */
export interface LaunchOptions {
  /** Run dist/zkt.js instead of main.ts. */
  bundle: boolean;
  /** Project root (holds main.ts and dist/). */
  root: string;
  /** JVM heap flag for ZooKeeper, as zkEnv.sh's default ZK_SERVER_HEAP=1000. */
  jvmHeap: string;
}

const ZK_CLASSPATH = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
const live = new Set<Server>();

/** The zoo.cfg both servers get: ZooKeeper defaults except loopback, no admin server, no cnxn cap. */
export function zooCfg(dataDir: string, port: number): string {
  return [
    "tickTime=2000",
    "initLimit=10",
    "syncLimit=5",
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    // Fan-out opens more than the default 60 connections from one address.
    "maxClientCnxns=0",
    "admin.enableServer=false",
    "4lw.commands.whitelist=srvr,ruok,stat,mntr",
    // forceSync and snapCount stay at their defaults (yes, 100000) on both.
  ].join("\n") + "\n";
}

/** The argv that starts `kind` on a config file (exec'd by sh so the PID is the server's). */
export function serverArgv(kind: Kind, cfgPath: string, opts: LaunchOptions): string[] {
  if (kind === "zk") {
    return [
      "java",
      opts.jvmHeap,
      "-Dzookeeper.admin.enableServer=false",
      "-cp",
      ZK_CLASSPATH,
      "org.apache.zookeeper.server.quorum.QuorumPeerMain",
      cfgPath,
    ];
  }
  return zktServeArgv(opts.bundle ? `${opts.root}/dist/zkt.js` : `${opts.root}/main.ts`, cfgPath);
}

/** Spawns `kind` on a config file, stdin/stdout closed and stderr appended to `logPath`. */
export function spawnServer(
  kind: Kind,
  cfgPath: string,
  logPath: string,
  opts: LaunchOptions,
): Deno.ChildProcess {
  const argv = serverArgv(kind, cfgPath, opts).map(shellQuote).join(" ");
  // Logs go to a file: draining a pipe would cost the load generator CPU.
  return new Deno.Command("sh", {
    args: ["-c", `exec ${argv} </dev/null >/dev/null 2>>${shellQuote(logPath)}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Starts a server on `dir` (creating zoo.cfg and data/ when missing) and waits for `srvr`. */
export async function startServer(
  kind: Kind,
  dir: string,
  port: number,
  opts: LaunchOptions,
  readyTimeoutMs = 120_000,
): Promise<Server> {
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  const cfgPath = `${dir}/zoo.cfg`;
  await Deno.writeTextFile(cfgPath, zooCfg(`${dir}/data`, port));
  const t0 = performance.now();
  const child = spawnServer(kind, cfgPath, `${dir}/server.log`, opts);
  const server: Server = { kind, port, dir, pid: child.pid, child, startupMs: NaN };
  live.add(server);
  let exited: number | null = null;
  child.status.then((s) => exited = s.code);
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== null) {
      live.delete(server);
      throw new Error(`${kind} exited with ${exited} before serving\n${await logTail(dir)}`);
    }
    try {
      const srvr = await sendFourLetter("127.0.0.1", port, "srvr", 2000);
      if (/^Mode: /m.test(srvr)) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(
        `${kind} did not answer srvr within ${readyTimeoutMs} ms\n${await logTail(dir)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  server.startupMs = performance.now() - t0;
  return server;
}

/** The last lines of a server's log, for error messages. */
export async function logTail(dir: string, lines = 30): Promise<string> {
  try {
    const text = await Deno.readTextFile(`${dir}/server.log`);
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Kills a server we started (by PID) and waits for it to exit. */
export async function stopServer(s: Server, signal: Deno.Signal = "SIGKILL"): Promise<void> {
  if (!live.has(s)) return;
  live.delete(s);
  try {
    s.child.kill(signal);
  } catch { /* already gone */ }
  await s.child.status;
}

/** Kills every server still running (synchronously usable from signal handlers). */
export function killAll(): void {
  for (const s of live) {
    try {
      Deno.kill(s.pid, "SIGKILL");
    } catch { /* already gone */ }
  }
  live.clear();
}

/** Resident set size of a process in KiB, from /proc/PID/status VmRSS. */
export async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

/** CPU time (user + system) a process has used so far, in ms (all its threads). */
export async function cpuMs(pid: number, ticksPerSec = 100): Promise<number> {
  return cpuTicksFromStat(await Deno.readTextFile(`/proc/${pid}/stat`)) * 1000 / ticksPerSec;
}

/** VmRSS and VmHWM (peak) of a process in KiB, from /proc/PID/status. */
export async function memKiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const get = (k: string) => {
    const m = status.match(new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, "m"));
    if (!m) throw new Error(`no ${k} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rss: get("VmRSS"), peak: get("VmHWM") };
}

/** The PIDs of a process's children, grandchildren, … (from /proc/PID/task/TID/children). */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    let tasks: string[] = [];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)].map((e) => e.name);
    } catch { /* exited */ }
    for (const t of tasks) {
      const text = await Deno.readTextFile(`/proc/${p}/task/${t}/children`).catch(() => "");
      for (const c of text.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        todo.push(c);
      }
    }
  }
  return out;
}

/** VmRSS of a process plus all its descendants (zkt's snapshot child), KiB. */
export async function treeRssKiB(pid: number): Promise<number> {
  let sum = await rssKiB(pid);
  for (const c of await descendants(pid)) sum += await rssKiB(c).catch(() => 0);
  return sum;
}

/** Samples treeRssKiB every `everyMs` until stop(), which returns the largest sample. */
export function rssSampler(pid: number, everyMs = 50): { stop(): Promise<number> } {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, await treeRssKiB(pid).catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return max;
    },
  };
}

/**
 * Waits until a process uses under `maxPct` % of one CPU over a `windowMs`
 * window and has no child processes (background snapshots and GC done), for
 * at most `timeoutMs`.
 * Returns the ms waited, or null when it never went idle.
 */
export async function waitIdle(
  pid: number,
  opts: { maxPct?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<number | null> {
  const maxPct = opts.maxPct ?? 5;
  const windowMs = opts.windowMs ?? 300;
  const t0 = performance.now();
  const deadline = t0 + (opts.timeoutMs ?? 20_000);
  while (performance.now() < deadline) {
    const c0 = await cpuMs(pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const pct = ((await cpuMs(pid)) - c0) * 100 / (performance.now() - w0);
    // A child still running (zkt's snapshot process) is not idle either.
    if (pct < maxPct && (await descendants(pid)).length === 0) return performance.now() - t0;
  }
  return null;
}

/**
 * Runs `zkt --version` once so Deno's module and transpile caches are warm: the
 * startup time then measures zkt, not a first-run compile (a built binary has none).
 */
export async function warmZktCache(opts: LaunchOptions): Promise<void> {
  const entry = opts.bundle ? `${opts.root}/dist/zkt.js` : `${opts.root}/main.ts`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", entry, "--version"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`zkt --version failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}
