// zkt's txn-log reader against Apache ZooKeeper's TxnLogToolkit on the same files.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { opName, txnPaths } from "../../src/cli/txn_format.ts";
import { OpCode } from "../../src/jute/constants.ts";
import { type LogTxn, readTxnLog } from "../../src/persistence/txnlog.ts";
import { LOG1, LOG2 } from "../unit/persistence/fixture.ts";
import { parseTxnLogToolkit, runZkTool } from "./zk_tools.ts";

/** Compares every txn's header fields, type and path(s) with TxnLogToolkit's dump. */
export async function compareWithToolkit(file: string): Promise<number> {
  const r = await runZkTool("org.apache.zookeeper.server.persistence.TxnLogToolkit", "-d", file);
  assert.equal(r.code, 0, r.err);
  const zk = parseTxnLogToolkit(r.out);
  const ours: LogTxn[] = [];
  for await (const e of readTxnLog(file)) if (e.kind === "txn") ours.push(e);
  assert.equal(zk.count, ours.length, `${file}: txn count`);
  assert.equal(zk.txns.length, ours.length);
  ours.forEach((t, i) => {
    const z = zk.txns[i];
    const at = `${file} zxid 0x${t.header.zxid.toString(16)}`;
    assert.equal(z.zxid, BigInt.asUintN(64, t.header.zxid), at);
    assert.equal(z.session, BigInt.asUintN(64, t.header.clientId), at);
    assert.equal(z.cxid, t.header.cxid >>> 0, at);
    assert.equal(z.type.toLowerCase(), opName(t.header.type).toLowerCase(), at);
    for (const p of txnPaths(t.txn)) assert.ok(z.rest.includes(p), `${at}: ${p} in "${z.rest}"`);
    if (t.header.type === OpCode.createSession) {
      assert.equal(z.rest, String((t.txn.record as { timeOut: number }).timeOut), at);
    }
  });
  return ours.length;
}

Deno.test({
  name: "every txn zkt reads from ZooKeeper's logs matches TxnLogToolkit's dump",
  ignore: SKIP_INTEROP,
  async fn() {
    assert.equal(await compareWithToolkit(LOG1), 28);
    assert.equal(await compareWithToolkit(LOG2), 9);
  },
});
