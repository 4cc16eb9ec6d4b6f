// `zkt snap diff` against Apache ZooKeeper's SnapshotComparer on the same two
// snapshots: node counts, data sizes and nodes per depth of both trees.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { FINAL_SNAPSHOT, MID_SNAPSHOT, V2 } from "../unit/persistence/fixture.ts";
import { zkt } from "../unit/cli/cli_io.ts";
import { runZkTool } from "./zk_tools.ts";

interface Shape {
  nodes: number;
  bytes: number;
  byDepth: number[];
}

function parseComparer(out: string): Shape[] {
  return out.split(/\n\s*\n/).filter((b) => b.includes("Node count:")).map((b) => {
    const byDepth: number[] = [];
    for (const m of b.matchAll(/Count of nodes at depth (\d+): (\d+)/g)) {
      byDepth[Number(m[1])] = Number(m[2]);
    }
    const maxDepth = Number(b.match(/Max depth: (\d+)/)![1]);
    assert.equal(byDepth.length, maxDepth, "SnapshotComparer's max depth counts levels");
    return {
      nodes: Number(b.match(/Node count: (\d+)/)![1]),
      bytes: Number(b.match(/Total size: (\d+)/)![1]),
      byDepth,
    };
  });
}

Deno.test({
  name: "snap diff describes both trees as SnapshotComparer does",
  ignore: SKIP_INTEROP,
  async fn() {
    for (const [a, b] of [[MID_SNAPSHOT, FINAL_SNAPSHOT], [`${V2}/snapshot.0`, MID_SNAPSHOT]]) {
      const r = await runZkTool(
        "org.apache.zookeeper.server.SnapshotComparer",
        "-l",
        a,
        "-r",
        b,
        "-b",
        "1",
        "-n",
        "1",
      );
      assert.equal(r.code, 0, r.err);
      const [zkA, zkB] = parseComparer(r.out);
      const ours = JSON.parse((await zkt("snap", "diff", a, b, "--json")).out);
      for (const [zk, mine] of [[zkA, ours.a], [zkB, ours.b]]) {
        assert.equal(mine.nodes, zk.nodes);
        assert.equal(mine.bytes, zk.bytes);
        assert.deepEqual(mine.byDepth, zk.byDepth);
      }
    }
  },
});
