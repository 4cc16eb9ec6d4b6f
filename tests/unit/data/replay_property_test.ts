// Property: for any sequence of txns, a snapshot taken part-way plus a log of
// the rest restores to the same tree (nodes, stats, ACLs, sessions, digest) as
// applying everything directly, and the incremental digest never drifts.
import assert from "node:assert/strict";
import fc from "fast-check";
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import { restore } from "../../../src/persistence/datadir.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../../../src/persistence/txnlog.ts";

const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/z", "/a/x/q"];
const SESSIONS = [0x10n, 0x20n];
const ACLS = [null, [{ perms: 1, id: { scheme: "world", id: "anyone" } }], [{
  perms: 31,
  id: { scheme: "digest", id: "u:h" },
}]];

const step = (client: bigint, txn: Txn): [bigint, Txn] => [client, txn];

const create = fc
  .tuple(
    fc.constantFrom(...PATHS),
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom(...ACLS),
    fc.boolean(),
    fc.constantFrom(...SESSIONS),
  )
  .map(([path, data, acl, ephemeral, s]) =>
    step(s, { type: OpCode.create, record: { path, data, acl, ephemeral, parentCVersion: -1 } })
  );
const del = fc.constantFrom(...PATHS)
  .map((path) => step(0n, { type: OpCode.delete, record: { path } }));
const setData = fc.tuple(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 8 }), fc.nat(5))
  .map(([path, data, version]) =>
    step(0n, { type: OpCode.setData, record: { path, data, version } })
  );
const setACL = fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom(...ACLS), fc.nat(5))
  .map(([path, acl, version]) => step(0n, { type: OpCode.setACL, record: { path, acl, version } }));
const openSession = fc.constantFrom(...SESSIONS)
  .map((s) => step(s, { type: OpCode.createSession, record: { timeOut: 4000 } }));
const closeSession = fc.constantFrom(...SESSIONS)
  .map((s) => step(s, { type: OpCode.closeSession, record: { paths2Delete: [] } }));
const multi = fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom(...PATHS)).map(([p, q]) =>
  step(0n, {
    type: OpCode.multi,
    record: null,
    subs: [
      {
        type: OpCode.create,
        record: { path: p, data: null, acl: null, ephemeral: false, parentCVersion: -1 },
      },
      { type: OpCode.delete, record: { path: q } },
    ],
  })
);
const op: fc.Arbitrary<[bigint, Txn]> = fc.oneof(
  create,
  del,
  setData,
  setACL,
  openSession,
  closeSession,
  multi,
);

/**
 * What ZooKeeper's request preparation would log for a txn on this tree: the
 * txn itself when it applies cleanly, an error txn otherwise (a delete of a node
 * with children, a create without a parent, ... never reach the log).
 */
function legal(tree: DataTree, txn: Txn): Txn {
  const fails = (t: Txn, pending: Set<string>, gone: Set<string>): boolean => {
    const has = (p: string) => (tree.get(p) !== undefined && !gone.has(p)) || pending.has(p);
    switch (t.type) {
      case OpCode.create: {
        const parent = t.record.path.substring(0, t.record.path.lastIndexOf("/")) || "/";
        const owner = tree.get(parent)?.stat.ephemeralOwner ?? 0n;
        return has(t.record.path) || !has(parent) || owner !== 0n;
      }
      case OpCode.delete:
        return !has(t.record.path) ||
          [...(tree.children(t.record.path) ?? [])].some((c) =>
            !gone.has(`${t.record.path}/${c}`)
          ) ||
          [...pending].some((p) => p.startsWith(t.record.path + "/"));
      case OpCode.setData:
      case OpCode.setACL:
        return !has(t.record.path);
      default:
        return false;
    }
  };
  if (txn.type === OpCode.multi) {
    const pending = new Set<string>();
    const gone = new Set<string>();
    for (const s of txn.subs) {
      if (fails(s, pending, gone)) return { type: OpCode.error, record: { err: -101 } };
      if (s.type === OpCode.create) pending.add(s.record.path);
      if (s.type === OpCode.delete) {
        pending.delete(s.record.path);
        gone.add(s.record.path);
      }
    }
    return txn;
  }
  return fails(txn, new Set(), new Set()) ? { type: OpCode.error, record: { err: -101 } } : txn;
}

function snapshotOf(t: DataTree) {
  return {
    nodes: [...t.nodes].map(([p, n]) => [p, n.stat, n.data, t.aclOf(n), [...n.children].sort()])
      .sort((x, y) => String(x[0]) < String(y[0]) ? -1 : 1),
    sessions: [...t.sessions].sort(),
    digest: t.digest,
  };
}

Deno.test("snapshot part-way + log of the rest restores the same tree as applying everything", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(op, { minLength: 1, maxLength: 40 }),
      fc.nat(),
      async (ops, cutSeed) => {
        const dir = await Deno.makeTempDir();
        const v2 = `${dir}/version-2`;
        await Deno.mkdir(v2);
        const tree = new DataTree();
        const cut = cutSeed % (ops.length + 1);
        let log: TxnLogWriter | null = null;
        for (let i = 0; i < ops.length; i++) {
          if (i === cut) {
            await writeSnapshot(`${v2}/${snapshotFileName(tree.lastProcessedZxid)}`, tree);
            log = await TxnLogWriter.create(`${v2}/${logFileName(BigInt(i + 1))}`);
          }
          const [client, proposed] = ops[i];
          const txn = legal(tree, proposed);
          const header = {
            clientId: client,
            cxid: i,
            zxid: BigInt(i + 1),
            time: 1000 + i,
            type: txn.type,
          };
          applyTxn(tree, header, txn);
          assert.equal(tree.digest, tree.computeDigest());
          log?.append(header, txn, { version: 2, treeDigest: tree.digest });
        }
        if (cut === ops.length) {
          await writeSnapshot(
            `${v2}/${snapshotFileName(tree.lastProcessedZxid)}`,
            tree,
          );
        }
        await log?.close();
        const r = await restore(dir);
        assert.equal(r.digestMismatch, null);
        assert.equal(r.lastProcessedZxid, tree.lastProcessedZxid);
        assert.deepEqual(snapshotOf(r.tree), snapshotOf(tree));
        await Deno.remove(dir, { recursive: true });
      },
    ),
    { numRuns: 100 },
  );
});
