// A test-only zkt peer that elects with FastLeaderElection (src/peer's
// QuorumPeer) and, when the election says LEADING, leads at the Zab level
// with LeaderShell over a FileZabLog on its data dir, proposing the txns a
// test asks for (TestLeaderHost). No client port. The wiring src/peer will
// need, composed outside src/peer:
//   - the ZabLog opened before the election (its last logged zxid is the vote's);
//   - the DIFF window after a restart read from the log's tail (leader_log.ts);
//   - LEADING starts a LeaderShell at once (it binds the quorum port then);
//   - the shell's "established" sets the vote's peerEpoch (updateElectionVote);
//   - the shell's end drains the log and fast-forwards memory, then the peer
//     looks again (lostRole).
// The election-port stand-ins in QuorumPeer (watchLeader, linkLost) may make
// the peer look again before Zab's own rules would; until they are replaced,
// Zab decides: a shell whose peer stopped leading is stopped only if it has
// not ended on its own within syncLimit+2 ticks.
// Run as `deno run -A tests/support/zab_leader_peer.ts zoo.cfg`; it prints
// one JSON line per event on stdout and logs on stderr; it reads commands as
// JSON lines on stdin: {"cmd":"write","prefix":"/a","count":100} proposes a
// session (once) and creates prefix and prefix/n0.., then prints
// {"event":"committed","id":…} once the last one commits; "load" does the
// same as a steady stream ("batch" creates every 5 ms).
import { restore } from "../../src/persistence/datadir.ts";
import { committedWindowFromLog } from "../../src/zab/leader_log.ts";
import { LeaderShell } from "../../src/zab/leader_shell.ts";
import { TextLineStream } from "./lines.ts";
import { waitFor } from "./wait.ts";
import { TestLeaderHost } from "./zab_leader_host.ts";
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
export interface LeaderEvent {
  event: string;
  [k: string]: unknown;
}

