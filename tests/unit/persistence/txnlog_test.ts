import assert from "node:assert/strict";
import fc from "fast-check";
import { OpCode } from "../../../src/jute/constants.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { encodeTxnEntry } from "../../../src/persistence/records.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import {
  ChecksumError,
  type LogEntry,
  readTxnLog,
  truncateTxnLog,
  TxnLogWriter,
} from "../../../src/persistence/txnlog.ts";
import { LOG1, LOG2 } from "./fixture.ts";

async function all(file: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readTxnLog(file)) out.push(e);
  return out;
}

function txns(es: LogEntry[]) {
  return es.flatMap((e) => (e.kind === "txn" ? [e] : []));
}

Deno.test("ZooKeeper's logs decode every txn type the workload produced, ending at the padding", async () => {
  const es = [...(await all(LOG1)), ...(await all(LOG2))];
  const types = new Set(txns(es).map((t) => t.header.type));
  for (
    const op of [
      OpCode.createSession,
      OpCode.closeSession,
      OpCode.create,
      OpCode.create2,
      OpCode.createContainer,
      OpCode.createTTL,
      OpCode.delete,
      OpCode.deleteContainer,
      OpCode.setData,
      OpCode.setACL,
      OpCode.error,
      OpCode.multi,
      OpCode.reconfig,
    ]
  ) assert.ok(types.has(op), `op ${op} present`);
  const multis = txns(es).filter((t) => t.header.type === OpCode.multi);
  assert.deepEqual(multis[0].txn.subs!.map((s) => s.type), [
    OpCode.create,
    OpCode.setData,
    OpCode.check,
    OpCode.create,
  ]);
  assert.deepEqual(multis[1].txn.subs!.map((s) => s.type), [OpCode.create, OpCode.error]);
  const ends = es.filter((e) => e.kind === "end");
  assert.deepEqual(ends.map((e) => e.kind === "end" && e.reason), ["padding", "padding"]);
  assert.ok(
    txns(es).every((t) => t.digest !== null || t.header.type === OpCode.error),
    "3.8 writes a TxnDigest after every txn but an error",
  );
});

Deno.test("re-encoding each decoded txn gives ZooKeeper's record bytes", async () => {
  for (const t of txns([...(await all(LOG1)), ...(await all(LOG2))])) {
    const w = new Writer();
    encodeTxnEntry(w, t.header, t.txn, t.digest);
    assert.deepEqual(w.toBytes(), t.bytes, `zxid 0x${t.header.zxid.toString(16)}`);
  }
});

Deno.test("a log cut inside a record ends with a torn tail, not an error", async () => {
  const bytes = await Deno.readFile(LOG1);
  const whole = txns(await all(LOG1));
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.100000001`;
  const cut = whole[5].offset + 7;
  await Deno.writeFile(file, bytes.subarray(0, cut));
  const es = await all(file);
  assert.equal(txns(es).length, 5);
  const end = es.at(-1)!;
  assert.equal(end.kind, "end");
  if (end.kind === "end") {
    assert.equal(end.reason, "torn");
    assert.equal(end.offset, whole[5].offset);
  }
});

Deno.test("a checksum mismatch names the file, the offset and the zxid", async () => {
  const bytes = await Deno.readFile(LOG1);
  const whole = txns(await all(LOG1));
  const victim = whole[3];
  bytes[victim.offset + 12 + 20] ^= 0xff; // inside the txn bytes, past the header
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.100000001`;
  await Deno.writeFile(file, bytes);
  await assert.rejects(all(file), (e: Error) => {
    assert.ok(e instanceof ChecksumError);
    assert.equal(e.offset, victim.offset);
    assert.match(
      e.message,
      new RegExp(
        `log\\.100000001: checksum mismatch in the record at offset ${victim.offset} \\(zxid 0x${
          victim.header.zxid.toString(16)
        }\\)`,
      ),
    );
    return true;
  });
});

Deno.test("truncate keeps txns up to the zxid byte for byte (TxnLogToolkit --chop)", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/log.100000001`;
  const r = await truncateTxnLog(LOG1, 0x10000000an, out);
  assert.equal(r.kept, 10);
  assert.equal(r.lastKept, 0x10000000an);
  const a = txns(await all(LOG1)).slice(0, 10);
  const b = txns(await all(out));
  assert.deepEqual(b.map((t) => t.bytes), a.map((t) => t.bytes));
  // In place: same result, the file replaced.
  await truncateTxnLog(out, 0x100000005n, out);
  assert.equal(txns(await all(out)).length, 5);
});

const txnArb: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({
    path: fc.constant("/a"),
    data: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
    version: fc.integer(),
  })
    .map((record) => ({ type: OpCode.setData, record })),
  fc.record({ timeOut: fc.integer() }).map((record) => ({ type: OpCode.createSession, record })),
  fc.record({ paths2Delete: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }) })
    .map((record) => ({ type: OpCode.closeSession, record })),
  fc.record({ err: fc.integer({ min: -130, max: 0 }) }).map((record) => ({
    type: OpCode.error,
    record,
  })),
  fc.record({
    path: fc.string({ maxLength: 10 }),
    data: fc.uint8Array({ maxLength: 10 }),
    acl: fc.constant([{ perms: 31, id: { scheme: "world", id: "anyone" } }]),
    parentCVersion: fc.integer(),
    ttl: fc.bigInt({ min: 0n, max: 1n << 40n }),
  }).map((record) => ({ type: OpCode.createTTL, record })),
);

Deno.test("random txns survive TxnLogWriter → readTxnLog", async () => {
  const dir = await Deno.makeTempDir();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(txnArb, { maxLength: 20 }),
      fc.boolean(),
      async (list, withDigest) => {
        const file = `${dir}/log.${(++n).toString(16)}`;
        const w = await TxnLogWriter.create(file, 7n);
        list.forEach((t, i) =>
          w.append(
            { clientId: 5n, cxid: i, zxid: BigInt(i + 1), time: 1000 + i, type: t.type },
            t,
            withDigest ? { version: 2, treeDigest: BigInt(i) } : null,
          )
        );
        await w.close();
        const back = txns(await all(file));
        assert.equal(back.length, list.length);
        back.forEach((t, i) => {
          assert.equal(t.header.zxid, BigInt(i + 1));
          assert.deepEqual(t.txn, list[i]);
          assert.deepEqual(t.digest, withDigest ? { version: 2, treeDigest: BigInt(i) } : null);
        });
      },
    ),
    { numRuns: 30 },
  );
});

Deno.test("a record above jute.maxbuffer but within ZooKeeper's extrasize allowance is read", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.1`;
  const w = await TxnLogWriter.create(file, 0n);
  const data = new Uint8Array(0xfffff + 4096).fill(7); // over 0xfffff, under 2 * 0xfffff
  w.append(
    { clientId: 1n, cxid: 1, zxid: 1n, time: 1, type: OpCode.setData },
    { type: OpCode.setData, record: { path: "/big", data, version: 1 } },
    null,
  );
  await w.close();
  const back = txns(await all(file));
  assert.equal(back.length, 1);
  const txn = back[0].txn as { record: { data: Uint8Array } };
  assert.equal(txn.record.data.length, data.length);
});
