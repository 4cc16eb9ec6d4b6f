// TxnLogWriter's durability contract: forceSync=no writes without syncing,
// forceSync=yes issues one write and one data sync per flushed batch, and the
// file is preallocated with zeros in preAllocSize chunks as ZooKeeper's
// FilePadding does, which every reader takes as the end of the log.
import assert from "node:assert/strict";
import { OpCode } from "../../../src/jute/constants.ts";
import {
  type LogEntry,
  type LogFile,
  paddedSize,
  readTxnLog,
  TxnLogWriter,
  ZERO_AHEAD_MAX,
  ZERO_AHEAD_MIN,
} from "../../../src/persistence/txnlog.ts";

/** A LogFile that records every call instead of touching a disk. */
class RecordingFile implements LogFile {
  calls: string[] = [];
  bytes: number[] = [];
  size = 0;
  write(p: Uint8Array): Promise<number> {
    this.calls.push(`write ${p.length}`);
    for (const b of p) this.bytes.push(b);
    this.size = Math.max(this.size, this.bytes.length);
    return Promise.resolve(p.length);
  }
  syncData(): Promise<void> {
    this.calls.push("sync");
    return Promise.resolve();
  }
  truncate(len = 0): Promise<void> {
    this.calls.push(`truncate ${len}`);
    this.size = len;
    return Promise.resolve();
  }
  close(): void {
    this.calls.push("close");
  }
}

function setData(w: TxnLogWriter, zxid: number, data = "v"): void {
  w.append(
    { clientId: 1n, cxid: zxid, zxid: BigInt(zxid), time: 1000, type: OpCode.setData },
    {
      type: OpCode.setData,
      record: { path: "/a", data: new TextEncoder().encode(data), version: zxid },
    },
    { version: 2, treeDigest: BigInt(zxid) },
  );
}

async function all(file: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readTxnLog(file)) out.push(e);
  return out;
}

Deno.test("forceSync=no writes each batch but never syncs (zookeeper.forceSync=no)", async () => {
  const f = new RecordingFile();
  const w = await TxnLogWriter.create("log.1", 0n, {
    forceSync: false,
    open: () => Promise.resolve(f),
  });
  f.calls = []; // the header, written at create
  for (let batch = 0; batch < 3; batch++) {
    for (let i = 1; i <= 4; i++) setData(w, batch * 4 + i);
    await w.flush();
  }
  await w.close();
  assert.equal(f.calls.filter((c) => c === "sync").length, 0);
  assert.equal(f.calls.filter((c) => c.startsWith("write")).length, 3);
  assert.equal(w.syncs, 0);
});

Deno.test("forceSync=yes: one write then one data sync per batch, whatever its size", async () => {
  const f = new RecordingFile();
  const w = await TxnLogWriter.create("log.1", 0n, { open: () => Promise.resolve(f) });
  let zxid = 0;
  for (const size of [1, 7, 50]) {
    for (let i = 0; i < size; i++) setData(w, ++zxid);
    f.calls = [];
    await w.flush();
    assert.deepEqual(f.calls.map((c) => c.split(" ")[0]), ["write", "sync"], `batch of ${size}`);
  }
  assert.equal(w.syncs, 3);
  assert.equal(w.writes, 3);
});

Deno.test("create writes the file header at once, unsynced, as 3.8's FileTxnLog does: a process killed before the first batch leaves a header, not an empty file 3.8.0 cannot restore", async () => {
  const f = new RecordingFile();
  await TxnLogWriter.create("log.1", 0n, { open: () => Promise.resolve(f) });
  assert.deepEqual(f.calls, ["write 16"]);
  assert.deepEqual(f.bytes.slice(0, 4), [0x5a, 0x4b, 0x4c, 0x47]); // "ZKLG"
});

