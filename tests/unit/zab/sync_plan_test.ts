// The leader's sync decision (zab-3.8.md §6.4/§6.5): every rule in a table, the
// 3.8 bugs the packet order avoids, and a property: whatever the learner holds,
// carrying out the plan leaves it with exactly the leader's committed history.
import assert from "node:assert/strict";
import fc from "fast-check";
import { counterOf, epochOf, makeZxid, PacketType } from "../../../src/zab/packet_types.ts";
import type { QuorumPacket } from "../../../src/zab/packets.ts";
import {
  contiguousHistory,
  planSync,
  type SyncInput,
  type ZabTxn,
} from "../../../src/zab/sync_plan.ts";

const z = (e: number, c: number) => makeZxid(e, c);
const txn = (zxid: bigint): ZabTxn => ({ zxid, entry: new Uint8Array([Number(counterOf(zxid))]) });
const name: Record<number, string> = {
  [PacketType.DIFF]: "DIFF",
  [PacketType.TRUNC]: "TRUNC",
  [PacketType.SNAP]: "SNAP",
  [PacketType.PROPOSAL]: "PROPOSAL",
  [PacketType.COMMIT]: "COMMIT",
  [PacketType.NEWLEADER]: "NEWLEADER",
};
const show = (p: QuorumPacket) => `${name[p.type]} ${epochOf(p.zxid)}:${counterOf(p.zxid)}`;

/** epoch 5 txns 5:1..5:6, then epoch 6 txns 6:1..6:3; last committed 6:3. */
const HISTORY = [1, 2, 3, 4, 5, 6].map((c) => txn(z(5, c))).concat(
  [1, 2, 3].map((c) => txn(z(6, c))),
);
const base = (over: Partial<SyncInput>): SyncInput => ({
  peerZxid: z(6, 3),
  observer: false,
  lastCommitted: z(6, 3),
  window: HISTORY,
  outstanding: [txn(z(7, 1)), txn(z(7, 2))],
  epoch: 7n,
  quorumVerifier: "server.1=127.0.0.1:2888:3888:participant\nversion=0",
  ...over,
});

interface Row {
  name: string;
  input: Partial<SyncInput>;
  want: string[];
}

const AFTER_NEWLEADER = ["NEWLEADER 7:0", "PROPOSAL 7:1", "PROPOSAL 7:2"];

