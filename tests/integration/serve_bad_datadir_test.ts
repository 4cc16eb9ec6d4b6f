// `zkt serve` on a damaged data dir: a broken newest snapshot is skipped and an
// older one plus the logs restore every acknowledged write (ZooKeeper 3.8's
// fallback); damage that would lose acknowledged writes stops startup with one
// clear line naming the file, never a server missing data.
import assert from "node:assert/strict";
import { startZkt } from "../support/zkt_server.ts";
import { ZkClient } from "../support/zk_client.ts";
import { logFileName, readTxnLog, TxnLogWriter } from "../../src/persistence/txnlog.ts";

/** A data dir with /a0../a9 written in one run and /b0../b9 in the next (two snapshots). */
async function twoRuns(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-bad-datadir-" });
  for (const prefix of ["a", "b"]) {
    const z = await startZkt({ dir });
    const c = await ZkClient.connect(z.port);
    for (let i = 0; i < 10; i++) {
      assert.equal((await c.create(`/${prefix}${i}`, `${prefix}-${i}`)).err, 0);
    }
    await c.close();
    assert.equal(await z.stop(), 0);
  }
  return dir;
}

function files(dir: string, prefix: string): string[] {
  const v2 = `${dir}/data/version-2`;
  return [...Deno.readDirSync(v2)]
    .map((e) => e.name)
    .filter((n) => n.startsWith(prefix + "."))
    .sort((x, y) => Number(BigInt("0x" + x.split(".")[1]) - BigInt("0x" + y.split(".")[1])))
    .map((n) => `${v2}/${n}`);
}

async function assertAllPresent(port: number): Promise<void> {
  const c = await ZkClient.connect(port);
  for (const prefix of ["a", "b"]) {
    for (let i = 0; i < 10; i++) {
      assert.equal((await c.getData(`/${prefix}${i}`)).data, `${prefix}-${i}`, `/${prefix}${i}`);
    }
  }
  await c.close();
}

const damages: [string, (bytes: Uint8Array) => Uint8Array][] = [
  ["cut short", (b) => b.subarray(0, Math.floor(b.length / 2))],
  ["with a flipped byte", (b) => {
    const out = b.slice();
    out[Math.floor(b.length / 2)] ^= 0x20;
    return out;
  }],
  ["emptied", () => new Uint8Array(0)],
];

for (const [how, damage] of damages) {
  Deno.test(`a newest snapshot ${how} is skipped; an older one + the logs restore every write`, async () => {
    const dir = await twoRuns();
    const newest = files(dir, "snapshot").at(-1)!;
    await Deno.writeFile(newest, damage(await Deno.readFile(newest)));
    const z = await startZkt({ dir });
    try {
      assert.match(z.log(), new RegExp(`skipping snapshot ${newest}`));
      await assertAllPresent(z.port);
    } finally {
      await z.stop();
    }
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("a damaged newest snapshot whose fallback lacks the logs stops startup with one line, not a tree missing writes", async () => {
  const dir = await twoRuns();
  const snaps = files(dir, "snapshot");
  const newest = snaps.at(-1)!;
  await Deno.writeFile(newest, (await Deno.readFile(newest)).subarray(0, 20));
  // Remove the log holding /a*: only snapshot.0 and the log of /b* remain usable.
  await Deno.remove(files(dir, "log")[0]);
  const err = await startZkt({ dir }).then(
    async (z) => {
      await z.stop("SIGKILL");
      return null;
    },
    (e: Error) => e.message,
  );
  assert.ok(err !== null, "startup refused");
  assert.match(err, /exited with 3/);
  assert.match(
    err,
    /zkt serve: corrupt data: .*log\.[0-9a-f]+: txn .*: txns 0x1\.\.0x[0-9a-f]+ are missing/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a txn record with a bad checksum stops startup with one line naming the file and offset", async () => {
  const dir = await twoRuns();
  const log = files(dir, "log")[0];
  const bytes = await Deno.readFile(log);
  bytes[16 + 12 + 30] ^= 0x01; // inside the first record's txn bytes
  await Deno.writeFile(log, bytes);
  // Only the snapshot at startup of the first run (empty) comes before it.
  for (const s of files(dir, "snapshot").slice(1)) await Deno.remove(s);
  const err = await startZkt({ dir }).then(
    async (z) => {
      await z.stop("SIGKILL");
      return null;
    },
    (e: Error) => e.message,
  );
  assert.ok(err !== null, "startup refused");
  assert.match(err, /exited with 3/);
  assert.match(
    err,
    /zkt serve: corrupt data: .*log\.1: checksum mismatch in the record at offset 16 /,
  );
  await Deno.remove(dir, { recursive: true });
});

/** The newest zxid any log holds, read with our reader. */
async function lastLoggedZxid(dir: string): Promise<bigint> {
  let last = 0n;
  for (const f of files(dir, "log")) {
    for await (const e of readTxnLog(f)) if (e.kind === "txn") last = e.header.zxid;
  }
  return last;
}

const unfinished: [string, (file: string) => Promise<void>][] = [
  ["empty", (f) => Deno.writeFile(f, new Uint8Array(0))],
  ["preallocated but never written", (f) => Deno.writeFile(f, new Uint8Array(128 * 1024))],
  ["holding only a torn first record", async (f) => {
    const w = await TxnLogWriter.create(f);
    w.append(
      { clientId: 9n, cxid: 0, zxid: BigInt("0x" + f.split(".").pop()), time: 1, type: -10 },
      { type: -10, record: { timeOut: 4000 } },
    );
    await w.close();
    await Deno.truncate(f, 16 + 20); // the header and part of the record
  }],
];

for (const [how, make] of unfinished) {
  Deno.test(`a newest log left ${how} by a crash is replaced; the server serves and keeps every write`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-bad-log-" });
    let z = await startZkt({ dir });
    const c = await ZkClient.connect(z.port);
    assert.equal((await c.create("/x", "before")).err, 0);
    assert.equal(await z.stop("SIGKILL"), 137);
    await c.ended();
    // The log a crash cut short is named for the next zxid, as the server names its next log.
    const next = (await lastLoggedZxid(dir)) + 1n;
    await make(`${dir}/data/version-2/${logFileName(next)}`);
    z = await startZkt({ dir });
    try {
      const d = await ZkClient.connect(z.port);
      assert.equal((await d.getData("/x")).data, "before");
      assert.equal((await d.create("/y", "after")).err, 0, "the server writes again");
      await d.close();
      assert.equal(await z.stop(), 0);
      z = await startZkt({ dir });
      const e = await ZkClient.connect(z.port);
      assert.equal((await e.getData("/x")).data, "before");
      assert.equal((await e.getData("/y")).data, "after");
      await e.close();
    } finally {
      await z.stop();
    }
    await Deno.remove(dir, { recursive: true });
  });
}
