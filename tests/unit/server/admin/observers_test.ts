// The AdminServer's observers command (alias obsr) on a leader: 3.8's
// SyncedObserverConsCommand lists each synced observer's LearnerHandler info
// (getLearnerHandlerInfo's nine keys, in its order) and counts them; a zkt
// leader used to answer with none.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { handleAdminRequest } from "../../../../src/server/admin/admin_server.ts";
import type { AdminSources } from "../../../../src/server/admin/commands.ts";
import { parseJsonExact } from "../../../../src/inspect/json_exact.ts";
import type { LearnerHandlerView, QuorumView } from "../../../../src/server/admin/quorum_view.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";

function handler(
  sid: number,
  observer: boolean,
  forwarding: boolean,
  upToDate = forwarding,
): LearnerHandlerView {
  return {
    sid: BigInt(sid),
    observer,
    upToDate,
    forwarding,
    remoteSocketAddress: `/127.0.0.1:${40000 + sid}`,
    established: 1_700_000_000_000 + sid,
    queuedPackets: 0,
    queuedPacketsSize: 0,
    packetsReceived: 10 * sid,
    packetsSent: 20 * sid,
    requests: sid,
    lastZxid: 0x100000003n,
  };
}

Deno.test("observers on a leader lists its synced observers with 3.8's LearnerHandler keys, by sid", async () => {
  const s = await startInProc();
  try {
    const quorum = {
      learnerHandlers: [
        handler(5, true, true),
        handler(2, false, true), // a follower
        handler(4, true, false), // registered, its sync not begun
        handler(6, true, true, false), // syncing: 3.8 lists it from its sync's start
        handler(3, true, true),
      ],
    } as unknown as QuorumView;
    const src: AdminSources = { view: () => s.server.fourLetterView(), quorum: () => quorum };
    const res = await handleAdminRequest(new URL("http://x/commands/obsr"), src);
    const text = await res.text();
    const body = parseJsonExact(text) as Record<string, unknown>;
    assertEquals(Object.keys(body), ["synced_observers", "observers", "command", "error"]);
    assertEquals(body.synced_observers, 3);
    const obs = body.observers as Record<string, unknown>[];
    assertEquals(obs.map((o) => o.sid), [3, 5, 6]);
    assertEquals(Object.keys(obs[0]), [
      "remote_socket_address",
      "sid",
      "established",
      "queued_packets",
      "queued_packets_size",
      "packets_received",
      "packets_sent",
      "requests",
      "last_zxid",
    ]);
    assertEquals(obs[0].remote_socket_address, "/127.0.0.1:40003");
    assertEquals(obs[0].established, 1_700_000_000_003);
    assertEquals(obs[0].last_zxid, 0x100000003);
    assertEquals([obs[0].packets_received, obs[0].packets_sent, obs[0].requests], [30, 60, 3]);
  } finally {
    await s.stop();
  }
});