Deno.test("paddedSize follows FilePadding: grow by a chunk within 4 KiB of the end", () => {
  const K = 1024;
  const rows: [end: number, size: number, chunk: number, want: number][] = [
    [16, 0, 64 * K, 64 * K], // the first records: one chunk
    [60 * K - 1, 64 * K, 64 * K, 64 * K], // more than 4 KiB left: unchanged
    [60 * K, 64 * K, 64 * K, 128 * K], // within 4 KiB: one more chunk
    [64 * K, 64 * K, 64 * K, 128 * K],
    [200 * K, 64 * K, 64 * K, 256 * K], // ran past: end + chunk, rounded down
    [100, 0, 0, 0], // preallocation off
    [10 * K, 4 * K, 0, 4 * K],
  ];
  for (const [end, size, chunk, want] of rows) {
    assert.equal(paddedSize(end, size, chunk), want, `end ${end} size ${size} chunk ${chunk}`);
  }
});

Deno.test("the log is extended with zeros once the records come within 4 KiB of its end", async () => {
  const f = new RecordingFile();
  const w = await TxnLogWriter.create("log.1", 0n, {
    preAllocSize: 8192,
    open: () => Promise.resolve(f),
  });
  f.calls = []; // the header, written at create
  setData(w, 1);
  await w.flush();
  assert.deepEqual(f.calls.map((c) => c.split(" ")[0]), ["write", "truncate", "sync"]);
  assert.equal(f.size, 8192);
  // Fill up to within 4 KiB of the end: the next flush grows the file first.
  let zxid = 1;
  while (f.bytes.length + 4096 < 8192 - 200) {
    setData(w, ++zxid);
    await w.flush();
  }
  f.calls = [];
  for (let i = 0; i < 5; i++) setData(w, ++zxid);
  await w.flush();
  assert.deepEqual(f.calls, [f.calls[0], `truncate 16384`, "sync"]);
  assert.ok(f.size > f.bytes.length + 4096);
});

