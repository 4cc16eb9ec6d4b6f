// What the two test-only Zab peers (zab_leader_peer.ts, zab_learner_peer.ts)
// share: inside the peer process, opening the Zab log and the electing
// QuorumPeer, settling after a role and stopping on SIGTERM; on the test's
// side, writing the peer's zoo.cfg and running it as a child process whose
// stdout is one JSON event a line.
import { loadConfig } from "../../src/config/load.ts";
import type { ZkConfig } from "../../src/config/types.ts";
import { type Logger, logger, setLogMyid } from "../../src/log/logger.ts";
import { QuorumPeer } from "../../src/peer/quorum_peer.ts";
import { FileZabLog } from "../../src/zab/file_zab_log.ts";
import { settleAfterRole } from "../../src/zab/zab_log.ts";
import { TextLineStream } from "./lines.ts";
import { waitFor } from "./wait.ts";

/** A zxid as the peers print it: 0x-hex. */
export const hex = (z: bigint) => `0x${z.toString(16)}`;

/** A peer process's config, logger, event printer, Zab log and started electing peer. */
export interface ElectingPeer<E> {
  cfg: ZkConfig;
  log: Logger;
  emit: (e: E) => void;
  zl: FileZabLog;
  peer: QuorumPeer;
}

/**
 * Loads cfgPath, opens the Zab log (before the election: its last logged zxid
 * is the vote's), starts the electing peer and prints {"event":"started"}.
 * `snapCount` passes the config's snapCount to the log (else the log's default).
 */
export async function openElectingPeer<E extends { event: string }>(
  cfgPath: string,
  logName: string,
  opts: { snapCount?: boolean } = {},
): Promise<ElectingPeer<E>> {
  const cfg = await loadConfig(cfgPath);
  setLogMyid(cfg.myid!);
  const log = logger(logName);
  const emit = (e: E) => console.log(JSON.stringify(e));
  const zl = await FileZabLog.open({
    dataDir: cfg.dataDir,
    dataLogDir: cfg.dataLogDir,
    forceSync: cfg.forceSync,
    preAllocSize: cfg.preAllocSizeKb * 1024,
    extendedTypes: cfg.extendedTypesEnabled,
    ...(opts.snapCount ? { snapCount: cfg.snapCount } : {}),
  });
  const peer = new QuorumPeer(cfg, { lastZxid: () => Promise.resolve(zl.lastLoggedZxid) });
  await peer.start();
  console.log(JSON.stringify({ event: "started", lastLogged: hex(zl.lastLoggedZxid) }));
  return { cfg, log, emit, zl, peer };
}

/** Drains the log and brings memory in line with the disk after a role; exits 1 when it cannot. */
export async function settleOrExit(
  zl: FileZabLog,
  memory: "fast-forward" | "reload",
  log: Logger,
): Promise<void> {
  try {
    await settleAfterRole(zl, memory);
  } catch (e) {
    log.error(`cannot bring memory in line with the disk: ${(e as Error).message}`);
    Deno.exit(1);
  }
}

/** On SIGTERM: stops the role poll and the current shell, closes the log and the peer, exits 0. */
export function exitOnSigterm(
  p: { zl: FileZabLog; peer: QuorumPeer },
  poll: ReturnType<typeof setInterval>,
  shell: () => { stop(reason: string): Promise<unknown> } | null,
): void {
  const stop = async () => {
    clearInterval(poll);
    await shell()?.stop("shutting down");
    await p.zl.close();
    await p.peer.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => void stop());
}

/** Runs a peer's main on the zoo.cfg path given as the first argument (usage and exit 2 without). */
export async function runPeerMain(
  script: string,
  main: (cfgPath: string) => Promise<void>,
): Promise<void> {
  const path = Deno.args[0];
  if (!path) {
    console.error(`usage: ${script} zoo.cfg`);
    Deno.exit(2);
  }
  await main(path);
}

/** Where and how a test peer runs: its sid, ports, server.N lines and extra config. */
export interface PeerDirOptions {
  sid: number;
  clientPort: number;
  serverLines: string[];
  dir?: string;
  cfg?: string[];
  env?: Record<string, string>;
  /** tickTime, initLimit, syncLimit (default 2000, 10, 5). */
  limits?: [number, number, number];
}

