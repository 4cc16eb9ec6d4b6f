import assert from "node:assert/strict";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { nodeKind } from "../../../src/data/node_kind.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { TxnHeader } from "../../../src/jute/txn.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { loadSnapshot } from "../../../src/persistence/snapshot.ts";
import { readTxnLog } from "../../../src/persistence/txnlog.ts";
import { FINAL_SNAPSHOT, LOG2, MID_SNAPSHOT } from "../persistence/fixture.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
let zxid = 0n;
function hdr(type: number, clientId = 0x42n): TxnHeader {
  return { clientId, cxid: 1, zxid: ++zxid, time: 1_700_000_000_000 + Number(zxid), type };
}
function create(path: string, extra: Record<string, unknown> = {}): Txn {
  return {
    type: OpCode.create,
    record: {
      path,
      data: new Uint8Array([1]),
      acl: OPEN,
      ephemeral: false,
      parentCVersion: -1,
      ...extra,
    },
  };
}

Deno.test("replaying ZooKeeper's second log over its mid-way snapshot reproduces its final snapshot exactly", async () => {
  const tree = new DataTree({ empty: true });
  await loadSnapshot(MID_SNAPSHOT, tree);
  let checked = 0;
  for await (const e of readTxnLog(LOG2)) {
    if (e.kind !== "txn") continue;
    applyTxn(tree, e.header, e.txn);
    if (e.digest) {
      assert.equal(
        tree.digest,
        e.digest.treeDigest,
        `digest after 0x${e.header.zxid.toString(16)}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 8);
  const final = new DataTree({ empty: true });
  await loadSnapshot(FINAL_SNAPSHOT, final);
  assert.deepEqual([...tree.nodes.keys()].sort(), [...final.nodes.keys()].sort());
  for (const [path, n] of final.nodes) {
    const m = tree.nodes.get(path)!;
    assert.deepEqual(m.stat, n.stat, path);
    assert.deepEqual(m.data, n.data, path);
    assert.deepEqual(tree.aclOf(m), final.aclOf(n), path);
    assert.deepEqual([...m.children].sort(), [...n.children].sort(), path);
  }
  assert.equal(tree.digest, final.digest);
  assert.deepEqual([...tree.sessions], [...final.sessions]);
  assert.equal(tree.lastProcessedZxid, 0x20000000dn);
});

Deno.test("create, setData, setACL and delete keep stats as ZooKeeper does and report watch events", () => {
  const t = new DataTree();
  const r1 = applyTxn(t, hdr(OpCode.create), create("/a"));
  assert.equal(r1.err, 0);
  assert.deepEqual(kinds(r1.events), [{ type: "created", path: "/a" }, {
    type: "childrenChanged",
    path: "/",
  }]);
  const root = t.get("/")!;
  assert.equal(root.stat.cversion, 1);
  assert.equal(root.stat.pzxid, zxid);
  const r2 = applyTxn(t, hdr(OpCode.setData), {
    type: OpCode.setData,
    record: { path: "/a", data: new Uint8Array([9]), version: 1 },
  });
  assert.deepEqual(kinds(r2.events), [{ type: "dataChanged", path: "/a" }]);
  const a = t.get("/a")!;
  assert.equal(a.stat.version, 1);
  assert.equal(a.stat.mzxid, zxid);
  assert.notEqual(a.stat.czxid, a.stat.mzxid);
  applyTxn(t, hdr(OpCode.setACL), {
    type: OpCode.setACL,
    record: { path: "/a", acl: [{ perms: 1, id: { scheme: "world", id: "anyone" } }], version: 1 },
  });
  assert.equal(t.get("/a")!.stat.aversion, 1);
  assert.equal(t.aclOf(t.get("/a")!)[0].perms, 1);
  const r3 = applyTxn(t, hdr(OpCode.delete), { type: OpCode.delete, record: { path: "/a" } });
  assert.deepEqual(kinds(r3.events), [{ type: "deleted", path: "/a" }, {
    type: "childrenChanged",
    path: "/",
  }]);
  assert.equal(t.get("/a"), undefined);
  assert.equal(root.stat.pzxid, zxid, "delete moves the parent's pzxid");
  assert.equal(root.stat.cversion, 1, "delete leaves cversion (DataTree.deleteNode)");
  assert.equal(t.digest, t.computeDigest());
});

Deno.test("ephemeral, container and TTL nodes land in their lists; closeSession removes the ephemerals", () => {
  const t = new DataTree({ extendedTypes: true });
  const s = 0x1000abcn;
  applyTxn(t, hdr(OpCode.createSession, s), {
    type: OpCode.createSession,
    record: { timeOut: 4000 },
  });
  assert.equal(t.sessions.get(s), 4000);
  applyTxn(t, hdr(OpCode.create, s), create("/e", { ephemeral: true }));
  applyTxn(t, hdr(OpCode.createContainer, s), {
    type: OpCode.createContainer,
    record: { path: "/c", data: null, acl: OPEN, parentCVersion: -1 },
  });
  applyTxn(t, hdr(OpCode.createTTL, s), {
    type: OpCode.createTTL,
    record: { path: "/t", data: null, acl: OPEN, parentCVersion: -1, ttl: 5000n },
  });
  assert.deepEqual([...t.ephemerals.get(s)!], ["/e"]);
  assert.ok(t.containers.has("/c"));
  assert.ok(t.ttls.has("/t"));
  assert.equal(nodeKind(t.get("/t")!.stat.ephemeralOwner, true), "ttl");
  const r = applyTxn(t, hdr(OpCode.closeSession, s), {
    type: OpCode.closeSession,
    record: { paths2Delete: ["/e"] },
  });
  assert.deepEqual(r.deleted, ["/e"]);
  assert.equal(t.get("/e"), undefined);
  assert.equal(t.sessions.has(s), false);
  assert.equal(t.digest, t.computeDigest());
});

Deno.test("a failed multi changes nothing; a committed one applies every sub-txn", () => {
  const t = new DataTree();
  const before = t.digest;
  const failed: Txn = {
    type: OpCode.multi,
    record: null,
    subs: [create("/x"), { type: OpCode.error, record: { err: -103 } }],
  };
  const rf = applyTxn(t, hdr(OpCode.multi), failed);
  assert.equal(rf.err, -103);
  assert.equal(t.get("/x"), undefined);
  assert.equal(t.digest, before);
  const ok: Txn = {
    type: OpCode.multi,
    record: null,
    subs: [
      create("/x"),
      { type: OpCode.check, record: { path: "/x", version: 0 } },
      create("/x/y"),
    ],
  };
  const ro = applyTxn(t, hdr(OpCode.multi), ok);
  assert.equal(ro.err, 0);
  assert.equal(ro.multi!.length, 3);
  assert.ok(t.get("/x/y"));
  assert.equal(
    t.get("/x")!.stat.czxid,
    t.get("/x/y")!.stat.czxid,
    "sub-txns share the multi's zxid",
  );
});

Deno.test("replaying a create that a fuzzy snapshot already holds moves the parent's cversion forward", () => {
  const t = new DataTree();
  applyTxn(t, hdr(OpCode.create), create("/p"));
  applyTxn(t, hdr(OpCode.create), create("/p/c", { parentCVersion: 1 }));
  const again = hdr(OpCode.create);
  const r = applyTxn(t, again, create("/p/c", { parentCVersion: 2 }));
  assert.equal(r.err, -110);
  assert.equal(t.get("/p")!.stat.cversion, 2);
  assert.equal(t.get("/p")!.stat.pzxid, again.zxid);
});

Deno.test("the initial tree is ZooKeeper's: /, /zookeeper, /zookeeper/quota, read-only /zookeeper/config", () => {
  const t = new DataTree();
  assert.deepEqual([...t.nodes.keys()].sort(), [
    "",
    "/zookeeper",
    "/zookeeper/config",
    "/zookeeper/quota",
  ]);
  assert.deepEqual([...t.children("/")!], ["zookeeper"]);
  assert.deepEqual(t.aclOf(t.get("/zookeeper/config")!), [{
    perms: 1,
    id: { scheme: "world", id: "anyone" },
  }]);
  assert.equal(t.get("/zookeeper/config")!.acl, 1n);
});

/** Events without the ACLs they carry (checked in tests/unit/server/watch_event_acl_test.ts). */
function kinds(events: { type: string; path: string }[]): { type: string; path: string }[] {
  return events.map(({ type, path }) => ({ type, path }));
}
