// The other direction: a data dir written by zkt (a snapshot of the fixture's
// replayed tree plus a log of new txns) is read by SnapshotFormatter and
// TxnLogToolkit, and Apache ZooKeeper 3.8 starts on it and serves the same
// znodes (read back with kazoo) without a digest mismatch.
import assert from "node:assert/strict";
import { applyTxn } from "../../src/data/apply.ts";
import { fullStat } from "../../src/server/codec.ts";
import { OpCode } from "../../src/jute/constants.ts";
import type { TxnHeader } from "../../src/jute/txn.ts";
import { restore } from "../../src/persistence/datadir.ts";
import type { Txn } from "../../src/jute/txn_body.ts";
import { writeSnapshot } from "../../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../../src/persistence/txnlog.ts";
import { startApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";
import { FIXTURE_DIR } from "../unit/persistence/fixture.ts";
import { compareWithFormatter, compareWithToolkit } from "./zk_tools.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const enc = new TextEncoder();

const DUMP_TREE = `
import base64, json, sys
from kazoo.client import KazooClient
c = KazooClient(hosts="127.0.0.1:" + sys.argv[1], timeout=30)
c.start(timeout=60)
c.add_auth("digest", "alice:secret")
def walk(p):
    data, st = c.get(p)
    # 64-bit values as strings: JSON numbers lose precision past 2^53.
    print(json.dumps({"path": p, "data": base64.b64encode(data or b"").decode(), "czxid": str(st.czxid),
        "mzxid": str(st.mzxid), "pzxid": str(st.pzxid), "version": st.version, "cversion": st.cversion,
        "aversion": st.aversion, "owner": str(st.ephemeralOwner), "ctime": st.ctime, "mtime": st.mtime,
        "numChildren": st.numChildren}))
    for k in sorted(c.get_children(p)):
        walk(("" if p == "/" else p) + "/" + k)
walk("/")
c.stop()
`;

Deno.test({
  name: "Apache ZooKeeper reads a data dir zkt wrote: tools, server start, znodes and digests",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  async fn() {
    const r = await restore(FIXTURE_DIR);
    const tree = r.tree;
    const base = await Deno.makeTempDir({ prefix: "zkt-written-" });
    const v2 = `${base}/data/version-2`;
    await Deno.mkdir(v2, { recursive: true });
    const snapFile = `${v2}/${snapshotFileName(tree.lastProcessedZxid)}`;
    await writeSnapshot(snapFile, tree, { dbid: -1n });

    const session = 0x7a6b7400000001n;
    let zxid = tree.lastProcessedZxid;
    let cxid = 0;
    const now = Date.now();
    const txns: [number, Txn, bigint][] = [
      [OpCode.createSession, { type: OpCode.createSession, record: { timeOut: 30000 } }, session],
      [OpCode.create, {
        type: OpCode.create,
        record: {
          path: "/zkt",
          data: enc.encode("written by zkt"),
          acl: OPEN,
          ephemeral: false,
          parentCVersion: tree.get("/")!.stat.cversion + 1,
        },
      }, session],
      [OpCode.create2, {
        type: OpCode.create2,
        record: { path: "/zkt/eph", data: null, acl: OPEN, ephemeral: true, parentCVersion: 1 },
      }, session],
      [OpCode.setData, {
        type: OpCode.setData,
        record: { path: "/app", data: enc.encode("changed"), version: 3 },
      }, session],
      [OpCode.createTTL, {
        type: OpCode.createTTL,
        record: {
          path: "/zkt/ttl",
          data: enc.encode("t"),
          acl: OPEN,
          parentCVersion: 2,
          ttl: 3_600_000n,
        },
      }, session],
      [OpCode.multi, {
        type: OpCode.multi,
        record: null,
        subs: [
          {
            type: OpCode.create,
            record: {
              path: "/zkt/m",
              data: enc.encode("m"),
              acl: OPEN,
              ephemeral: false,
              parentCVersion: 3,
            },
          },
          { type: OpCode.delete, record: { path: "/bin" } },
        ],
      }, session],
    ];
    const log = await TxnLogWriter.create(`${v2}/${logFileName(zxid + 1n)}`, 0n);
    for (const [type, txn, client] of txns) {
      const header: TxnHeader = { clientId: client, cxid: ++cxid, zxid: ++zxid, time: now, type };
      applyTxn(tree, header, txn);
      log.append(header, txn, { version: 2, treeDigest: tree.digest });
    }
    await log.close();

    await compareWithFormatter(snapFile);
    // Compressed snapshots zkt writes read in ZooKeeper's tools too.
    const cdir = await Deno.makeTempDir({ prefix: "zkt-compressed-" });
    for (const suffix of [".gz", ".snappy"]) {
      const f = `${cdir}/${snapshotFileName(tree.lastProcessedZxid, suffix)}`;
      await writeSnapshot(f, tree, { dbid: -1n });
      await compareWithFormatter(f);
    }
    assert.equal(
      await compareWithToolkit(`${v2}/${logFileName(tree.lastProcessedZxid - 5n)}`),
      txns.length,
    );

    const port = freePort();
    const zk = await startApacheZk({
      dir: base,
      clientPort: port,
      jvmProps: { "zookeeper.extendedTypesEnabled": "true" },
    });
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
        // ZooKeeper runs with extendedTypesEnabled, so TTL owners read as 0 to clients.
        const st = fullStat(node.stat, node.data?.length ?? 0, node.numChildren, true);
        assert.equal(BigInt(s.czxid), node.stat.czxid, `${p} czxid`);
        assert.equal(BigInt(s.mzxid), node.stat.mzxid, `${p} mzxid`);
        assert.equal(BigInt(s.pzxid), node.stat.pzxid, `${p} pzxid`);
        assert.equal(s.version, node.stat.version, `${p} version`);
        assert.equal(s.cversion, st.cversion, `${p} cversion (as clients see it)`);
        assert.equal(s.aversion, node.stat.aversion, `${p} aversion`);
        assert.equal(
          BigInt.asIntN(64, BigInt(s.owner)),
          st.ephemeralOwner,
          `${p} owner`,
        );
        assert.equal(s.numChildren, st.numChildren, `${p} numChildren`);
        assert.equal(s.ctime, st.ctime, `${p} ctime`);
        assert.equal(s.mtime, st.mtime, `${p} mtime`);
        assert.equal(atob(s.data), node.data ? String.fromCharCode(...node.data) : "", `${p} data`);
      }
      assert.equal(served.length, tree.size, "ZooKeeper serves exactly the nodes zkt wrote");
      assert.doesNotMatch(
        zk.log(),
        /Digests are not matching|digest mismatch|Highest txn zxid .* is not covering/i,
      );
    } finally {
      await zk.stop();
    }
  },
});
