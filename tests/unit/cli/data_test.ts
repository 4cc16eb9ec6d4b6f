import assert from "node:assert/strict";
import { copyFixture, FIXTURE_DIR } from "../persistence/fixture.ts";
import { zkt } from "./cli_io.ts";

Deno.test("data replay --to shows the tree as it was at that zxid", async () => {
  const r = await zkt("data", "replay", FIXTURE_DIR, "--to", "0x10000000d", "--json", "--data");
  assert.equal(r.code, 0, r.err);
  const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
  const app = recs.find((o) => o.path === "/app");
  assert.equal(app.data, "from multi");
  assert.equal(app.version, 2);
  assert.equal(app.numChildren, 5);
  assert.ok(recs.some((o) => o.path === "/multi/child"));
  assert.ok(!recs.some((o) => o.path === "/after-restart"));
  const summary = recs.at(-1);
  assert.equal(summary.lastProcessedZxid, "0x10000000d");
  assert.equal(summary.txnDigests, "ok");
});

Deno.test("data replay of the whole dir ends at the last zxid with digests OK", async () => {
  const r = await zkt("data", "replay", FIXTURE_DIR);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /lastProcessedZxid 0x20000000d/);
  assert.match(r.out, /snapshot digest ok, txn digests OK/);
});

Deno.test("data purge refuses fewer than 3 snapshots and keeps what is needed", async () => {
  const dir = await copyFixture();
  assert.equal((await zkt("data", "purge", dir, "--keep", "2")).code, 2);
  const r = await zkt("data", "purge", dir, "--keep", "3");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /kept 3 snapshots; removed 0 snapshots and 0 logs/);
});

Deno.test("data replay and purge --log-dir read logs kept apart from the snapshots (dataLogDir)", async () => {
  const dir = await copyFixture();
  const logs = await Deno.makeTempDir();
  await Deno.mkdir(`${logs}/version-2`);
  for (const e of Deno.readDirSync(`${dir}/version-2`)) {
    if (e.name.startsWith("log.")) {
      await Deno.rename(`${dir}/version-2/${e.name}`, `${logs}/version-2/${e.name}`);
    }
  }
  // Without the newest snapshot, reaching the last zxid needs log.200000001.
  await Deno.remove(`${dir}/version-2/snapshot.20000000d`);
  const without = await zkt("data", "replay", dir);
  assert.match(without.out, /lastProcessedZxid 0x10000001c/);
  const r = await zkt("data", "replay", dir, "--log-dir", logs);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /lastProcessedZxid 0x20000000d/);
  assert.match(r.out, /snapshot digest ok, txn digests OK/);
  const p = await zkt("data", "purge", dir, "--keep", "3", "--dry-run", "--log-dir", logs);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /kept 2 snapshots; would remove 0 snapshots and 0 logs/);
});

Deno.test("data snapshot writes the state at --to as a snapshot that restores to the same tree", async () => {
  const dir = await copyFixture();
  const out = `${dir}/at-1d.snap`;
  const r = await zkt("data", "snapshot", dir, "--to", "0x10000000d", "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^wrote .*at-1d\.snap: \d+ znodes as of zxid 0x10000000d$/m);
  // The file is a valid snapshot holding what replay shows at that zxid.
  const dump = await zkt("snap", "dump", out, "--json");
  assert.equal(dump.code, 0, dump.err);
  const replay = await zkt("data", "replay", FIXTURE_DIR, "--to", "0x10000000d", "--json");
  const paths = (text: string) =>
    text.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => o.path).map((o) => o.path)
      .sort();
  assert.deepEqual(paths(dump.out), paths(replay.out));
  assert.equal((await zkt("snap", "verify", out)).code, 0);
  // Default name in version-2, and a zxid past the logs is exit 3.
  const all = await zkt("data", "snapshot", dir);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /version-2\/snapshot\.20000000d: /);
  const past = await zkt("data", "snapshot", dir, "--to", "0x30000000d", "--out", `${dir}/x`);
  assert.equal(past.code, 3);
  assert.match(past.err, /restore reached 0x20000000d, not 0x30000000d/);
  assert.equal((await zkt("data", "snapshot", dir, "--to", "nope")).code, 2);
});

Deno.test("data replay prints ACLs as snap dump does: -1 is world:anyone:cdrwa, JSON refs resolve", async () => {
  const text = await zkt("data", "replay", FIXTURE_DIR);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /^\/\n(?: {2}.*\n)*? {2}acl = world:anyone:cdrwa\n/);
  assert.doesNotMatch(text.out, /^ {2}acl = $/m);
  const json = await zkt("data", "replay", FIXTURE_DIR, "--json");
  const recs = json.out.trim().split("\n").map((l) => JSON.parse(l));
  const refs = new Set(recs.filter((o) => o.type === "acl").map((o) => o.ref));
  assert.ok(refs.size > 0);
  for (const z of recs.filter((o) => o.type === "znode")) {
    assert.ok(z.acl === "-1" || refs.has(z.acl), `${z.path}: acl ref ${z.acl} has no acl record`);
  }
});
