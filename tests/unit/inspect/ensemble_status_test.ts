// The pure core of `zkt ensemble status`: srvr and conf replies as Apache
// ZooKeeper 3.8 and zkt print them (captured from real peers), and the verdict
// an operator acts on: who leads, whether every peer names the same leader,
// whether the serving voters form a quorum, each server's lag; exit 1 exactly
// when there is no quorum, no leader, or the views split.
import assert from "node:assert/strict";
import { parseDynamicConfig } from "../../../src/config/quorum_verifier.ts";
import {
  ensembleStatus,
  lagBehind,
  parseConf,
  parseSrvr,
  type PeerFacts,
  type SrvrInfo,
} from "../../../src/inspect/ensemble_status.ts";

// Captured from a 3-peer ensemble (two Apache ZooKeeper 3.8.0 followers, a zkt leader).
const JAVA_FOLLOWER_SRVR =
  "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 4\nSent: 3\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: follower\nNode count: 5\n";
const ZKT_LEADER_SRVR =
  "Zookeeper version: 3.8.0-zkt-0.1.0, built on 1970-01-01 00:00 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 16\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: leader\nNode count: 5\nProposal sizes last/min/max: -1/-1/-1\n";
const JAVA_CONF =
  "clientPort=23823\nsecureClientPort=-1\ndataDir=/tmp/m1/data/version-2\ndataDirSize=597\ndataLogDir=/tmp/m1/data/version-2\ndataLogSize=597\ntickTime=1000\nmaxClientCnxns=0\nminSessionTimeout=2000\nmaxSessionTimeout=20000\nclientPortListenBacklog=-1\nserverId=1\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=26017\nquorumPort=28108\npeerType=0\nmembership: \nserver.1=127.0.0.1:28108:26017:participant\nserver.2=127.0.0.1:30622:18753:participant\nserver.3=127.0.0.1:27629:15262:participant\nversion=0";
const NOT_SERVING_REPLY = "This ZooKeeper instance is not currently serving requests\n";

Deno.test("srvr of an Apache ZooKeeper follower and of a zkt leader parse alike", () => {
  assert.deepEqual(parseSrvr(JAVA_FOLLOWER_SRVR), {
    version: "3.8.0-${mvngit.commit.id}",
    mode: "follower",
    zxid: 0n,
    outstanding: 0,
    connections: 1,
    nodeCount: 5,
  });
  assert.deepEqual(parseSrvr(ZKT_LEADER_SRVR), {
    version: "3.8.0-zkt-0.1.0",
    mode: "leader",
    zxid: 0n,
    outstanding: 0,
    connections: 1,
    nodeCount: 5,
  });
  const busy = parseSrvr(
    JAVA_FOLLOWER_SRVR.replace("Outstanding: 0", "Outstanding: 17")
      .replace("Zxid: 0x0", "Zxid: 0x30000001f").replace("Connections: 1", "Connections: 250"),
  )!;
  assert.equal(busy.outstanding, 17);
  assert.equal(busy.connections, 250);
  assert.equal(busy.zxid, 0x30000001fn);
});

Deno.test("a peer that is not serving says so in srvr and conf: a fact, not an error", () => {
  assert.equal(parseSrvr(NOT_SERVING_REPLY), null);
  assert.equal(parseConf(NOT_SERVING_REPLY), null);
});

Deno.test("a reply that is not srvr's is refused with what it was", () => {
  assert.throws(() => parseSrvr("imok"), /not a srvr reply: "imok"/);
});

Deno.test("conf of a 3.8 quorum peer names its sid, election port, type and membership", () => {
  const c = parseConf(JAVA_CONF)!;
  assert.equal(c.serverId, 1);
  assert.equal(c.clientPort, 23823);
  assert.equal(c.electionPort, 26017);
  assert.equal(c.peerType, "participant");
  const qv = parseDynamicConfig(c.membership!);
  assert.deepEqual([...qv.votingMembers.keys()], [1, 2, 3]);
  assert.equal(qv.allMembers.get(3)!.electionAddrs[0].port, 15262);
  assert.equal(parseConf("clientPort=2181\nserverId=0\n")!.membership, null);
});

Deno.test("lag behind the leader: txns within an epoch; an older epoch only when the leader has txns in its own", () => {
  const cases: [bigint, bigint, ReturnType<typeof lagBehind>][] = [
    [0x100000010n, 0x100000010n, { txns: 0 }],
    [0x100000010n, 0x10000000cn, { txns: 4 }],
    [0x100000010n, 0x100000011n, { txns: 0 }], // read after the leader's: never negative
    [0x200000000n, 0x100000009n, { txns: 0 }], // new epoch, nothing committed in it yet
    [0x200000003n, 0x100000009n, { olderEpoch: true }],
    [0xffffffff00000005n, 0xffffffff00000001n, { txns: 4 }],
  ];
  for (const [leader, peer, want] of cases) {
    assert.deepEqual(
      lagBehind(leader, peer),
      want,
      `${leader.toString(16)} vs ${peer.toString(16)}`,
    );
  }
});

