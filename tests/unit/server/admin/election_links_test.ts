// ElectionLinkRecorder: what a QuorumCnxManager reports becomes the election
// links quorum_connections shows (up/down, initiator, queue, last notifications).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ElectionLinkRecorder } from "../../../../src/server/admin/election_links.ts";
import type { VoteView } from "../../../../src/server/admin/quorum_view.ts";

const vote = (state: VoteView["state"]): VoteView => ({
  leader: 3n,
  zxid: 5n,
  electionEpoch: 1n,
  peerEpoch: 1n,
  state,
});

Deno.test("links record connection state, who opened it, queue length and notifications", () => {
  const r = new ElectionLinkRecorder();
  r.known(3n, "h3:3888");
  r.known(2n, "h2:3888");
  r.connected(3n, "peer");
  r.queued(2n, 4);
  r.sent(3n, vote("looking"), 10);
  r.received(3n, vote("leading"), 11);
  const [two, three] = r.view();
  assertEquals(two, {
    sid: 2n,
    address: "h2:3888",
    up: false,
    initiator: null,
    sendQueue: 4,
    lastSent: null,
    lastReceived: null,
  });
  assertEquals([three.up, three.initiator, three.lastSent?.atMs, three.lastReceived?.state], [
    true,
    "peer",
    10,
    "leading",
  ]);
  r.disconnected(3n);
  assertEquals([r.view()[1].up, r.view()[1].initiator], [false, "peer"]);
  r.forget(2n);
  assertEquals(r.view().map((l) => l.sid), [3n]);
});

Deno.test("view() hands out copies: later events do not change an earlier answer", () => {
  const r = new ElectionLinkRecorder();
  r.connected(1n, "self", "h1:3888");
  const before = r.view();
  r.disconnected(1n);
  assertEquals(before[0].up, true);
});
