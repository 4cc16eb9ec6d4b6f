import assert from "node:assert/strict";
import { DataTree } from "../../../src/data/tree.ts";
import { writeStatPersisted } from "../../../src/jute/data.ts";
import { writeFileHeader } from "../../../src/jute/persistence.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { adler32 } from "../../../src/persistence/adler32.ts";
import { readSnapshot, SNAP_MAGIC, writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { SnapshotChecker } from "../../../src/persistence/snapshot_check.ts";
import { zkt } from "../cli/cli_io.ts";

async function problems(file: string): Promise<string[]> {
  const c = new SnapshotChecker(file, BigInt("0x" + file.substring(file.lastIndexOf(".") + 1)));
  for await (const e of readSnapshot(file)) c.add(e);
  return c.problems;
}

const stat = (czxid: bigint, cversion = 0, pzxid = czxid, owner = 0n) => ({
  czxid,
  mzxid: czxid,
  ctime: 1,
  mtime: 1,
  version: 0,
  cversion,
  aversion: 0,
  ephemeralOwner: owner,
  pzxid,
});

/** A snapshot file from raw node records, sealed correctly. */
async function rawSnapshot(
  nodes: [string, ReturnType<typeof stat>][],
  sessions: bigint[] = [],
): Promise<string> {
  const w = new Writer();
  writeFileHeader(w, { magic: SNAP_MAGIC, version: 2, dbid: 0n });
  w.int(sessions.length);
  for (const s of sessions) w.long(s).int(3000);
  w.int(0);
  for (const [path, st] of nodes) {
    w.ustring(path).buffer(new Uint8Array(0)).long(-1n);
    writeStatPersisted(w, st);
  }
  w.ustring("/");
  w.long(BigInt(adler32(w.peek()))).ustring("/");
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.10`;
  await Deno.writeFile(file, w.toBytes());
  return file;
}

Deno.test("verify names a node whose parent does not come before it", async () => {
  const file = await rawSnapshot([["", stat(0n, 1, 2n)], ["/a/b", stat(2n)]]);
  const p = await problems(file);
  assert.match(p[0], /^\/a\/b \(offset \d+\): parent \/a does not come before it$/);
  const r = await zkt("snap", "verify", file);
  assert.equal(r.code, 3);
  assert.match(r.err, /parent \/a does not come before it/);
});

Deno.test("verify names an ephemeral whose owner is not a session in the file", async () => {
  const file = await rawSnapshot([["", stat(0n, 1, 2n)], ["/e", stat(2n, 0, 2n, 0x55n)]], [0x66n]);
  assert.deepEqual(await problems(file), ["/e: ephemeral owner 0x55 is not a session in the file"]);
  const ok = await rawSnapshot([["", stat(0n, 1, 2n)], ["/e", stat(2n, 0, 2n, 0x55n)]], [0x55n]);
  assert.deepEqual(await problems(ok), []);
});

Deno.test("verify catches a cversion below the children count and a pzxid older than a child", async () => {
  const file = await rawSnapshot([["", stat(0n, 1, 3n)], ["/a", stat(2n)], ["/b", stat(5n)]]);
  const p = await problems(file);
  assert.ok(
    p.some((x) => x === "/: cversion 1 is lower than its 2 children (each create raises it)"),
    p.join("\n"),
  );
  assert.ok(
    p.some((x) => x.startsWith("/: pzxid 0x3 is older than a child created at 0x5")),
    p.join("\n"),
  );
});

Deno.test("a fuzzy snapshot's later children and their sessions are not problems", async () => {
  // Named at zxid 0x10: /late (czxid 0x12) was created while the tree was written
  // out, after / and after the session list; its owner 0x77 is not in the file.
  const file = await rawSnapshot([["", stat(0n, 1, 2n)], ["/a", stat(2n)], [
    "/late",
    stat(0x12n, 0, 0x12n, 0x77n),
  ]]);
  assert.deepEqual(await problems(file), []);
  // The same inconsistencies before the snapshot's zxid are still caught.
  const bad = await rawSnapshot([["", stat(0n, 1, 2n)], ["/a", stat(2n)], [
    "/early",
    stat(0x9n, 0, 0x9n, 0x77n),
  ]]);
  const p = await problems(bad);
  assert.ok(p.includes("/early: ephemeral owner 0x77 is not a session in the file"), p.join("\n"));
  assert.ok(
    p.some((x) => x.startsWith("/: cversion 1 is lower than its 2 children")),
    p.join("\n"),
  );
  assert.ok(
    p.some((x) => x.startsWith("/: pzxid 0x2 is older than a child created at 0x9")),
    p.join("\n"),
  );
});

Deno.test("a tree built by applying creates verifies clean", async () => {
  const t = new DataTree();
  t.sessions.set(9n, 5000);
  t.createNode("/a", null, null, 0n, -1, 1n, 10);
  t.createNode("/a/e", null, null, 9n, -1, 2n, 10);
  t.createNode("/c", null, null, -0x8000000000000000n, -1, 3n, 10);
  t.lastProcessedZxid = 3n;
  const dir = await Deno.makeTempDir();
  await writeSnapshot(`${dir}/snapshot.3`, t);
  assert.deepEqual(await problems(`${dir}/snapshot.3`), []);
  assert.equal((await zkt("snap", "verify", `${dir}/snapshot.3`)).code, 0);
});
