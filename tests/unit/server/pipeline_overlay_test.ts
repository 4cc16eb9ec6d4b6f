// The outstanding-changes overlay (3.8's outstandingChanges + precalculated
// digest): txns recorded before any is applied leave, once applied in zxid
// order through applyTxn, exactly the tree digest the overlay predicted for
// each — the digest the log records before the tree has the txn — and prep
// sees every outstanding change (versions, children, absence, ephemerals).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import type { TxnHeader } from "../../../src/jute/txn.ts";
import { committedTree, Outstanding } from "../../../src/server/pipeline/overlay.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const data = (s: string) => new TextEncoder().encode(s);
const S1 = 0x100n;
const S2 = 0x200n;

/** `hinted`: apply with the overlay's node digests as hints, as the commit stage does. */
function setup(hinted = false) {
  const tree = new DataTree({ extendedTypes: true });
  const overlay = new Outstanding(
    committedTree(tree, (id) => [...(tree.ephemerals.get(id) ?? [])]),
  );
  let zxid = 0n;
  const recorded: { header: TxnHeader; txn: Txn; digest: bigint }[] = [];
  const record = (session: bigint, txn: Txn) => {
    const header = {
      clientId: session,
      cxid: 1,
      zxid: ++zxid,
      time: 1000 + Number(zxid),
      type: txn.type,
    };
    recorded.push({ header, txn, digest: overlay.record(header, txn) });
  };
  const applyAll = () => {
    for (const r of recorded) {
      applyTxn(tree, r.header, r.txn, hinted ? overlay : undefined);
      overlay.committed(r.header.zxid);
      assertEquals(
        tree.digest,
        r.digest,
        `digest after zxid ${r.header.zxid} (type ${r.txn.type})`,
      );
      // Hashed from scratch: a hint taken for the wrong node would show here.
      if (hinted) assertEquals(tree.computeDigest(), tree.digest, `rehash at ${r.header.zxid}`);
    }
    recorded.length = 0;
  };
  return { tree, overlay, record, applyAll };
}

Deno.test("overlay: every op's predicted digest is the tree's once applied in zxid order", () => {
  everyOp(false);
});

Deno.test("overlay: applying with the overlay's node digests as hints hashes every node as from scratch", () => {
  everyOp(true);
});

function everyOp(hinted: boolean) {
  const { overlay, record, applyAll, tree } = setup(hinted);
  record(S1, { type: -10, record: { timeOut: 30000 } });
  record(S1, {
    type: 1,
    record: { path: "/a", data: data("x"), acl: OPEN, ephemeral: false, parentCVersion: 1 },
  });
  record(S1, {
    type: 1,
    record: { path: "/a/e", data: data("e"), acl: OPEN, ephemeral: true, parentCVersion: 1 },
  });
  record(S1, { type: 5, record: { path: "/a", data: data("longer data"), version: 1 } });
  record(S1, { type: 7, record: { path: "/a", acl: OPEN, version: 1 } });
  record(S1, { type: 19, record: { path: "/c", data: null, acl: OPEN, parentCVersion: 2 } });
  record(S1, {
    type: 21,
    record: { path: "/t", data: data("t"), acl: OPEN, parentCVersion: 3, ttl: 5000n },
  });
  record(S1, {
    type: 1,
    record: { path: "/c/k", data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 },
  });
  record(S1, { type: 2, record: { path: "/c/k" } });
  record(S1, { type: -1, record: { err: -101 } });
  record(S1, {
    type: 14,
    record: null,
    subs: [
      {
        type: 1,
        record: { path: "/m", data: null, acl: OPEN, ephemeral: false, parentCVersion: 4 },
      },
      { type: 5, record: { path: "/m", data: data("m"), version: 1 } },
      { type: 2, record: { path: "/t" } },
    ],
  });
  // A failed multi changes nothing.
  record(S1, {
    type: 14,
    record: null,
    subs: [
      {
        type: 1,
        record: { path: "/never", data: null, acl: OPEN, ephemeral: false, parentCVersion: 6 },
      },
      { type: -1, record: { err: -101 } },
    ],
  });
  // Before anything is applied, prep sees every outstanding change.
  assertEquals(tree.get("/a"), undefined);
  assertEquals(overlay.node("/a")?.version, 1);
  assertEquals(overlay.node("/a")?.aversion, 1);
  assertEquals(overlay.node("/a")?.numChildren, 1);
  assertEquals(overlay.node("/c")?.cversion, 1);
  assertEquals(overlay.node("/c/k"), undefined);
  assertEquals(overlay.node("/t"), undefined);
  assertEquals(overlay.node("/never"), undefined);
  assertEquals(overlay.node("/")?.numChildren, 4); // /zookeeper, /a, /c, /m
  assertEquals(overlay.ephemerals(S1), ["/a/e"]);
  record(S1, { type: -11, record: { paths2Delete: overlay.ephemerals(S1) } });
  assertEquals(overlay.node("/a/e"), undefined);
  applyAll();
  assertEquals(overlay.size, 0);
  assertEquals(tree.get("/a/e"), undefined);
  assertEquals(tree.get("/m")?.stat.version, 1);
}