const rows: Row[] = [
  {
    name: "peer at the leader's last committed zxid gets an empty DIFF",
    input: { peerZxid: z(6, 3) },
    want: ["DIFF 6:3", ...AFTER_NEWLEADER],
  },
  {
    name:
      "peer whose zxid is in the history gets DIFF(last committed) and the txns after it as pairs",
    input: { peerZxid: z(6, 1) },
    want: [
      "DIFF 6:3",
      "PROPOSAL 6:2",
      "COMMIT 6:2",
      "PROPOSAL 6:3",
      "COMMIT 6:3",
      ...AFTER_NEWLEADER,
    ],
  },
  {
    name: "peer at an epoch start whose history reaches back before it gets DIFF",
    input: { peerZxid: z(6, 0) },
    want: [
      "DIFF 6:3",
      "PROPOSAL 6:1",
      "COMMIT 6:1",
      "PROPOSAL 6:2",
      "COMMIT 6:2",
      "PROPOSAL 6:3",
      "COMMIT 6:3",
      ...AFTER_NEWLEADER,
    ],
  },
  {
    name: "peer at an epoch start whose history begins at that epoch's first txn gets DIFF",
    input: { peerZxid: z(6, 0), window: HISTORY.slice(6) },
    want: [
      "DIFF 6:3",
      "PROPOSAL 6:1",
      "COMMIT 6:1",
      "PROPOSAL 6:2",
      "COMMIT 6:2",
      "PROPOSAL 6:3",
      "COMMIT 6:3",
      ...AFTER_NEWLEADER,
    ],
  },
  {
    name:
      "peer at an epoch start the history does not cover gets SNAP (its epoch may have txns we lost)",
    input: { peerZxid: z(4, 0), window: HISTORY.slice(6) },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "peer older than the history kept gets SNAP",
    input: { peerZxid: z(5, 2), window: HISTORY.slice(4) },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "zookeeper_4925_no_diff_across_a_gap: a peer before a hole in the window gets SNAP",
    input: { peerZxid: z(5, 2), window: HISTORY.filter((t) => t.zxid !== z(5, 4)) },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "zookeeper_4925: a peer after the hole still gets DIFF from the gap-free part",
    input: { peerZxid: z(5, 5), window: HISTORY.filter((t) => t.zxid !== z(5, 4)) },
    want: [
      "DIFF 6:3",
      "PROPOSAL 5:6",
      "COMMIT 5:6",
      "PROPOSAL 6:1",
      "COMMIT 6:1",
      "PROPOSAL 6:2",
      "COMMIT 6:2",
      "PROPOSAL 6:3",
      "COMMIT 6:3",
      ...AFTER_NEWLEADER,
    ],
  },
  {
    name: "a window that stops short of the last committed zxid is not history: SNAP",
    input: { peerZxid: z(6, 1), window: HISTORY.slice(0, 8) },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "peer ahead of the leader in the same epoch gets TRUNC(last committed)",
    input: { peerZxid: z(6, 5) },
    want: ["TRUNC 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "peer ahead in the same epoch with no window still gets TRUNC to the committed txn",
    input: { peerZxid: z(6, 5), window: [] },
    want: ["TRUNC 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "no_cross_epoch_trunc: peer ahead in a later epoch gets SNAP, not TRUNC(6:3)",
    input: { peerZxid: z(7, 1), outstanding: [] },
    want: ["SNAP 6:3", "NEWLEADER 7:0"],
  },
  {
    name: "never TRUNC a peer at an epoch start",
    input: { peerZxid: z(7, 0) },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name:
      "peer with uncommitted txns of an old epoch inside the history is truncated within that epoch",
    input: { peerZxid: z(5, 8), window: HISTORY },
    want: [
      "TRUNC 5:6",
      "PROPOSAL 6:1",
      "COMMIT 6:1",
      "PROPOSAL 6:2",
      "COMMIT 6:2",
      "PROPOSAL 6:3",
      "COMMIT 6:3",
      ...AFTER_NEWLEADER,
    ],
  },
  {
    name: "no_cross_epoch_trunc: peer in an epoch that committed nothing gets SNAP",
    input: {
      peerZxid: z(6, 2),
      window: HISTORY.slice(0, 6).concat([txn(z(7, 1))]),
      lastCommitted: z(7, 1),
      outstanding: [],
      epoch: 8n,
    },
    want: ["SNAP 7:1", "NEWLEADER 8:0"],
  },
  {
    name: "TRUNC to the leader's epoch start is never chosen (nothing committed in it yet)",
    input: { peerZxid: z(7, 3), lastCommitted: z(7, 0), window: HISTORY, outstanding: [] },
    want: ["SNAP 7:0", "NEWLEADER 7:0"],
  },
  {
    name: "forceSnapshotSync: SNAP even when a DIFF would do",
    input: { peerZxid: z(6, 3), forceSnap: true },
    want: ["SNAP 6:3", ...AFTER_NEWLEADER],
  },
  {
    name: "observer_npe: an observer gets history as pairs and no outstanding PROPOSAL",
    input: { peerZxid: z(6, 2), observer: true },
    want: ["DIFF 6:3", "PROPOSAL 6:3", "COMMIT 6:3", "NEWLEADER 7:0"],
  },
];

for (const row of rows) {
  Deno.test(`sync plan: ${row.name}`, () => {
    const plan = planSync(base(row.input));
    assert.deepEqual(plan.packets.map(show), row.want, plan.reason);
  });
}

Deno.test("sync plan: zookeeper_4394_commit_after_newleader never happens for history", () => {
  // Every PROPOSAL before NEWLEADER is followed by its COMMIT before NEWLEADER,
  // and nothing after NEWLEADER is a COMMIT: a 3.8.x follower clears its
  // uncommitted list at NEWLEADER and NPEs on a later COMMIT for an earlier PROPOSAL.
  for (const peerZxid of [z(5, 1), z(6, 0), z(6, 1), z(5, 9), z(6, 7)]) {
    const plan = planSync(base({ peerZxid }));
    const nl = plan.packets.findIndex((p) => p.type === PacketType.NEWLEADER);
    const before = plan.packets.slice(0, nl);
    for (const [i, p] of before.entries()) {
      if (p.type === PacketType.PROPOSAL) {
        assert.equal(before[i + 1]?.type, PacketType.COMMIT);
        assert.equal(before[i + 1].zxid, p.zxid);
      }
    }
    assert.ok(plan.packets.slice(nl).every((p) => p.type !== PacketType.COMMIT));
  }
});

Deno.test("sync plan: through is the last zxid handed over (outstanding for followers, committed for observers)", () => {
  assert.equal(planSync(base({})).through, z(7, 2));
  assert.equal(planSync(base({ observer: true })).through, z(6, 3));
});

Deno.test("sync plan: an outstanding proposal that skips a zxid is refused, not sent", () => {
  assert.throws(() => planSync(base({ outstanding: [txn(z(7, 2))] })), /does not follow/);
});

Deno.test("sync plan: contiguousHistory keeps the gap-free tail ending at the last committed zxid", () => {
  const gap = HISTORY.filter((t) => t.zxid !== z(5, 3));
  assert.deepEqual(
    contiguousHistory(gap, z(6, 3)).map((t) => t.zxid),
    HISTORY.slice(3).map((t) => t.zxid),
  );
  assert.deepEqual(contiguousHistory(HISTORY, z(6, 2)), []);
  // An epoch change continues only at counter 1.
  const skip = [txn(z(5, 1)), txn(z(6, 2))];
  assert.deepEqual(contiguousHistory(skip, z(6, 2)).map((t) => t.zxid), [z(6, 2)]);
});

// ---- property: the plan always brings the learner to the leader's history ----

/** A committed history: epochs 1..n, each with 0..4 txns. */
const historyArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }).map(
  (counts) => counts.flatMap((n, i) => Array.from({ length: n }, (_, c) => z(i + 1, c + 1))),
);

