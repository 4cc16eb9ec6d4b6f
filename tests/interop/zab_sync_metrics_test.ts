// Every role of a 3.8 ensemble meters its txn log as SyncRequestProcessor does:
// fsynctime, sync_processor_batch_size and sync_processor_request_queued move
// on the leader and on each follower, and a follower (no PrepRequestProcessor)
// leaves prep_processor_request_queued at 0. The same checks run on an
// all-Java row first, so they hold for ZooKeeper before they judge zkt.
import { ok } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { Ensemble, type MemberSpec } from "../support/ensemble.ts";
import { mntrOf, writeVia } from "../support/zab_learner_check.ts";

const ROWS: MemberSpec[][] = [["zk", "zk", "zk"], ["zkt", "zkt", "zkt"], ["zkt", "zk", "zkt"]];
const WRITES = 40;

/** mntr's number for key (NaN when absent). */
function num(m: Map<string, string>, key: string): number {
  return Number(m.get(key) ?? NaN);
}

for (const row of ROWS) {
  Deno.test({
    name: `zab sync metrics: [${row}]: leader and followers meter fsyncs and batches, ` +
      `followers count no prep`,
    ignore: SKIP_INTEROP,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const e = await Ensemble.start(row, { leaderLast: true });
      try {
        await e.waitServing();
        await writeVia(e.member(1).client, "/metered", WRITES);
        for (const m of e.running) {
          const role = m.sid === 3 ? "leader" : "follower";
          const where = `sid ${m.sid} (${m.kind} ${role})`;
          // A follower logs a proposal before acking; the one not in the quorum may trail.
          let mntr = await mntrOf(m.client);
          for (let t = 0; num(mntr, "zk_sum_sync_processor_batch_size") < WRITES && t < 200; t++) {
            await new Promise((r) => setTimeout(r, 50));
            mntr = await mntrOf(m.client);
          }
          ok(
            num(mntr, "zk_cnt_fsynctime") >= 1,
            `${where}: zk_cnt_fsynctime ${mntr.get("zk_cnt_fsynctime")}`,
          );
          ok(
            num(mntr, "zk_sum_sync_processor_batch_size") >= WRITES,
            `${where}: zk_sum_sync_processor_batch_size ${
              mntr.get("zk_sum_sync_processor_batch_size")
            }`,
          );
          ok(
            num(mntr, "zk_sync_processor_request_queued") >= WRITES,
            `${where}: zk_sync_processor_request_queued ${
              mntr.get("zk_sync_processor_request_queued")
            }`,
          );
          const prep = num(mntr, "zk_prep_processor_request_queued");
          if (role === "leader") {
            ok(prep >= WRITES, `${where}: zk_prep_processor_request_queued ${prep}`);
          } else ok(prep === 0, `${where}: zk_prep_processor_request_queued ${prep}`);
        }
      } finally {
        await e.stop();
      }
    },
  });
}