async function main(cfgPath: string): Promise<void> {
  const p = await openElectingPeer<LeaderEvent>(cfgPath, "ZabLeaderPeer");
  const { cfg, log, emit, zl, peer } = p;
  const myid = BigInt(cfg.myid!);
  let shell: LeaderShell | null = null;
  let host: TestLeaderHost | null = null;
  let notLeadingSince: number | null = null;
  const graceMs = (cfg.syncLimit + 2) * cfg.tickTime;
  /** Commands waiting for their last zxid to commit. */
  const waiting: { id: number; zxid: bigint }[] = [];
  let session: bigint | null = null;

  const startLeading = async (s: LeaderShell) => {
    await zl.drain();
    const shadow = (await restore(cfg.dataDir, { logDir: cfg.dataLogDir })).tree;
    if (shell !== s) return;
    const h = new TestLeaderHost(s, shadow);
    h.onCommitted = (zxid) => {
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (waiting[i].zxid <= zxid) {
          emit({ event: "committed", id: waiting[i].id, zxid: hex(zxid) });
          waiting.splice(i, 1);
        }
      }
    };
    host = h;
  };

  const poll = setInterval(() => {
    const state = peer.state;
    if (shell !== null) {
      if (state === "leading") notLeadingSince = null;
      else if (notLeadingSince === null) {
        notLeadingSince = performance.now();
        emit({ event: "peerLeftLeading", state });
      } else if (performance.now() - notLeadingSince > graceMs) {
        shell.stop(`the peer is ${state} and Zab did not end the leadership`);
      }
      return;
    }
    if (state !== "leading") return;
    const me = cfg.quorumVerifier!.allMembers.get(cfg.myid!)!;
    const s = new LeaderShell({
      myid,
      qv: cfg.quorumVerifier!,
      addrs: me.addrs,
      listenOnAllIPs: cfg.quorumListenOnAllIPs,
      tickTime: cfg.tickTime,
      initLimit: cfg.initLimit,
      syncLimit: cfg.syncLimit,
      zabLog: zl,
      forceSnap: Deno.env.get("ZKT_FORCE_SNAP") === "1",
      history: () => committedWindowFromLog(zl.logDir, zl.lastLoggedZxid),
      host: {
        serving: (epoch) => {
          peer.updateElectionVote(epoch);
          emit({ event: "established", epoch: Number(epoch) });
        },
        commit: (txn) => host?.commit(txn),
        submit: (sid, r) => host?.submit(sid, r),
        synced: (sid, plan) =>
          emit({ event: "sync", sid: Number(sid), mode: plan.mode, zxid: hex(plan.zxid) }),
      },
    });
    shell = s;
    notLeadingSince = null;
    try {
      s.start();
    } catch (e) {
      log.error(`cannot bind the quorum port: ${(e as Error).message}`);
      Deno.exit(1);
    }
    emit({ event: "role", state, ports: s.ports });
    void startLeading(s);
    s.done.then(async (end) => {
      emit({ event: "done", reason: end.reason, established: end.established });
      await settleOrExit(zl, "fast-forward", log);
      emit({ event: "settled", lastLogged: hex(zl.lastLoggedZxid) });
      shell = null;
      host = null;
      waiting.length = 0;
      peer.lostRole("lost_quorum");
    });
  }, 20);

  const command = async (
    c: { cmd: string; id: number; prefix?: string; count?: number; batch?: number },
  ) => {
    if (c.cmd !== "write" && c.cmd !== "load") {
      emit({ event: "error", id: c.id, message: `unknown command ${c.cmd}` });
      return;
    }
    await waitFor(
      "an established leadership",
      () => host !== null && shell?.phase === "established",
      60_000,
      20,
    );
    const h = host!;
    if (session === null) {
      // 3.8's id layout: the sid in the top byte.
      session = (myid << 56n) | 1n;
      h.createSession(session);
    }
    const s = session;
    const prefix = c.prefix!;
    const count = c.count ?? 0;
    let last = h.create(s, prefix, new TextEncoder().encode("top"));
    const one = (i: number) => h.create(s, `${prefix}/n${i}`, new TextEncoder().encode(`v${i}`));
    if (c.cmd === "write") {
      for (let i = 0; i < count; i++) last = one(i);
    } else {
      // A steady load: `batch` txns every 5 ms until `count` (bounded).
      const batch = c.batch ?? 1;
      for (let i = 0; i < count;) {
        await new Promise((r) => setTimeout(r, 5));
        if (host !== h) throw new Error("the leadership ended during the load");
        for (let k = 0; k < batch && i < count; k++, i++) last = one(i);
      }
    }
    waiting.push({ id: c.id, zxid: last });
    emit({ event: "proposed", id: c.id, last: hex(last) });
  };

  (async () => {
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    );
    for await (const line of lines) {
      if (!line.trim()) continue;
      const c = JSON.parse(line);
      command(c).catch((e) => emit({ event: "error", id: c.id, message: (e as Error).message }));
    }
  })().catch(() => {});

  exitOnSigterm(p, poll, () => shell);
}

/** A running test leader peer. */
export interface ZktLeader extends TestPeer<LeaderEvent> {
  /** Sends a write command; resolves with its id (wait for "committed" with that id). */
  write(prefix: string, count: number): Promise<number>;
  /** Like write, as a steady load: `batch` creates every 5 ms. */
  load(prefix: string, count: number, batch: number): Promise<number>;
}

/** Writes dir/zoo.cfg (+ data/myid) and starts the leader peer on it. */
export async function startZktLeader(opts: PeerDirOptions): Promise<ZktLeader> {
  const script = new URL(import.meta.url).pathname;
  const peer = await launchTestPeer<LeaderEvent>(script, "zkt-leader-", opts, "piped");
  let nextId = 1;
  const send = async (c: Record<string, unknown>) => {
    const id = nextId++;
    await peer.send({ ...c, id });
    return id;
  };
  return {
    ...peer,
    write: (prefix, count) => send({ cmd: "write", prefix, count }),
    load: (prefix, count, batch) => send({ cmd: "load", prefix, count, batch }),
    restart: (env) => startZktLeader({ ...opts, dir: peer.dir, env }),
  };
}

if (import.meta.main) await runPeerMain("zab_leader_peer.ts", main);
