// A test-only zkt peer that elects with FastLeaderElection (src/peer's
// QuorumPeer) and, when the election says FOLLOWING or OBSERVING, follows the
// leader at the Zab level with LearnerShell over a FileZabLog on its data dir.
// No client port: the client-serving wiring comes later. It is the wiring
// src/peer will need, composed outside src/peer:
//   - the ZabLog opened before the election (its last logged zxid is the vote's);
//   - an election result of FOLLOWING/OBSERVING starts a LearnerShell to the
//     vote's leader (server.N's quorum address);
//   - the shell's UPTODATE sets the vote's peerEpoch (updateElectionVote);
//   - the shell's end drains the log and fast-forwards (or reloads) memory,
//     then the peer looks again (lostRole); an election restarted by the peer
//     itself stops the shell.
// Run as `deno run -A tests/support/zab_learner_peer.ts zoo.cfg`; it prints
// one JSON line per event on stdout (started, role, sync, serving, left,
// settled) and logs on stderr. startZktLearner() spawns it for a test.
import { loadConfig } from "../../src/config/load.ts";
import { logger, setLogMyid } from "../../src/log/logger.ts";
import { QuorumPeer } from "../../src/peer/quorum_peer.ts";
import { FileZabLog } from "../../src/zab/file_zab_log.ts";
import { LearnerShell } from "../../src/zab/learner_shell.ts";
import { settleAfterRole } from "../../src/zab/zab_log.ts";
import { TextLineStream } from "./lines.ts";
import { waitFor } from "./wait.ts";

/** One event the peer printed. */
export interface LearnerEvent {
  event: "started" | "role" | "sync" | "acked" | "serving" | "pings" | "left" | "settled";
  [k: string]: unknown;
}

const hex = (z: bigint) => `0x${z.toString(16)}`;

async function main(cfgPath: string): Promise<void> {
  const cfg = await loadConfig(cfgPath);
  setLogMyid(cfg.myid!);
  const log = logger("ZabLearnerPeer");
  const emit = (e: LearnerEvent) => console.log(JSON.stringify(e));
  const zl = await FileZabLog.open({
    dataDir: cfg.dataDir,
    dataLogDir: cfg.dataLogDir,
    forceSync: cfg.forceSync,
    preAllocSize: cfg.preAllocSizeKb * 1024,
    extendedTypes: cfg.extendedTypesEnabled,
    snapCount: cfg.snapCount,
  });
  const peer = new QuorumPeer(cfg, { lastZxid: () => Promise.resolve(zl.lastLoggedZxid) });
  await peer.start();
  emit({ event: "started", lastLogged: hex(zl.lastLoggedZxid) });
  let shell: LearnerShell | null = null;
  let applied = 0;
  let pings = 0;
  const observer = cfg.peerType === "observer";
  const poll = setInterval(() => {
    const state = peer.state;
    if (shell !== null) {
      if (state === "looking") shell.stop("the peer is looking for a leader again");
      return;
    }
    if (state !== "following" && state !== "observing") return;
    const leader = peer.currentVote.leader;
    const server = cfg.quorumVerifier!.allMembers.get(Number(leader));
    if (!server) return;
    emit({ event: "role", state, leader: Number(leader) });
    const s = new LearnerShell({
      sid: BigInt(cfg.myid!),
      observer,
      leaderSid: leader,
      leaderAddrs: server.addrs,
      tickTime: cfg.tickTime,
      initLimit: cfg.initLimit,
      syncLimit: cfg.syncLimit,
      zabLog: zl,
      hooks: {
        onApply: () => applied++,
        // Called once per PING reply: every 10th is reported.
        takeTouches: () => {
          if (++pings % 10 === 0) emit({ event: "pings", n: pings, log: { ...zl.stats } });
          return [];
        },
        onSyncMode: (mode, zxid) => emit({ event: "sync", mode, zxid: hex(zxid) }),
        onNewLeaderAcked: () => {
          // Test hook (scenario 7): die like kill -9 the moment the ACK is
          // queued; the disk must already hold what it promises.
          if (Deno.env.get("ZAB_TEST_KILL_AT_NEWLEADER_ACK") !== "1") return;
          emit({ event: "acked", lastLogged: hex(zl.lastLoggedZxid) });
          Deno.kill(Deno.pid, "SIGKILL");
        },
        onStartServing: (epoch) => {
          peer.updateElectionVote(epoch);
          emit({ event: "serving", epoch: Number(epoch), lastLogged: hex(zl.lastLoggedZxid) });
        },
      },
    });
    shell = s;
    s.done.then(async (end) => {
      emit({ event: "left", reason: end.reason, memory: end.memory, phase: end.phase });
      try {
        await settleAfterRole(zl, end.memory);
      } catch (e) {
        log.error(`cannot bring memory in line with the disk: ${(e as Error).message}`);
        Deno.exit(1);
      }
      emit({
        event: "settled",
        lastLogged: hex(zl.lastLoggedZxid),
        lastApplied: hex(zl.lastAppliedZxid),
        applied,
      });
      shell = null;
      peer.lostRole();
    });
    s.start();
  }, 20);
  const stop = async () => {
    clearInterval(poll);
    if (shell) await (shell as LearnerShell).stop("shutting down");
    await zl.close();
    await peer.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => void stop());
}

/** A running test learner peer. */
export interface ZktLearner {
  sid: number;
  dir: string;
  child: Deno.ChildProcess;
  events: LearnerEvent[];
  /** Waits for an event (after `from` events) matching `match`; returns it. */
  waitEvent(
    what: string,
    match: (e: LearnerEvent) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<LearnerEvent>;
  /** Kills the process (SIGKILL by default) and waits for it. */
  stop(signal?: Deno.Signal): Promise<void>;
  log(): string;
}

/** Writes dir/zoo.cfg (+ data/myid) and starts the peer on it. */
export async function startZktLearner(opts: {
  sid: number;
  clientPort: number;
  serverLines: string[];
  dir?: string;
  cfg?: string[];
  env?: Record<string, string>;
}): Promise<ZktLearner> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "zkt-learner-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/myid`, `${opts.sid}\n`);
  await Deno.writeTextFile(
    `${dir}/zoo.cfg`,
    [
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      `dataDir=${dir}/data`,
      `clientPort=${opts.clientPort}`,
      "clientPortAddress=127.0.0.1",
      "cnxTimeout=2000",
      ...opts.serverLines,
      ...(opts.cfg ?? []),
    ].join("\n") + "\n",
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", new URL(import.meta.url).pathname, `${dir}/zoo.cfg`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: opts.env,
  }).spawn();
  const events: LearnerEvent[] = [];
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
    sid: opts.sid,
    dir,
    child,
    events,
    log: () => logText,
    async waitEvent(what, match, from = 0, timeoutMs = 60_000) {
      try {
        return await waitFor(what, () => events.slice(from).find(match), timeoutMs, 50);
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\nevents: ${JSON.stringify(events)}\n--- zkt log ---\n${
            logText.slice(-4000)
          }`,
        );
      }
    },
    async stop(signal: Deno.Signal = "SIGKILL") {
      if (stopped) return;
      stopped = true;
      try {
        child.kill(signal);
      } catch { /* exited */ }
      await child.status;
      await outPump;
      await errPump;
    },
  };
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (!path) {
    console.error("usage: zab_learner_peer.ts zoo.cfg");
    Deno.exit(2);
  }
  await main(path);
}
