import assert from "node:assert/strict";
import { listLogs, logsFrom, purge, restore } from "../../../src/persistence/datadir.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { loadSnapshot, writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { copyFixture, FIXTURE_DIR } from "./fixture.ts";

Deno.test("restore loads the newest snapshot and replays the logs after it", async () => {
  const r = await restore(FIXTURE_DIR);
  assert.match(r.snapshot!.file, /snapshot\.20000000d$/);
  assert.equal(r.lastProcessedZxid, 0x20000000dn);
  assert.equal(r.snapshotDigest, "ok");
  assert.equal(r.digestMismatch, null);
});

Deno.test("restore skips an invalid newest snapshot as ZooKeeper does, and replays further", async () => {
  const dir = await copyFixture();
  const v2 = `${dir}/version-2`;
  const bytes = await Deno.readFile(`${v2}/snapshot.20000000d`);
  await Deno.writeFile(`${v2}/snapshot.20000000d`, bytes.subarray(0, bytes.length - 30));
  // A snapshot that passes the cheap tail check but fails its checksum.
  const mid = await Deno.readFile(`${v2}/snapshot.10000001c`);
  const skipped: string[] = [];
  const r0 = await restore(dir, { onSkip: (f) => skipped.push(f) });
  assert.match(r0.snapshot!.file, /snapshot\.10000001c$/);
  assert.equal(r0.lastProcessedZxid, 0x20000000dn);
  assert.equal(r0.txnsApplied, 13);
  assert.equal(r0.digestMismatch, null);
  mid[300] ^= 0x10;
  await Deno.writeFile(`${v2}/snapshot.10000001c`, mid);
  const r1 = await restore(dir, { onSkip: (f) => skipped.push(f) });
  assert.match(r1.snapshot!.file, /snapshot\.0$/);
  assert.ok(skipped.some((f) => f.endsWith("snapshot.10000001c")));
  assert.equal(r1.lastProcessedZxid, 0x20000000dn);
  assert.equal(r1.txnsApplied, 41);
  assert.equal(r1.digestMismatch, null, "txn digests agree all the way from the empty tree");
});

Deno.test("restore --to stops at a zxid and uses a snapshot from before it", async () => {
  const r = await restore(FIXTURE_DIR, { toZxid: 0x10000000dn });
  assert.match(r.snapshot!.file, /snapshot\.0$/);
  assert.equal(r.lastProcessedZxid, 0x10000000dn);
  assert.ok(r.tree.get("/multi/child"));
  assert.equal(r.tree.get("/multi-failed"), undefined);
});

Deno.test("logsFrom picks the log holding the snapshot's zxid and every later one", () => {
  const logs = [1n, 0x100n, 0x200n].map((zxid) => ({ path: `log.${zxid.toString(16)}`, zxid }));
  assert.deepEqual(logsFrom(logs, 0x150n).map((l) => l.zxid), [0x100n, 0x200n]);
  assert.deepEqual(logsFrom(logs, 0x100n).map((l) => l.zxid), [0x100n, 0x200n]);
  assert.deepEqual(logsFrom(logs, 0n).map((l) => l.zxid), [1n, 0x100n, 0x200n]);
});

Deno.test("purge keeps N snapshots and the logs they need (autopurge)", async () => {
  const dir = await copyFixture();
  const v2 = `${dir}/version-2`;
  // Add an older pair that the three newest snapshots no longer need.
  await Deno.copyFile(`${v2}/snapshot.0`, `${v2}/snapshot.100000005`);
  await Deno.rename(`${v2}/snapshot.0`, `${v2}/snapshot.5`);
  await Deno.copyFile(`${v2}/log.100000001`, `${v2}/log.1`);
  await assert.rejects(purge(dir, 2), /at least 3/);
  const dry = await purge(dir, 3, true);
  assert.deepEqual(dry.removedSnapshots.map((p) => p.split("/").pop()), ["snapshot.5"]);
  assert.deepEqual(dry.removedLogs.map((p) => p.split("/").pop()), ["log.1"]);
  await purge(dir, 3);
  assert.deepEqual((await listLogs(v2)).map((l) => l.zxid), [0x100000001n, 0x200000001n]);
  assert.equal(await Deno.stat(`${v2}/snapshot.5`).catch(() => null), null);
});

Deno.test("restore --to passes over a fuzzy snapshot that may hold txns after the target", async () => {
  const dir = await copyFixture();
  const v2 = `${dir}/version-2`;
  // The mid snapshot, relabelled as if serialization had run until 0x10000001c
  // while it was named for 0x100000010.
  const t = new DataTree({ empty: true });
  await loadSnapshot(`${v2}/snapshot.10000001c`, t);
  await writeSnapshot(`${v2}/snapshot.100000010`, t, {
    dbid: -1n,
    digest: { zxid: 0x10000001cn, version: 2, digest: t.digest },
  });
  const skipped: string[] = [];
  const r = await restore(dir, {
    toZxid: 0x100000012n,
    onSkip: (f, why) => skipped.push(`${f}: ${why}`),
  });
  assert.match(r.snapshot!.file, /snapshot\.0$/);
  assert.ok(
    skipped.some((s) => /snapshot\.100000010: it may hold txns up to 0x10000001c/.test(s)),
    skipped.join("\n"),
  );
  assert.equal(r.lastProcessedZxid, 0x100000012n);
  assert.ok(r.tree.get("/ctr"), "the container still exists at 0x100000012");
});
