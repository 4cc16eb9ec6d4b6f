import assert from "node:assert/strict";
import fc from "fast-check";
import { CorruptDataError } from "../../../src/errors.ts";
import { DataTree } from "../../../src/data/tree.ts";
import type { TreeImage } from "../../../src/data/node_view.ts";
import {
  loadSnapshot,
  looksValid,
  readSnapshot,
  snapshotBytes,
  snapshotChunks,
  writeSnapshot,
} from "../../../src/persistence/snapshot.ts";
import { SnapshotChecker } from "../../../src/persistence/snapshot_check.ts";
import { COMPRESSED, FINAL_SNAPSHOT, MID_SNAPSHOT, V2 } from "./fixture.ts";

async function entries(file: string) {
  const out = [];
  for await (const e of readSnapshot(file)) out.push(e);
  return out;
}

Deno.test("a snapshot written by ZooKeeper reads with header, sessions, ACLs, nodes and both seals", async () => {
  const es = await entries(MID_SNAPSHOT);
  const header = es[0];
  assert.equal(header.kind, "header");
  if (header.kind === "header") {
    assert.equal(header.header.magic, 0x5a4b534e);
    assert.equal(header.header.version, 2);
  }
  const sessions = es.filter((e) => e.kind === "session");
  assert.equal(sessions.length, 2);
  const nodes = es.filter((e) => e.kind === "node").map((e) => e.kind === "node" ? e.path : "");
  assert.equal(nodes[0], "", 'the root comes first, under the path ""');
  for (
    const p of ["/app", "/app/eph", "/eph-expiring", "/ctr2/item", "/ttl-long", "/zookeeper/config"]
  ) {
    assert.ok(nodes.includes(p), `${p} is in the snapshot`);
  }
  const end = es.at(-1)!;
  assert.equal(end.kind, "end");
  if (end.kind === "end") {
    assert.ok(end.trailer.checksum.ok);
    assert.ok(end.trailer.digestChecksum?.ok);
    assert.equal(end.trailer.digest?.zxid, 0x10000001cn);
    assert.equal(end.trailer.trailingBytes, 0);
  }
});

Deno.test("re-serializing a loaded ZooKeeper snapshot gives back the file byte for byte", async () => {
  for (const file of [`${V2}/snapshot.0`, MID_SNAPSHOT, FINAL_SNAPSHOT]) {
    const tree = new DataTree({ empty: true });
    const loaded = await loadSnapshot(file, tree);
    const bytes = snapshotBytes(tree, loaded.header.dbid, loaded.trailer.digest);
    assert.deepEqual(bytes, await Deno.readFile(file), file);
  }
});

Deno.test("streaming a snapshot in small chunks gives the same bytes and seals", async () => {
  const tree = new DataTree({ empty: true });
  const loaded = await loadSnapshot(FINAL_SNAPSHOT, tree);
  const parts = [...snapshotChunks(tree, loaded.header.dbid, loaded.trailer.digest, 64)];
  assert.ok(parts.length > 10);
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    joined.set(p, o);
    o += p.length;
  }
  assert.deepEqual(joined, await Deno.readFile(FINAL_SNAPSHOT));
});

Deno.test("the digest zkt computes over a ZooKeeper snapshot equals the one stored in it", async () => {
  for (const file of [MID_SNAPSHOT, FINAL_SNAPSHOT]) {
    const tree = new DataTree({ empty: true });
    const loaded = await loadSnapshot(file, tree);
    assert.equal(tree.digest, loaded.trailer.digest!.digest, file);
    assert.equal(tree.computeDigest(), tree.digest);
  }
});