const srvr = (mode: string, zxid: bigint, more: Partial<SrvrInfo> = {}) => ({
  info: { version: "3.8.4", mode, zxid, outstanding: 0, connections: 2, nodeCount: 5, ...more },
});
const vote = (state: string, leader: number, peerEpoch = 1n) => ({
  answer: { state, leader, zxid: 0n, peerEpoch },
});
const down = (port: number) => ({
  error: `srvr: cannot connect to 127.0.0.1:${port}: Connection refused (os error 111)`,
});

function peer(sid: number, f: Partial<PeerFacts> = {}): PeerFacts {
  return {
    sid,
    client: `127.0.0.1:${2180 + sid}`,
    election: `127.0.0.1:${3887 + sid}`,
    type: "participant",
    notes: [],
    ...f,
  };
}

const THREE = parseDynamicConfig(
  "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
);
const TWO_AND_OBSERVER = parseDynamicConfig(
  "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890:observer\n",
);

interface Case {
  name: string;
  peers: PeerFacts[];
  verifier?: ReturnType<typeof parseDynamicConfig> | null;
  exit: number;
  leader: number | null;
  quorum: boolean;
  /** Each must match one problem line; no other problems. */
  problems?: RegExp[];
  check?: (s: ReturnType<typeof ensembleStatus>) => void;
}