Deno.test("overlay: a hint is the digest of a node equal in path, data and stat, never a neighbour's", () => {
  // Several outstanding records per path: the same data written twice, the
  // same bytes at two paths, a parent changed by two creates and a setData,
  // a path deleted and created again with the same data. Applying each txn,
  // the tree must take only the hint of the node exactly as it leaves it.
  const { record, applyAll, tree } = setup(true);
  const same = data("same bytes");
  const create = (path: string, cv: number, d: Uint8Array | null = same): Txn => ({
    type: 1,
    record: { path, data: d, acl: OPEN, ephemeral: false, parentCVersion: cv },
  });
  record(S1, create("/p", 1, null));
  record(S1, create("/q", 2));
  record(S1, create("/p/a", 1));
  record(S1, { type: 5, record: { path: "/p/a", data: same, version: 1 } });
  record(S1, { type: 5, record: { path: "/p/a", data: same, version: 2 } });
  record(S1, { type: 5, record: { path: "/p", data: same, version: 1 } });
  record(S1, create("/p/b", 2));
  record(S1, { type: 2, record: { path: "/p/b" } });
  record(S1, create("/p/b", 4));
  record(S1, {
    type: 14,
    record: null,
    subs: [
      { type: 5, record: { path: "/q", data: same, version: 1 } },
      { type: 5, record: { path: "/q", data: data("other"), version: 2 } },
      { type: 5, record: { path: "/q", data: same, version: 3 } },
    ],
  });
  applyAll();
  assertEquals(tree.get("/q")?.stat.version, 3);
  assertEquals(tree.get("/p")?.stat.cversion, 4);
});

Deno.test("overlay: a hint for other bytes is not taken, though path and stat agree", () => {
  // The tree applies a txn other than the one recorded at that zxid (same
  // header, other data): its node hashes its own bytes.
  const { overlay, record, tree } = setup(true);
  record(S1, {
    type: 1,
    record: { path: "/d", data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 },
  });
  record(S1, { type: 5, record: { path: "/d", data: data("recorded"), version: 1 } });
  const h = (zxid: bigint, type: number) => ({
    clientId: S1,
    cxid: 1,
    zxid,
    time: 1000 + Number(zxid),
    type,
  });
  applyTxn(tree, h(1n, 1), {
    type: 1,
    record: { path: "/d", data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 },
  }, overlay);
  overlay.committed(1n);
  applyTxn(tree, h(2n, 5), {
    type: 5,
    record: { path: "/d", data: data("replaced"), version: 1 },
  }, overlay);
  assertEquals(tree.digest, tree.computeDigest());
});

