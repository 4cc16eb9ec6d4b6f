// zkt's txn-log reader against Apache ZooKeeper's TxnLogToolkit on the same files.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { LOG1, LOG2 } from "../unit/persistence/fixture.ts";
import { compareWithToolkit } from "./zk_tools.ts";

Deno.test({
  name: "every txn zkt reads from ZooKeeper's logs matches TxnLogToolkit's dump",
  ignore: SKIP_INTEROP,
  async fn() {
    assert.equal(await compareWithToolkit(LOG1), 28);
    assert.equal(await compareWithToolkit(LOG2), 13);
  },
});
