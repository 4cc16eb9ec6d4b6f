// In-process zkt servers in an ensemble role whose peers the test plays:
// a follower whose leader is the test (it records what the server forwards
// and commits txns as a leader would), and a leader whose Zab is the test
// (it records proposals and commits them on demand).
import { applyTxn } from "../../src/data/apply.ts";
import { OpCode } from "../../src/jute/constants.ts";
import { Reader } from "../../src/jute/reader.ts";
import type { Txn } from "../../src/jute/txn_body.ts";
import { decodeTxnEntry } from "../../src/persistence/records.ts";
import { type LeaderChain, leaderChain } from "../../src/server/pipeline/leader.ts";
import {
  type ForwardRequest,
  LearnerFront,
  type LearnerFrontOptions,
} from "../../src/server/pipeline/learner.ts";
import { committedTree, Outstanding } from "../../src/server/pipeline/overlay.ts";
import type { ZkServerOptions } from "../../src/server/server_options.ts";
import type { ZkServer } from "../../src/server/zk_server.ts";
import { prepareRequest } from "../../src/server/write_ops.ts";
import { waitFor } from "./wait.ts";
import { type InProc, startInProc } from "./zkt_inproc.ts";

/** A follower whose leader is the test. */
export interface TestLedFollower {
  p: InProc;
  s: ZkServer;
  front: LearnerFront;
  /** What the server forwarded and the test has not taken with next() yet. */
  sent: ForwardRequest[];
  /** Commits `txn` for (session, cxid) as a leader would: applied, then handed to the server. */
  commit(clientId: bigint, cxid: number, txn: Txn): void;
  /** Commits a forwarded request as the leader's prep would make it. */
  leaderCommits(r: ForwardRequest): void;
  /** The next forwarded request (waits up to 5 s for one). */
  next(what: string): Promise<ForwardRequest>;
}

/**
 * Starts a server with zoo.cfg `lines` in a follower's role, serving, whose
 * forwarded requests the test receives; its session options are the server's
 * own unless `sessions` gives them.
 */
export async function startTestLedFollower(
  lines: string[],
  server: Partial<ZkServerOptions> = {},
  sessions?: Omit<LearnerFrontOptions, "sessions">,
): Promise<TestLedFollower> {
  const p = await startInProc(lines, { mode: () => "follower", ...server });
  const s = p.server;
  const sent: ForwardRequest[] = [];
  const front = new LearnerFront({ forward: (r) => sent.push(r), revalidate: () => {} }, {
    ...(sessions ?? s.sessionOptions()),
    sessions: [],
  });
  front.serving = true;
  s.setLearner(front);
  let zxid = 0x100000000n;
  const commit = (clientId: bigint, cxid: number, txn: Txn) => {
    const header = { clientId, cxid, zxid: ++zxid, time: Date.now(), type: txn.type };
    s.learnerCommitted({ header, txn, rc: applyTxn(s.db.tree, header, txn) });
  };
  const leaderCommits = (r: ForwardRequest) => {
    if (r.type === OpCode.createSession) {
      const timeOut = new DataView(r.body.buffer, r.body.byteOffset).getInt32(0);
      return commit(r.sessionId, r.cxid, { type: OpCode.createSession, record: { timeOut } });
    }
    const view = new Outstanding(committedTree(s.db.tree, () => []));
    const t = prepareRequest(view, r.type, new Reader(r.body), {
      sessionId: r.sessionId,
      authInfo: r.authinfo ?? [],
      sessionState: 0,
      extendedTypes: false,
    }, false);
    commit(r.sessionId, r.cxid, t);
  };
  const next = async (what: string) => {
    await waitFor(what, () => sent.length > 0, 5000, 5);
    return sent.shift()!;
  };
  return { p, s, front, sent, commit, leaderCommits, next };
}

/** A leader whose Zab is the test. */
export interface TestZabLeader {
  p: InProc;
  chain: LeaderChain;
  /** Every proposed txn entry, in order. */
  proposed: Uint8Array[];
  /** Commits every proposal not committed yet (applied, then reported to the chain). */
  commitAll(): void;
}

/**
 * Starts a server with zoo.cfg `lines` in a leader's role whose proposals get
 * zxids of epoch 1 and are recorded; `leadSessions` first takes the leader's
 * session tracker.
 */
export async function startTestZabLeader(
  lines: string[],
  server: Partial<ZkServerOptions> = {},
  leadSessions = false,
): Promise<TestZabLeader> {
  const p = await startInProc(lines, { mode: () => "leader", ...server });
  const s = p.server;
  const proposed: Uint8Array[] = [];
  let counter = 0;
  if (leadSessions) s.leadSessions();
  const chain = s.setChain((w) =>
    leaderChain({
      ...w,
      propose: (build) => {
        const zxid = (1n << 32n) | BigInt(++counter);
        proposed.push(build(zxid));
        return zxid;
      },
      drain: () => Promise.resolve(),
    })
  ) as LeaderChain;
  let done = 0;
  const commitAll = () => {
    for (; done < proposed.length; done++) {
      const e = proposed[done];
      const { header, txn } = decodeTxnEntry(e);
      chain.committed({ zxid: header.zxid, entry: e }, applyTxn(s.db.tree, header, txn));
    }
  };
  return { p, chain, proposed, commitAll };
}
