// Apache ZooKeeper 3.8 and zkt restore the same tree from a data dir whose log
// ran up to a zxid and started again at the epoch's first txn, as a 3.8.0
// follower that rejoined under writes leaves it: ZooKeeper logs an ERROR per
// txn below the highest zxid and applies it; zkt must not refuse the dir.
import assert from "node:assert/strict";
import { fullStat } from "../../src/server/codec.ts";
import { restore } from "../../src/persistence/datadir.ts";
import { startApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";
import {
  RESTARTED,
  RESTARTED_CUT_SHORT,
  writeRepeatedDataDir,
} from "../unit/persistence/repeated_log.ts";

const DUMP_TREE = `
import base64, json, sys
from kazoo.client import KazooClient
c = KazooClient(hosts="127.0.0.1:" + sys.argv[1], timeout=30)
c.start(timeout=60)
def walk(p):
    data, st = c.get(p)
    print(json.dumps({"path": p, "data": base64.b64encode(data or b"").decode(), "czxid": str(st.czxid),
        "mzxid": str(st.mzxid), "pzxid": str(st.pzxid), "version": st.version, "cversion": st.cversion,
        "aversion": st.aversion, "ctime": st.ctime, "mtime": st.mtime, "numChildren": st.numChildren}))
    for k in sorted(c.get_children(p)):
        walk(("" if p == "/" else p) + "/" + k)
walk("/")
c.stop()
`;

for (
  const [what, order] of [
    ["a log that started again at 0x1", RESTARTED],
    ["a log whose second run stopped at 0x2", RESTARTED_CUT_SHORT],
  ] as const
) {
  Deno.test({
    name: `ZooKeeper and zkt restore the same tree from ${what}`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    async fn() {
      const base = await Deno.makeTempDir({ prefix: "zkt-repeated-" });
      await writeRepeatedDataDir(`${base}/data`, [...order]);
      // zkt first: ZooKeeper writes a snapshot and new logs into the dir at start.
      const r = await restore(`${base}/data`);
      const tree = r.tree;
      const port = freePort();
      const zk = await startApacheZk({ dir: base, clientPort: port });
      try {
        const out = await new Deno.Command(SYSTEM_PYTHON, {
          args: ["-c", DUMP_TREE, String(port)],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        const served = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        const byPath = new Map(served.map((n) => [n.path, n]));
        for (const [path, node] of tree.walk()) {
          const p = path === "" ? "/" : path;
          // ZooKeeper rewrites /zookeeper/config from its own config at start.
          if (p === "/zookeeper/config") continue;
          const s = byPath.get(p);
          assert.ok(s, `${p} served by ZooKeeper`);
          const st = fullStat(node.stat, node.data?.length ?? 0, node.numChildren, false);
          assert.equal(BigInt(s.czxid), node.stat.czxid, `${p} czxid`);
          assert.equal(BigInt(s.mzxid), node.stat.mzxid, `${p} mzxid`);
          assert.equal(BigInt(s.pzxid), node.stat.pzxid, `${p} pzxid`);
          assert.equal(s.version, node.stat.version, `${p} version`);
          assert.equal(s.cversion, st.cversion, `${p} cversion`);
          assert.equal(s.aversion, node.stat.aversion, `${p} aversion`);
          assert.equal(s.numChildren, st.numChildren, `${p} numChildren`);
          assert.equal(s.ctime, st.ctime, `${p} ctime`);
          assert.equal(s.mtime, st.mtime, `${p} mtime`);
          assert.equal(
            atob(s.data),
            node.data ? String.fromCharCode(...node.data) : "",
            `${p} data`,
          );
        }
        assert.equal(served.length, tree.size, "ZooKeeper serves exactly the nodes zkt restored");
        // The ERROR zkt's describeBehind repeats: ZooKeeper met the same txns behind.
        const highest = order.indexOf(1, 1);
        assert.match(
          zk.log(),
          new RegExp(`${highest}\\(highestZxid\\) > 1\\(next log\\) for type 1`),
        );
      } finally {
        await zk.stop();
        await Deno.remove(base, { recursive: true });
      }
    },
  });
}
