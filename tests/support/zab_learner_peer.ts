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
import { LearnerShell } from "../../src/zab/learner_shell.ts";
import {
  exitOnSigterm,
  hex,
  launchTestPeer,
  openElectingPeer,
  type PeerDirOptions,
  runPeerMain,
  settleOrExit,
  type TestPeer,
} from "./zab_peer_process.ts";

/** One event the peer printed. */
export interface LearnerEvent {
  event: "started" | "role" | "sync" | "acked" | "serving" | "pings" | "left" | "settled";
  [k: string]: unknown;
}

async function main(cfgPath: string): Promise<void> {
  const p = await openElectingPeer<LearnerEvent>(cfgPath, "ZabLearnerPeer", { snapCount: true });
  const { cfg, log, emit, zl, peer } = p;
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
      await settleOrExit(zl, end.memory, log);
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
  exitOnSigterm(p, poll, () => shell);
}

/** A running test learner peer. */
export type ZktLearner = TestPeer<LearnerEvent>;

/** Writes dir/zoo.cfg (+ data/myid) and starts the peer on it. */
export async function startZktLearner(opts: PeerDirOptions): Promise<ZktLearner> {
  const script = new URL(import.meta.url).pathname;
  const peer = await launchTestPeer<LearnerEvent>(script, "zkt-learner-", opts, "null");
  return { ...peer, restart: (env) => startZktLearner({ ...opts, dir: peer.dir, env }) };
}

if (import.meta.main) await runPeerMain("zab_learner_peer.ts", main);