interface Peer {
  log: bigint[];
  /** The ACKEPOCH zxid. */
  last: bigint;
}

/** A learner that holds a committed prefix, then maybe txns no one committed or an epoch start. */
function peerOf(h: bigint[], cut: number, kind: number, extra: number): Peer {
  const log = h.slice(0, cut);
  const lastEpoch = log.length ? epochOf(log[log.length - 1]) : 0n;
  const nextEpoch = cut < h.length ? epochOf(h[cut]) : 99n;
  const epochs = new Set(h.map(epochOf));
  if (kind === 1 && log.length && nextEpoch > lastEpoch) {
    // Uncommitted txns of its last epoch (they can exist only if the history moved to a later epoch).
    for (let i = 1; i <= extra; i++) log.push(log[log.length - 1] + 1n);
  } else if (kind === 2) {
    // Uncommitted txns of an epoch that committed nothing.
    const e = [...Array(7).keys()].map((i) => lastEpoch + BigInt(i) + 1n).find((e) =>
      !epochs.has(e) && e < nextEpoch
    );
    if (e !== undefined) { for (let i = 1; i <= extra; i++) log.push(makeZxid(e, i)); }
  } else if (kind === 3) {
    // Synced at the start of an epoch no later than the next committed txn's.
    const e = lastEpoch + 1n <= nextEpoch ? lastEpoch + 1n : lastEpoch;
    if (e > lastEpoch) return { log, last: makeZxid(e, 0) };
  }
  return { log, last: log.length ? log[log.length - 1] : 0n };
}

Deno.test("sync plan: carrying out the plan leaves any learner with exactly the committed history", () => {
  fc.assert(
    fc.property(
      historyArb,
      fc.nat(),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.nat(),
      fc.nat(),
      (h, cutSeed, kind, extra, windowSeed, gapSeed) => {
        const cut = cutSeed % (h.length + 1);
        const peer = peerOf(h, cut, kind, extra);
        const c = h.length ? h[h.length - 1] : 0n;
        let window = h.slice(windowSeed % (h.length + 1)).map(txn);
        if (gapSeed % 3 === 0 && window.length > 2) {
          // A hole the zxids show: not the tail of an epoch (a missing epoch
          // tail looks like any epoch change; one ordered log rules it out).
          const hole = 1 + (gapSeed % (window.length - 2));
          if (epochOf(window[hole + 1].zxid) === epochOf(window[hole].zxid)) {
            window = window.filter((_, i) => i !== hole);
          }
        }
        const plan = planSync({
          peerZxid: peer.last,
          observer: false,
          lastCommitted: c,
          window,
          outstanding: [],
          epoch: 50n,
          quorumVerifier: "",
        });
        let result: bigint[];
        if (plan.mode === "snap") result = h.slice();
        else if (plan.mode === "trunc") {
          assert.ok(peer.log.includes(plan.zxid), `TRUNC to ${plan.zxid} the peer does not hold`);
          assert.equal(epochOf(plan.zxid), epochOf(peer.last), "TRUNC across epochs");
          assert.ok(counterOf(plan.zxid) > 0n, "TRUNC to an epoch start");
          result = peer.log.filter((x) => x <= plan.zxid);
        } else result = peer.log.slice();
        for (const p of plan.packets) if (p.type === PacketType.PROPOSAL) result.push(p.zxid);
        assert.deepEqual(result, h, `${plan.mode}: ${plan.reason}`);
      },
    ),
    { numRuns: 2000 },
  );
});
