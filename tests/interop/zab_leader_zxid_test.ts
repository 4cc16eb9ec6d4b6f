// A leader's srvr says the new epoch before any write, as 3.8's does: Leader.
// startZkServer sets the tree's last processed zxid to (epoch, 0) once a quorum
// acked NEWLEADER. Operators and `zkt ensemble status` read epochs off that zxid.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { Ensemble, type MemberSpec } from "../support/ensemble.ts";

const ROWS: MemberSpec[][] = [["zk", "zk", "zk"], ["zk", "zk", "zkt"]];

for (const row of ROWS) {
  Deno.test({
    name:
      `zab leader zxid: [${row}]'s leader (sid 3) says Zxid 0x100000000 on srvr before any write`,
    ignore: SKIP_INTEROP,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const e = await Ensemble.start(row, { leaderLast: true });
      try {
        const leader = e.member(3);
        assertEquals(await e.srvr(leader), { mode: "leader", zxid: 0x1_0000_0000n });
      } finally {
        await e.stop();
      }
    },
  });
}
