// zkt's snapshot reader against Apache ZooKeeper's SnapshotFormatter on the same files.
import { SKIP_INTEROP } from "../support/interop.ts";
import { COMPRESSED, FINAL_SNAPSHOT, MID_SNAPSHOT, V2 } from "../unit/persistence/fixture.ts";
import { compareWithFormatter } from "./zk_tools.ts";

Deno.test({
  name:
    "every znode and session zkt reads from ZooKeeper's snapshots (plain, .gz, .snappy) matches SnapshotFormatter",
  ignore: SKIP_INTEROP,
  async fn() {
    const compressed = [".gz", ".snappy"].map((ext) => `${COMPRESSED}/snapshot.20000000d${ext}`);
    for (const f of [`${V2}/snapshot.0`, MID_SNAPSHOT, FINAL_SNAPSHOT, ...compressed]) {
      await compareWithFormatter(f);
    }
  },
});