Deno.test("overlay: a partly committed overlay still predicts from the tree plus what is left", () => {
  const { overlay, record, applyAll, tree } = setup();
  record(S2, {
    type: 1,
    record: { path: "/x", data: data("1"), acl: OPEN, ephemeral: true, parentCVersion: 1 },
  });
  applyAll();
  assertEquals(overlay.ephemerals(S2), ["/x"]);
  record(S2, { type: 2, record: { path: "/x" } });
  assertEquals(overlay.ephemerals(S2), [], "an outstanding delete hides a committed ephemeral");
  record(S2, {
    type: 1,
    record: { path: "/x", data: data("2"), acl: OPEN, ephemeral: false, parentCVersion: 3 },
  });
  assertEquals(overlay.node("/x")?.ephemeralOwner, 0n);
  applyAll();
  assertEquals(tree.get("/x")?.stat.ephemeralOwner, 0n);
  overlay.clear();
  assertEquals(overlay.digest(), tree.digest);
});

Deno.test("overlay: an applied record is never read again, though later txns are outstanding", () => {
  // The path map keeps applied records until it drains (no per-commit delete):
  // prep and closeSession must still see the tree once a txn is applied, even
  // when the tree then moves on through a txn this overlay never recorded.
  const { overlay, record, tree } = setup();
  record(S1, {
    type: 1,
    record: { path: "/e", data: data("1"), acl: OPEN, ephemeral: true, parentCVersion: 1 },
  });
  record(S2, {
    type: 1,
    record: { path: "/y", data: data("1"), acl: OPEN, ephemeral: false, parentCVersion: 2 },
  });
  const h = (zxid: bigint, type: number) => ({ clientId: S1, cxid: 1, zxid, time: 1, type });
  applyTxn(tree, h(1n, 1), {
    type: 1,
    record: { path: "/e", data: data("1"), acl: OPEN, ephemeral: true, parentCVersion: 1 },
  });
  overlay.committed(1n);
  assertEquals(overlay.size > 0, true, "/y is still outstanding");
  assertEquals(overlay.node("/e")?.ephemeralOwner, S1, "applied: read from the tree");
  assertEquals(overlay.ephemerals(S1), ["/e"]);
  // Another server's txn (never recorded here) deletes /e, then /y commits.
  applyTxn(tree, h(2n, 2), { type: 2, record: { path: "/e" } });
  overlay.committed(2n);
  assertEquals(overlay.node("/e"), undefined, "the tree's answer, not the applied record's");
  assertEquals(overlay.ephemerals(S1), []);
});

Deno.test("overlay: the committed view never answers from a read older than the tree's last change", () => {
  // Prep reads a node and then records its txn from the same read; any change
  // to the tree in between (here txns this overlay never recorded) must show.
  const { overlay, tree } = setup();
  const h = (zxid: bigint, type: number) => ({ clientId: S1, cxid: 1, zxid, time: 7, type });
  applyTxn(tree, h(1n, 1), {
    type: 1,
    record: { path: "/a", data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 },
  });
  assertEquals(overlay.node("/a")?.version, 0);
  assertEquals(overlay.node("/b"), undefined);
  applyTxn(tree, h(2n, 5), { type: 5, record: { path: "/a", data: data("x"), version: 1 } });
  assertEquals(overlay.node("/a")?.version, 1);
  applyTxn(tree, h(3n, 1), {
    type: 1,
    record: { path: "/b", data: null, acl: OPEN, ephemeral: false, parentCVersion: 2 },
  });
  assertEquals(overlay.node("/b")?.version, 0);
  applyTxn(tree, h(4n, 7), { type: 7, record: { path: "/b", acl: [], version: 1 } });
  assertEquals(overlay.node("/b")?.aversion, 1);
  applyTxn(tree, h(5n, 2), { type: 2, record: { path: "/a" } });
  assertEquals(overlay.node("/a"), undefined);
});