const CASES: Case[] = [
  {
    name: "all serving behind one leader",
    peers: [
      peer(1, { srvr: srvr("follower", 0x10000000cn), vote: vote("following", 3) }),
      peer(2, { srvr: srvr("follower", 0x100000010n), vote: vote("following", 3) }),
      peer(3, { srvr: srvr("leader", 0x100000010n), vote: vote("leading", 3) }),
    ],
    exit: 0,
    leader: 3,
    quorum: true,
    check(s) {
      assert.deepEqual(s.rows.map((r) => r.lag), [4, 0, 0]);
      assert.deepEqual(s.rows.map((r) => r.role), ["follower", "follower", "leader"]);
      assert.deepEqual(s.verdict.servingVoters, [1, 2, 3]);
      assert.equal(s.verdict.leaderZxid, "0x100000010");
    },
  },
  {
    name: "one voter of three down: still a quorum, its row says unreachable",
    peers: [
      peer(1, {
        srvr: down(2181),
        vote: { error: "election: cannot reach the election port 127.0.0.1:3888" },
      }),
      peer(2, { srvr: srvr("follower", 0x100000010n), vote: vote("following", 3) }),
      peer(3, { srvr: srvr("leader", 0x100000010n), vote: vote("leading", 3) }),
    ],
    exit: 0,
    leader: 3,
    quorum: true,
    check(s) {
      assert.equal(s.rows[0].role, "unreachable");
      assert.equal(s.rows[0].errors.length, 2);
      assert.ok(s.verdict.notes.includes("sid 1 is unreachable"));
    },
  },
  {
    name: "two of three down: the leader still says leader, but there is no quorum",
    peers: [
      peer(1, { srvr: down(2181) }),
      peer(2, { srvr: down(2182) }),
      peer(3, { srvr: srvr("leader", 0x100000010n), vote: vote("leading", 3) }),
    ],
    exit: 1,
    leader: 3,
    quorum: false,
    problems: [/^no quorum: 1 of 3 voters serving behind leader 3 \(3\), a quorum needs 2$/],
  },
  {
    name: "every peer looking: no leader, no quorum",
    peers: [1, 2, 3].map((sid) =>
      peer(sid, { srvr: { notServing: true }, vote: vote("looking", 3, 0n) })
    ),
    exit: 1,
    leader: null,
    quorum: false,
    problems: [/^no peer is leading$/, /^no quorum: 0 of 3 voters/],
    check(s) {
      assert.deepEqual(s.rows.map((r) => r.role), ["not serving", "not serving", "not serving"]);
      assert.deepEqual(s.rows.map((r) => r.electionState), ["looking", "looking", "looking"]);
    },
  },
  {
    name: "split: two peers each lead (a partitioned old leader)",
    peers: [
      peer(1, { srvr: srvr("leader", 0x100000005n), vote: vote("leading", 1) }),
      peer(2, { srvr: srvr("follower", 0x200000001n), vote: vote("following", 3, 2n) }),
      peer(3, { srvr: srvr("leader", 0x200000001n), vote: vote("leading", 3, 2n) }),
    ],
    exit: 1,
    leader: null,
    quorum: false,
    problems: [
      /^sid 1 and sid 3 each say they lead$/,
      /^peers disagree on the leader: sid 1 names 1; sid 2, sid 3 name 3$/,
      /^no quorum: /,
    ],
  },
  {
    name: "split: one leader, but a follower's election port names another",
    peers: [
      peer(1, { srvr: srvr("follower", 0x100000005n), vote: vote("following", 2) }),
      peer(2, { srvr: srvr("follower", 0x100000005n), vote: vote("following", 3) }),
      peer(3, { srvr: srvr("leader", 0x100000005n), vote: vote("leading", 3) }),
    ],
    exit: 1,
    leader: null,
    quorum: false,
    problems: [/^peers disagree on the leader: sid 1 names 2; sid 2, sid 3 name 3$/, /^no quorum/],
  },
  {
    name: "an observer serving does not make a quorum of voters",
    verifier: TWO_AND_OBSERVER,
    peers: [
      peer(1, { srvr: down(2181) }),
      peer(2, { srvr: srvr("leader", 0x100000001n), vote: vote("leading", 2) }),
      peer(3, {
        type: "observer",
        srvr: srvr("observer", 0x100000001n),
        vote: vote("observing", 2),
      }),
    ],
    exit: 1,
    leader: 2,
    quorum: false,
    problems: [/^no quorum: 1 of 2 voters serving behind leader 2 \(2\), a quorum needs 2$/],
  },
  {
    name: "membership unknown: the listed peers count as the voters, and it says so",
    verifier: null,
    peers: [
      peer(0, { sid: null, srvr: srvr("follower", 0x100000001n) }),
      peer(0, { sid: null, client: "127.0.0.1:2182", srvr: srvr("leader", 0x100000003n) }),
      peer(0, { sid: null, client: "127.0.0.1:2183", srvr: srvr("follower", 0x100000003n) }),
    ],
    exit: 0,
    leader: null,
    quorum: true,
    check(s) {
      assert.equal(s.verdict.agree, true);
      assert.equal(s.verdict.leaderClient, "127.0.0.1:2182");
      assert.ok(s.verdict.notes.some((n) => /^membership unknown/.test(n)));
      assert.deepEqual(s.rows.map((r) => r.lag), [2, 0, 0]);
    },
  },
  {
    name: "a standalone server: healthy, no ensemble",
    verifier: null,
    peers: [peer(0, { sid: null, srvr: srvr("standalone", 0x5n) })],
    exit: 0,
    leader: null,
    quorum: true,
  },
  {
    name: "after an election the vote names the new epoch before a txn does (ZOOKEEPER-1732)",
    peers: [
      peer(1, { srvr: srvr("follower", 0x100000007n), vote: vote("following", 3, 2n) }),
      peer(2, { srvr: srvr("follower", 0x100000007n), vote: vote("following", 3, 2n) }),
      peer(3, { srvr: srvr("leader", 0x200000000n), vote: vote("leading", 3, 2n) }),
    ],
    exit: 0,
    leader: 3,
    quorum: true,
    check(s) {
      assert.deepEqual(s.rows.map((r) => r.epoch), [2, 2, 2]);
      assert.deepEqual(s.rows.map((r) => r.lag), [0, 0, 0]);
    },
  },
  {
    name: "a server that answers as another sid is not in the membership",
    peers: [
      peer(1, { srvr: srvr("follower", 0x1n), vote: vote("following", 3) }),
      peer(2, { srvr: srvr("follower", 0x1n), vote: vote("following", 3) }),
      peer(3, { srvr: srvr("leader", 0x1n), vote: vote("leading", 3) }),
      peer(7, { srvr: srvr("follower", 0x1n) }),
    ],
    exit: 1,
    leader: 3,
    quorum: true,
    problems: [/^sid 7 at 127.0.0.1:2187 is not in the membership$/],
  },
];

for (const c of CASES) {
  Deno.test(`ensemble verdict: ${c.name}`, () => {
    const s = ensembleStatus({
      peers: c.peers,
      verifier: c.verifier === undefined ? THREE : c.verifier,
      membershipSource: "test",
    });
    assert.equal(s.exitCode, c.exit, JSON.stringify(s.verdict));
    assert.equal(s.verdict.leader, c.leader);
    assert.equal(s.verdict.quorum, c.quorum);
    const want = c.problems ?? [];
    assert.equal(s.verdict.problems.length, want.length, s.verdict.problems.join("\n"));
    for (const re of want) {
      assert.ok(s.verdict.problems.some((p) => re.test(p)), `${re} in ${s.verdict.problems}`);
    }
    c.check?.(s);
  });
}