Deno.test("a flipped byte in a snapshot fails the checksum", async () => {
  const bytes = await Deno.readFile(MID_SNAPSHOT);
  // Inside some node's data: still parses, but the Adler-32 seal no longer matches.
  const i = bytes.indexOf(0x6b, /* k */ 200);
  bytes[i] ^= 0x01;
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.10000001c`;
  await Deno.writeFile(file, bytes);
  const checker = new SnapshotChecker(file, 0x10000001cn);
  for await (const e of readSnapshot(file)) checker.add(e);
  assert.equal(checker.summary.checksumOk, false);
  assert.match(checker.problems[0], /checksum mismatch/);
  await assert.rejects(loadSnapshot(file, new DataTree({ empty: true })), CorruptDataError);
});

Deno.test("a truncated snapshot is invalid to the cheap check and a CorruptDataError with the offset when read", async () => {
  const bytes = await Deno.readFile(MID_SNAPSHOT);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.10000001c`;
  await Deno.writeFile(file, bytes.subarray(0, 900));
  assert.equal(await looksValid(file), false);
  assert.equal(await looksValid(MID_SNAPSHOT), true);
  await assert.rejects(entries(file), (e: Error) => {
    assert.ok(e instanceof CorruptDataError);
    assert.match(e.message, /snapshot\.10000001c: file ends inside .* at offset \d+/);
    return true;
  });
});

Deno.test("a file with the wrong magic is rejected naming what was expected", async () => {
  await assert.rejects(
    entries(`${V2}/log.100000001`),
    /not a snapshot: magic 0x5a4b4c47 at offset 0, expected 0x5a4b534e/,
  );
});

Deno.test("gzip snapshots round-trip through writeSnapshot and readSnapshot", async () => {
  const tree = new DataTree({ empty: true });
  await loadSnapshot(FINAL_SNAPSHOT, tree);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.20000000d.gz`;
  await writeSnapshot(file, tree, { dbid: -1n });
  assert.ok(await looksValid(file));
  const back = new DataTree({ empty: true });
  await loadSnapshot(file, back);
  assert.equal(back.digest, tree.digest);
  assert.equal(back.size, tree.size);
});

Deno.test("gzip and snappy snapshots ZooKeeper wrote read as the same tree as the plain one", async () => {
  const plain = new DataTree({ empty: true });
  await loadSnapshot(FINAL_SNAPSHOT, plain);
  for (const suffix of [".gz", ".snappy"]) {
    const file = `${COMPRESSED}/snapshot.20000000d${suffix}`;
    assert.ok(await looksValid(file), file);
    const t = new DataTree({ empty: true });
    const loaded = await loadSnapshot(file, t);
    assert.ok(loaded.trailer.checksum.ok);
    assert.equal(t.digest, plain.digest, file);
    assert.deepEqual([...t.nodes.keys()].sort(), [...plain.nodes.keys()].sort());
  }
});

Deno.test("snappy snapshots round-trip through writeSnapshot, across 32 KiB blocks", async () => {
  const tree = new DataTree();
  for (let i = 0; i < 40; i++) {
    tree.createNode(`/n${i}`, new Uint8Array(3000).fill(i), null, 0n, -1, BigInt(i + 1), 1000);
  }
  tree.lastProcessedZxid = 40n;
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.28.snappy`;
  await writeSnapshot(file, tree);
  const back = new DataTree({ empty: true });
  await loadSnapshot(file, back);
  assert.equal(back.digest, tree.digest);
  assert.deepEqual(back.get("/n39")!.data, new Uint8Array(3000).fill(39));
});

