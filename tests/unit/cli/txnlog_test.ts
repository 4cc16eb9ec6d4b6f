import assert from "node:assert/strict";
import { FIXTURE_DIR, LOG1 } from "../persistence/fixture.ts";
import { zkt } from "./cli_io.ts";

Deno.test("txnlog dump prints one txn per line with time, session, cxid, zxid, type and body", async () => {
  const r = await zkt("txnlog", "dump", LOG1);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /^\d{4}-\d\d-\d\dT[\d:.]+Z session 0x[0-9a-f]+ cxid 0x1 zxid 0x100000002 create \/app "hello" \[world:anyone:cdrwa\] persistent parentCVersion=1 digest \d+$/m,
  );
  assert.match(r.out, /zxid 0x10000000e multi create\(\/multi-failed .*\); error\(err=-103\)/);
  assert.match(r.out, /zxid 0x10000001a closeSession delete \[\/eph-closed\]/);
  assert.match(r.out, /28 of 28 txns shown/);
});

Deno.test("txnlog dump filters by zxid range, session and path across a data dir", async () => {
  const all = await zkt("txnlog", "dump", FIXTURE_DIR, "--json");
  const txns = all.out.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => o.type === "txn");
  assert.equal(txns.length, 41);
  const range = await zkt(
    "txnlog",
    "dump",
    FIXTURE_DIR,
    "--json",
    "--from",
    "0x10000001b",
    "--to",
    "0x200000002",
  );
  assert.deepEqual(
    range.out.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => o.type === "txn").map((
      o,
    ) => o.zxid),
    ["0x10000001b", "0x10000001c", "0x200000001", "0x200000002"],
  );
  const sess = txns.find((t) => t.op === "createSession" && t.timeout === 2000).session;
  const bySession = await zkt("txnlog", "dump", FIXTURE_DIR, "--json", "--session", sess);
  assert.deepEqual(
    bySession.out.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => o.type === "txn").map((
      o,
    ) => o.op),
    ["createSession", "create", "closeSession"],
  );
  const byPath = await zkt("txnlog", "dump", FIXTURE_DIR, "--path", "/multi");
  assert.match(byPath.out, /zxid 0x10000000d multi/);
  assert.match(byPath.out, /zxid 0x20000000c delete \/multi\/child/);
  assert.match(byPath.out, /2 of 41 txns shown/, "/multi-failed is not under /multi");
  assert.equal((await zkt("txnlog", "dump", LOG1, "--from", "zz")).code, 2);
});

Deno.test("txnlog verify passes ZooKeeper's logs and exits 3 on a torn tail", async () => {
  const ok = await zkt("txnlog", "verify", FIXTURE_DIR);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /log\.100000001: OK — 28 txns \(0x100000001 … 0x10000001c\)/);
  const bytes = await Deno.readFile(LOG1);
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/log.100000001`, bytes.subarray(0, 700));
  const torn = await zkt("txnlog", "verify", `${dir}/log.100000001`);
  assert.equal(torn.code, 3);
  assert.match(torn.err, /log\.100000001: torn tail: partial record at offset \d+/);
  // dump prints every whole txn, then exits 3 naming the torn tail.
  const dump = await zkt("txnlog", "dump", `${dir}/log.100000001`);
  assert.equal(dump.code, 3);
  assert.match(dump.out, /0x100000001/);
  assert.match(dump.err, /log\.100000001: torn tail: partial record at offset \d+/);
});

Deno.test("txnlog truncate writes a new file unless --in-place", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(LOG1, `${dir}/log.100000001`);
  const r = await zkt("txnlog", "truncate", `${dir}/log.100000001`, "--zxid", "0x100000003");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /log\.100000001\.chopped: kept 3 txns \(last 0x100000003\), dropped 25/);
  const inPlace = await zkt(
    "txnlog",
    "truncate",
    `${dir}/log.100000001`,
    "--zxid",
    "4294967297",
    "--in-place",
  );
  assert.equal(inPlace.code, 0);
  const v = await zkt("txnlog", "dump", `${dir}/log.100000001`);
  assert.match(v.out, /1 of 1 txns shown/);
  assert.equal((await zkt("txnlog", "truncate", `${dir}/log.100000001`)).code, 2);
});
