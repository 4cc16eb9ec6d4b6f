import assert from "node:assert/strict";
import { FIXTURE_DIR, MID_SNAPSHOT } from "../persistence/fixture.ts";
import { zkt } from "./cli_io.ts";

Deno.test("snap dump prints the header, every znode's stat, sessions, ACLs and a summary", async () => {
  const r = await zkt("snap", "dump", MID_SNAPSHOT);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /format ZKSN version 2, dbid 0xffffffffffffffff, zxid 0x10000001c/);
  assert.match(r.out, /^\/app\/eph\n {2}cZxid = 0x100000007\n/m);
  assert.match(r.out, /ephemeralOwner = 0x[0-9a-f]+ \(ephemeral\)/);
  assert.match(
    r.out,
    /\/ttl-long\n(?: {2}.*\n)* {2}ephemeralOwner = 0xff0000000036ee80 \(ttl 3600000 ms\)/,
  );
  assert.match(
    r.out,
    /Sessions \(2\):\n(?:.*\n)*? {2}0x[0-9a-f]+ {2}timeout 2000 ms {2}ephemerals 1/,
  );
  assert.match(r.out, /digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:cdrwa/);
  assert.match(r.out, /nodes 18, data bytes \d+, sessions 2, ACLs 4/);
  assert.match(r.out, /checksum OK, digest OK/);
});

Deno.test("snap dump --json --data --path streams JSON Lines for the subtree only", async () => {
  const r = await zkt("snap", "dump", FIXTURE_DIR, "--json", "--data", "--path", "/bin");
  assert.equal(r.code, 0, r.err);
  const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
  const znodes = recs.filter((o) => o.type === "znode");
  assert.deepEqual(znodes.map((z) => z.path), ["/bin"]);
  assert.equal(znodes[0].dataEncoding, "base64");
  assert.equal(atob(znodes[0].data).length, 256);
  assert.equal(recs[0].type, "header");
  const summary = recs.at(-1);
  assert.equal(summary.type, "summary");
  assert.equal(summary.nodes, 19);
  assert.equal(summary.checksumOk, true);
  assert.equal(summary.digest, "ok");
  const unicode =
    (await zkt("snap", "dump", FIXTURE_DIR, "--json", "--data", "--path", "/unicode-é漢")).out
      .split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.type === "znode");
  assert.equal(unicode.data, "dätä");
  assert.equal(unicode.dataEncoding, "utf8");
});

Deno.test("snap verify passes ZooKeeper's snapshots and exits 3 naming the first problem", async () => {
  assert.equal((await zkt("snap", "verify", MID_SNAPSHOT)).code, 0);
  const ok = await zkt("snap", "verify", FIXTURE_DIR);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /OK — 19 znodes/);
  const bytes = await Deno.readFile(MID_SNAPSHOT);
  bytes[bytes.indexOf(0x6b, 200)] ^= 1;
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/snapshot.10000001c`, bytes);
  const bad = await zkt("snap", "verify", `${dir}/snapshot.10000001c`);
  assert.equal(bad.code, 3);
  assert.match(bad.err, /snapshot\.10000001c: checksum mismatch/);
});

Deno.test("snap diff counts and lists added, removed and changed nodes", async () => {
  const r = await zkt("snap", "diff", MID_SNAPSHOT, FIXTURE_DIR, "--details");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /added 4, removed 3, changed 6/);
  assert.match(r.out, /^\+ \/after-restart$/m);
  assert.match(r.out, /^- \/eph-expiring$/m);
  assert.match(r.out, /^~ \/zookeeper\/config: data/m);
});

Deno.test("snap commands reject bad usage with exit 2", async () => {
  assert.equal((await zkt("snap", "dump")).code, 2);
  assert.equal((await zkt("snap", "dump", "/nonexistent/x")).code, 2);
  assert.equal((await zkt("snap", "dump", MID_SNAPSHOT, "--bogus")).code, 2);
});