/** Writes dir/zoo.cfg and dir/data/myid (dir: a new temp dir named by tempPrefix unless given); returns dir. */
export async function writePeerDir(opts: PeerDirOptions, tempPrefix: string): Promise<string> {
  const [tickTime, initLimit, syncLimit] = opts.limits ?? [2000, 10, 5];
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: tempPrefix });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, `${opts.sid}\n`);
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    [
      `tickTime=${tickTime}`,
      `initLimit=${initLimit}`,
      `syncLimit=${syncLimit}`,
      `dataDir=${dir}/data`,
      `clientPort=${opts.clientPort}`,
      "clientPortAddress=127.0.0.1",
      "cnxTimeout=2000",
      ...opts.serverLines,
      ...(opts.cfg ?? []),
    ].join("\n") + "\n",
  );
  return dir;
}

/** A running peer process: its events (stdout JSON lines) and log (stderr). */
export interface PeerProcess<E> {
  child: Deno.ChildProcess;
  events: E[];
  log(): string;
  /** Sends one JSON command line on stdin (only when started with stdin piped). */
  send(c: Record<string, unknown>): Promise<void>;
  /** Waits for an event (after `from` events) matching `match`; returns it. */
  waitEvent(what: string, match: (e: E) => boolean, from?: number, timeoutMs?: number): Promise<E>;
  /** Kills the process (SIGKILL by default) and waits for it and its output. */
  stop(signal?: Deno.Signal): Promise<void>;
}

/** Runs `deno run` of script on dir/zoo.cfg, collecting its events and its log. */
export function spawnPeerProcess<E>(
  script: string,
  dir: string,
  opts: { env?: Record<string, string>; stdin: "piped" | "null" },
): PeerProcess<E> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", script, `${dir}/zoo.cfg`],
    stdin: opts.stdin,
    stdout: "piped",
    stderr: "piped",
    env: opts.env,
  }).spawn();
  const stdin = opts.stdin === "piped" ? child.stdin.getWriter() : null;
  const events: E[] = [];
  let logText = "";
  const dec = new TextDecoder();
  const outPump = (async () => {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    );
    for await (const line of lines) {
      try {
        events.push(JSON.parse(line));
      } catch {
        logText += `[stdout] ${line}\n`;
      }
    }
  })().catch(() => {});
  const errPump = (async () => {
    for await (const chunk of child.stderr) logText += dec.decode(chunk, { stream: true });
  })().catch(() => {});
  let stopped = false;
  return {
    child,
    events,
    log: () => logText,
    async send(c) {
      if (!stdin) throw new Error("the peer was started without a stdin to send to");
      await stdin.write(new TextEncoder().encode(JSON.stringify(c) + "\n"));
    },
    async waitEvent(what, match, from = 0, timeoutMs = 60_000) {
      try {
        return await waitFor(what, () => events.slice(from).find(match), timeoutMs, 50);
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\nevents: ${
            JSON.stringify(events.slice(-30))
          }\n--- zkt log ---\n${logText.slice(-4000)}`,
        );
      }
    },
    async stop(signal: Deno.Signal = "SIGKILL") {
      if (stopped) return;
      stopped = true;
      try {
        child.kill(signal);
      } catch { /* exited */ }
      await stdin?.close().catch(() => {});
      await child.status;
      await outPump;
      await errPump;
    },
  };
}

/** A started test peer: its sid and dir, and its process (child, events, waitEvent, stop, log). */
export interface TestPeer<E> extends Omit<PeerProcess<E>, "send"> {
  sid: number;
  dir: string;
  /** Starts the peer again on its dir, with the same options but `env` only as given here. */
  restart(env?: Record<string, string>): Promise<this>;
}

/** Writes the peer's dir (writePeerDir) and runs script on it; returns it without restart, with send. */
export async function launchTestPeer<E>(
  script: string,
  tempPrefix: string,
  opts: PeerDirOptions,
  stdin: "piped" | "null",
): Promise<Omit<TestPeer<E>, "restart"> & Pick<PeerProcess<E>, "send">> {
  const dir = await writePeerDir(opts, tempPrefix);
  const p = spawnPeerProcess<E>(script, dir, { env: opts.env, stdin });
  return { ...p, sid: opts.sid, dir };
}
