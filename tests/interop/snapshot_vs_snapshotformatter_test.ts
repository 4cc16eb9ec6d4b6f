// zkt's snapshot reader against Apache ZooKeeper's SnapshotFormatter on the same
// files: the committed fixture and a data dir generated live by gen-fixtures.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { base64 } from "../../src/cli/znode_format.ts";
import { readSnapshot, type SnapEntry } from "../../src/persistence/snapshot.ts";
import { FINAL_SNAPSHOT, MID_SNAPSHOT, V2 } from "../unit/persistence/fixture.ts";
import { parseSnapshotFormatter, runZkTool } from "./zk_tools.ts";

const hex = (v: bigint) => BigInt.asUintN(64, v);

/** Compares every znode, session and the count field by field. */
export async function compareWithFormatter(file: string): Promise<void> {
  const r = await runZkTool("org.apache.zookeeper.server.SnapshotFormatter", "-d", file);
  assert.equal(r.code, 0, r.err);
  const zk = parseSnapshotFormatter(r.out);
  const nodes: Extract<SnapEntry, { kind: "node" }>[] = [];
  const sessions: { id: bigint; timeout: number }[] = [];
  for await (const e of readSnapshot(file)) {
    if (e.kind === "node") nodes.push(e);
    if (e.kind === "session") sessions.push(e);
  }
  // DataTree counts the root twice ("" and its alias "/").
  assert.equal(zk.count, nodes.length + 1, `${file}: node count`);
  assert.equal(zk.nodes.size, nodes.length);
  for (const n of nodes) {
    const path = n.path === "" ? "/" : n.path;
    const z = zk.nodes.get(path);
    assert.ok(z, `${path} printed by SnapshotFormatter`);
    const f = z.fields;
    assert.equal(BigInt(f.get("cZxid")!), hex(n.stat.czxid), `${path} cZxid`);
    assert.equal(BigInt(f.get("mZxid")!), hex(n.stat.mzxid), `${path} mZxid`);
    assert.equal(BigInt(f.get("pZxid")!), hex(n.stat.pzxid), `${path} pZxid`);
    assert.equal(Number(f.get("cversion")), n.stat.cversion, `${path} cversion`);
    assert.equal(Number(f.get("dataVersion")), n.stat.version, `${path} dataVersion`);
    assert.equal(Number(f.get("aclVersion")), n.stat.aversion, `${path} aclVersion`);
    assert.equal(
      BigInt(f.get("ephemeralOwner")!),
      hex(n.stat.ephemeralOwner),
      `${path} ephemeralOwner`,
    );
    assert.equal(f.get("data"), n.data ? base64(n.data) : "", `${path} data`);
    for (const [k, v] of [["ctime", n.stat.ctime], ["mtime", n.stat.mtime]] as const) {
      // Java's Date.toString has second resolution.
      assert.equal(
        Date.parse(f.get(k)!.replace(" UTC ", " ") + " UTC") / 1000,
        Math.floor(Number(v) / 1000),
        `${path} ${k}`,
      );
    }
  }
  assert.deepEqual(
    zk.sessions.map((s) => [s.id, s.timeout]).sort(),
    sessions.map((s) => [hex(s.id), s.timeout]).sort(),
  );
}

Deno.test({
  name: "every znode and session zkt reads from ZooKeeper's snapshots matches SnapshotFormatter",
  ignore: SKIP_INTEROP,
  async fn() {
    for (const f of [`${V2}/snapshot.0`, MID_SNAPSHOT, FINAL_SNAPSHOT]) {
      await compareWithFormatter(f);
    }
  },
});