Deno.test("a preallocated log reads back every txn and ends at the zero padding", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.1`;
  const w = await TxnLogWriter.create(file, 0n, { preAllocSize: 64 * 1024 });
  for (let i = 1; i <= 300; i++) {
    setData(w, i, "x".repeat(i % 50));
    if (i % 7 === 0) await w.flush();
  }
  await w.close();
  const size = (await Deno.stat(file)).size;
  assert.equal(size % (64 * 1024), 0, "size is a multiple of the chunk");
  const es = await all(file);
  const txns = es.filter((e) => e.kind === "txn");
  assert.equal(txns.length, 300);
  const end = es.at(-1)!;
  assert.equal(end.kind === "end" && end.reason, "padding");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a record cut short inside a preallocated log is a torn tail; the txns before it remain", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.1`;
  const w = await TxnLogWriter.create(file, 0n, { preAllocSize: 64 * 1024 });
  for (let i = 1; i <= 10; i++) setData(w, i, "payload-" + i);
  await w.close();
  const before = (await all(file)).flatMap((e) => e.kind === "txn" ? [e] : []);
  const last = before.at(-1)!;
  // Zero the second half of the last record, as a write cut off by a crash
  // leaves it in a preallocated file.
  const bytes = await Deno.readFile(file);
  const cut = last.offset + 12 + Math.floor(last.bytes.length / 2);
  bytes.fill(0, cut, last.offset + 12 + last.bytes.length + 1);
  await Deno.writeFile(file, bytes);
  const es = await all(file);
  assert.deepEqual(
    es.flatMap((e) => e.kind === "txn" ? [e.header.zxid] : []),
    [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n],
  );
  const end = es.at(-1)!;
  assert.equal(end.kind === "end" && end.reason, "torn");
  assert.equal(end.kind === "end" && end.offset, last.offset);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a log a crash left without its header reads as empty (torn), not corrupt", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["half a header", new Uint8Array([0x5a, 0x4b, 0x4c, 0x47, 0, 0])],
    ["preallocated zeros", new Uint8Array(64 * 1024)],
  ];
  for (const [what, bytes] of cases) {
    const file = `${dir}/log.5`;
    await Deno.writeFile(file, bytes);
    const es = await all(file);
    assert.equal(es.length, 1, what);
    assert.equal(es[0].kind === "end" && es[0].reason, "torn", what);
  }
  // A header that is not zeros and not ZKLG is still corruption.
  await Deno.writeFile(`${dir}/log.6`, new Uint8Array([1, 2, 3, 4, ...new Uint8Array(12)]));
  await assert.rejects(() => all(`${dir}/log.6`), /not a txn log: magic 0x1020304/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("with forceSync the padding ahead of the records is written as real zeros (no hole), without changing the size", async () => {
  const dir = await Deno.makeTempDir();
  for (const forceSync of [true, false]) {
    const file = `${dir}/log.${forceSync ? 1 : 2}`;
    const w = await TxnLogWriter.create(file, 0n, { preAllocSize: 8 << 20, forceSync });
    for (let i = 1; i <= 50; i++) setData(w, i, "x".repeat(40));
    await w.flush();
    const st = await Deno.stat(file);
    assert.equal(st.size, 8 << 20, "the size is FilePadding's");
    const allocated = (st.blocks ?? 0) * 512;
    if (forceSync) assert.ok(allocated >= ZERO_AHEAD_MIN, `only ${allocated} bytes allocated`);
    else assert.ok(allocated < ZERO_AHEAD_MIN, `forceSync=no zero-filled ${allocated} bytes`);
    // More records after the zeros were written land where they belong.
    for (let i = 51; i <= 80; i++) setData(w, i, "y".repeat(40));
    await w.close();
    const es = await all(file);
    assert.deepEqual(
      es.flatMap((e) => e.kind === "txn" ? [Number(e.header.zxid)] : []),
      Array.from({ length: 80 }, (_, i) => i + 1),
    );
    const end = es.at(-1)!;
    assert.equal(end.kind === "end" && end.reason, "padding");
  }
  await Deno.remove(dir, { recursive: true });
});

/** Bytes the file system really holds for a file (st_blocks), not its length. */
async function allocated(file: string): Promise<number> {
  return ((await Deno.stat(file)).blocks ?? 0) * 512;
}

Deno.test("a new log's real disk stays bounded: zeros ahead grow with the log and are given back at close (snapCount=50 once cost 1 MiB per log)", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.1`;
  const w = await TxnLogWriter.create(file, 0n, { preAllocSize: 64 << 20 });
  // A short log, as snapCount=50 rolls them: a few dozen small txns.
  for (let i = 1; i <= 40; i++) {
    setData(w, i, "x".repeat(100));
    await w.flush();
  }
  let written = w.bytesWritten;
  const block = 4096;
  assert.ok(written < 16 * 1024, `${written} bytes of records`);
  assert.ok(
    await allocated(file) <= 128 * 1024,
    `a ${written}-byte log holds ${await allocated(file)} bytes of disk`,
  );
  // A long log: the zeros ahead never pass 1 MiB (plus a block).
  let zxid = 40;
  for (let batch = 0; batch < 40; batch++) {
    for (let i = 0; i < 200; i++) setData(w, ++zxid, "y".repeat(400));
    await w.flush();
    written = w.bytesWritten;
    const real = await allocated(file);
    assert.ok(real <= written + ZERO_AHEAD_MAX + block, `${real} bytes for ${written}`);
  }
  await w.close();
  const st = await Deno.stat(file);
  assert.equal(st.size, 64 << 20, "the length stays FilePadding's");
  assert.ok(
    await allocated(file) <= written + block,
    `closed: ${await allocated(file)} bytes of disk for ${written} bytes of records`,
  );
  const es = await all(file);
  assert.equal(es.filter((e) => e.kind === "txn").length, zxid);
  assert.equal(es.at(-1)!.kind === "end" && (es.at(-1) as { reason: string }).reason, "padding");
  await Deno.remove(dir, { recursive: true });
});