Deno.test("a damaged snappy stream is a CorruptDataError naming the file", async () => {
  const bytes = await Deno.readFile(`${COMPRESSED}/snapshot.20000000d.snappy`);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snapshot.20000000d.snappy`;
  await Deno.writeFile(file, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(
    entries(file),
    (e: Error) => e instanceof CorruptDataError && e.message.includes(file),
  );
});

const nameArb = fc.stringMatching(/^[a-z0-9é._-]{1,8}$/);
const aclArb = fc.array(
  fc.record({
    perms: fc.integer({ min: 0, max: 31 }),
    id: fc.record({
      scheme: fc.constantFrom("world", "digest", "ip"),
      id: fc.string({ maxLength: 12 }),
    }),
  }),
  { maxLength: 3 },
);

Deno.test("random trees survive snapshotBytes → readSnapshot with the same nodes and digest", async () => {
  const dir = await Deno.makeTempDir();
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          parent: fc.nat(),
          name: nameArb,
          data: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
          acl: fc.option(aclArb, { nil: null }),
          owner: fc.constantFrom(0n, 0x100000000001n, -0x8000000000000000n),
          time: fc.integer({ min: 0, max: 2 ** 45 }),
        }),
        { maxLength: 30 },
      ),
      async (specs) => {
        const tree = new DataTree();
        const paths = ["", "/zookeeper"];
        let zxid = 1n;
        for (const s of specs) {
          const parent = paths[s.parent % paths.length];
          if (parent.startsWith("/zookeeper")) continue;
          const path = `${parent}/${s.name}`;
          if (
            tree.createNode(path, s.data, s.acl, s.owner, -1, zxid++, s.time) === 0 &&
            s.owner === 0n
          ) {
            paths.push(path);
          }
        }
        tree.lastProcessedZxid = zxid;
        const file = `${dir}/snapshot.${zxid.toString(16)}`;
        await writeSnapshot(file, tree);
        const back = new DataTree({ empty: true });
        const loaded = await loadSnapshot(file, back);
        assert.equal(back.digest, tree.digest);
        assert.equal(loaded.trailer.digest?.digest, tree.digest);
        assert.deepEqual([...back.nodes.keys()].sort(), [...tree.nodes.keys()].sort());
        for (const [p, n] of tree.nodes) {
          const m = back.get(p)!;
          assert.deepEqual(m.stat, n.stat);
          assert.deepEqual(m.data, n.data);
          assert.deepEqual(back.aclOf(m), tree.aclOf(n));
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("a snapshot whose nodes straddle read batches and the buffer loads every node, stat and digest exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tree = new DataTree();
    let zxid = 1n;
    tree.createNode("/big", null, null, 0n, -1, zxid++, 1000);
    for (let i = 0; i < 3000; i++) {
      // Now and then a node larger than a read batch (it takes the one-record path).
      const size = i % 997 === 5 ? 200_000 + i : i % 50;
      const data = new Uint8Array(size).fill(i & 0xff);
      const owner = i % 7 === 0 ? 0x1000000000000n + BigInt(i) : 0n;
      tree.createNode(
        `/big/n${i}${i % 3 === 0 ? "-é😀" : ""}`,
        data,
        null,
        owner,
        -1,
        zxid++,
        2 ** 41 + i,
      );
      if (i % 3 === 1) tree.setData(`/big/n${i}`, null, 1, zxid++, -5);
    }
    tree.lastProcessedZxid = zxid;
    const file = `${dir}/snapshot.${zxid.toString(16)}`;
    await writeSnapshot(file, tree);
    const back = new DataTree({ empty: true });
    await loadSnapshot(file, back);
    assert.equal(back.digest, tree.digest);
    assert.equal(back.computeDigest(), tree.digest);
    assert.equal(back.size, tree.size);
    for (const [p, n] of tree.nodes) {
      const m = back.get(p)!;
      assert.deepEqual(m.stat, n.stat, p);
      assert.deepEqual(m.data, n.data, p);
      assert.equal(m.digest, n.digest, p);
    }
    let nodes = 0;
    for await (const e of readSnapshot(file)) {
      if (e.kind !== "node") continue;
      nodes++;
      assert.equal(e.digest, back.get(e.path)!.digest, e.path);
    }
    assert.equal(nodes, tree.size);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a snapshot node whose parent was not listed before it is a CorruptDataError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tree = new DataTree();
    tree.createNode("/a", null, null, 0n, -1, 1n, 1);
    tree.createNode("/a/b", null, null, 0n, -1, 2n, 1);
    tree.lastProcessedZxid = 2n;
    // An orphan right after siblings under another parent: "/x" is never written.
    const b = tree.get("/a/b")!;
    const image: TreeImage = {
      ...tree.freeze(),
      *walk() {
        yield* tree.walk();
        yield ["/a/z", b];
        yield ["/x/y", b];
      },
    };
    const file = `${dir}/snapshot.2`;
    await writeSnapshot(file, image);
    await assert.rejects(
      loadSnapshot(file, new DataTree({ empty: true })),
      (e) =>
        e instanceof CorruptDataError &&
        /node \/x\/y at offset \d+ has no parent before it/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
