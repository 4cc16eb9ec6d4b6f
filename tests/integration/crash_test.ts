// Durability under kill -9: `zkt serve` runs as a real process under a write
// load from several concurrent clients; every acknowledged create and setData is
// recorded; the server is killed with SIGKILL at a seeded random moment and
// restarted on the same data dir, and every acknowledged write must be there
// with its value and version (or the one write that was in flight on that key,
// whose outcome the client never learned). Variants kill it while a snapshot is
// being written, and tear the last txn log record after the kill.
import assert from "node:assert/strict";
import { readTxnLog } from "../../src/persistence/txnlog.ts";
import { startZkt, type ZktServer } from "../support/zkt_server.ts";
import { ZkClient } from "../support/zk_client.ts";
import { waitFor } from "../support/wait.ts";
import { cp } from "node:fs/promises";
import { startApacheZk } from "../support/apache_zk.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";

const SEED = Number(Deno.env.get("ZKT_CRASH_SEED") ?? 0x5eed);
const CLIENTS = 5;
const KEYS_PER_CLIENT = 12;
const NO_NODE = -101;

/** mulberry32: a small seeded PRNG, so a failing round can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a key is known to hold: its last acknowledged write. */
interface Acked {
  data: string;
  version: number;
  zxid: bigint;
}

/** A write sent but not answered when the server died. */
interface InFlight {
  data: string;
  /** The version the node has if the write took effect. */
  version: number;
}

/** The keys, their acknowledged state and what is in flight; one client owns each key. */
class Ledger {
  acked = new Map<string, Acked>();
  inFlight = new Map<string, InFlight>();
  ackCount = 0;
  keys: string[] = [];

  constructor() {
    for (let c = 0; c < CLIENTS; c++) {
      for (let k = 0; k < KEYS_PER_CLIENT; k++) this.keys.push(`/crash/c${c}-k${k}`);
    }
  }

  /** A copy to check another server against without changing this one. */
  clone(): Ledger {
    const l = new Ledger();
    l.acked = new Map(this.acked);
    l.inFlight = new Map(this.inFlight);
    l.ackCount = this.ackCount;
    return l;
  }

  keysOf(client: number): string[] {
    return this.keys.slice(client * KEYS_PER_CLIENT, (client + 1) * KEYS_PER_CLIENT);
  }
}

/** One client's loop: creates or overwrites its keys until the connection dies or it has done `max` ops. */
async function clientLoop(
  port: number,
  client: number,
  round: number,
  ledger: Ledger,
  rand: () => number,
  max: number,
): Promise<void> {
  let c: ZkClient;
  try {
    c = await ZkClient.connect(port, { timeoutMs: 4000 });
  } catch {
    return; // the server died before this client connected
  }
  const keys = ledger.keysOf(client);
  try {
    for (let seq = 0; seq < max; seq++) {
      const key = keys[Math.floor(rand() * keys.length)];
      const data = `r${round}-c${client}-${seq}`;
      const known = ledger.acked.get(key);
      ledger.inFlight.set(key, { data, version: known ? known.version + 1 : 0 });
      if (!known) {
        const r = await c.create(key, data);
        assert.equal(r.err, 0, `create ${key}`);
        ledger.acked.set(key, { data, version: 0, zxid: r.zxid });
      } else {
        const r = await c.setData(key, data, known.version);
        assert.equal(r.err, 0, `setData ${key} at version ${known.version}`);
        ledger.acked.set(key, { data, version: r.stat!.version, zxid: r.stat!.mzxid });
        assert.equal(r.stat!.version, known.version + 1);
      }
      ledger.inFlight.delete(key);
      ledger.ackCount++;
    }
    await c.close();
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    // The server was killed: the write in flight has an unknown outcome.
  } finally {
    c.conn.close();
  }
}

/** Reads every key after a restart and checks it against the ledger; then the ledger adopts what it read. */
async function verify(
  port: number,
  ledger: Ledger,
  what: string,
  lostFrom: bigint | null = null,
): Promise<number> {
  const c = await ZkClient.connect(port);
  let checked = 0;
  try {
    for (const key of ledger.keys) {
      const got = await c.getData(key);
      const acked = ledger.acked.get(key);
      const flight = ledger.inFlight.get(key);
      const seen = got.err === NO_NODE
        ? null
        : { data: got.data ?? "", version: got.stat!.version };
      assert.ok(got.err === 0 || got.err === NO_NODE, `${what}: getData ${key} err ${got.err}`);
      const isAcked = acked && seen?.data === acked.data && seen.version === acked.version;
      const isFlight = flight && seen?.data === flight.data && seen.version === flight.version;
      if (acked && lostFrom !== null && acked.zxid >= lostFrom) {
        // Its txn was in the record we tore (or after): older state is allowed.
        assert.ok(
          seen === null || seen.version <= acked.version || isFlight,
          `${what}: ${key} is newer than anything written: ${JSON.stringify(seen)}`,
        );
      } else if (acked) {
        assert.ok(
          isAcked || isFlight,
          `${what}: acknowledged ${key}=${acked.data} v${acked.version} (zxid 0x${
            acked.zxid.toString(16)
          }) but found ${JSON.stringify(seen)}; in flight ${JSON.stringify(flight)}`,
        );
        checked++;
      } else {
        assert.ok(
          seen === null || isFlight,
          `${what}: ${key} never acknowledged, found ${JSON.stringify(seen)}`,
        );
      }
      if (seen === null) ledger.acked.delete(key);
      else ledger.acked.set(key, { ...seen, zxid: got.stat!.mzxid });
    }
    ledger.inFlight.clear();
  } finally {
    await c.close();
  }
  return checked;
}

/** Runs the load until `acks` more writes are acknowledged, then kills the server with SIGKILL. */
async function loadAndKill(
  z: ZktServer,
  ledger: Ledger,
  round: number,
  rand: () => number,
  acks: number,
  killWhen?: () => Promise<boolean>,
): Promise<void> {
  const target = ledger.ackCount + acks;
  const loops = [];
  for (let c = 0; c < CLIENTS; c++) {
    loops.push(clientLoop(z.port, c, round, ledger, rng(Math.floor(rand() * 2 ** 32)), 5000));
  }
  await waitFor(
    `${acks} acknowledged writes`,
    async () => ledger.ackCount >= target && (killWhen ? await killWhen() : true),
    60_000,
    1,
  );
  assert.equal(await z.stop("SIGKILL"), 137, "killed by SIGKILL");
  await Promise.all(loops);
}

async function createRoot(port: number): Promise<void> {
  const c = await ZkClient.connect(port);
  assert.equal((await c.create("/crash", "")).err, 0);
  await c.close();
}

/** Kill/restart rounds on one data dir; returns a line per round. */
async function crashRounds(seed: number, cfg: string[], rounds: number): Promise<string[]> {
  const rand = rng(seed);
  const dir = await Deno.makeTempDir({ prefix: "zkt-crash-" });
  const ledger = new Ledger();
  let z = await startZkt({ dir, cfg });
  await createRoot(z.port);
  const out: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const before = ledger.ackCount;
      await loadAndKill(z, ledger, round, rand, 20 + Math.floor(rand() * 300));
      z = await startZkt({ dir, cfg });
      const checked = await verify(z.port, ledger, `seed ${seed} ${cfg} round ${round}`);
      out.push(
        `round ${round}: ${ledger.ackCount - before} acked, ${checked} keys checked, ` +
          `${Math.round(performance.now() - t0)} ms`,
      );
    }
  } finally {
    await z.stop("SIGKILL");
  }
  await Deno.remove(dir, { recursive: true });
  return out;
}

Deno.test("kill -9 under a concurrent write load loses no acknowledged write (20 rounds)", async () => {
  const rounds = await crashRounds(SEED, ["snapCount=400"], 20);
  if (Deno.env.get("ZKT_CRASH_VERBOSE")) console.log(rounds.join("\n"));
});

Deno.test("kill -9 with forceSync=no and small preallocation chunks loses no acknowledged write", async () => {
  // Without fsync a write is still in the page cache, which survives the
  // process; 16 KiB chunks make the log grow under the load many times.
  const rounds = await crashRounds(SEED ^ 0xf5, [
    "snapCount=400",
    "forceSync=no",
    "preAllocSize=16",
  ], 6);
  if (Deno.env.get("ZKT_CRASH_VERBOSE")) console.log(rounds.join("\n"));
});

/** snapshot.<zxid>.tmp-<pid> files: a snapshot being written. */
function snapshotsInProgress(dir: string): string[] {
  return [...Deno.readDirSync(`${dir}/data/version-2`)]
    .map((e) => e.name)
    .filter((n) => /^snapshot\.[0-9a-f]+\.tmp-\d+$/.test(n));
}

Deno.test("kill -9 while a snapshot is being written loses no acknowledged write", async () => {
  const rand = rng(SEED ^ 0x51a9);
  const dir = await Deno.makeTempDir({ prefix: "zkt-crash-snap-" });
  const ledger = new Ledger();
  // Many big nodes make each snapshot take long enough to be caught mid-write.
  const cfg = ["snapCount=60"];
  let z = await startZkt({ dir, cfg });
  await createRoot(z.port);
  const bulk = await ZkClient.connect(z.port);
  const big = "x".repeat(8000);
  const writes = [];
  for (let i = 0; i < 1500; i++) writes.push(bulk.create(`/crash/bulk-${i}`, big));
  for (const w of writes) assert.equal((await w).err, 0);
  await bulk.close();
  let caught = false;
  try {
    for (let attempt = 0; attempt < 8 && !caught; attempt++) {
      await loadAndKill(
        z,
        ledger,
        attempt,
        rand,
        10,
        () => Promise.resolve(snapshotsInProgress(dir).length > 0),
      );
      // The kill interrupted a snapshot when its temporary file is still there.
      caught = snapshotsInProgress(dir).length > 0;
      z = await startZkt({ dir, cfg });
      await verify(z.port, ledger, `seed ${SEED} snapshot attempt ${attempt}`);
      assert.deepEqual(snapshotsInProgress(dir), [], "the half-written snapshot was cleared");
    }
    assert.ok(caught, "a kill landed while a snapshot was being written");
    // Bulk nodes are intact too.
    const c = await ZkClient.connect(z.port);
    const g = await c.getData("/crash/bulk-1499");
    assert.equal(g.data, big);
    await c.close();
  } finally {
    await z.stop("SIGKILL");
  }
  await Deno.remove(dir, { recursive: true });
});

/** The newest log file holding a txn, and its last record. */
async function lastRecord(
  dir: string,
): Promise<{ file: string; offset: number; length: number; zxid: bigint }> {
  const v2 = `${dir}/data/version-2`;
  const logs = [...Deno.readDirSync(v2)]
    .map((e) => e.name)
    .filter((n) => /^log\.[0-9a-f]+$/.test(n))
    .sort((a, b) => Number(BigInt("0x" + b.slice(4)) - BigInt("0x" + a.slice(4))));
  for (const name of logs) {
    let last = null;
    for await (const e of readTxnLog(`${v2}/${name}`)) {
      if (e.kind === "txn") {
        last = { offset: e.offset, length: e.bytes.length, zxid: e.header.zxid };
      }
    }
    if (last) return { file: `${v2}/${name}`, ...last };
  }
  throw new Error("no txn in any log");
}

Deno.test("a txn log torn mid-record after kill -9 restores to the last complete record and keeps serving", async () => {
  const rand = rng(SEED ^ 0x7043);
  const dir = await Deno.makeTempDir({ prefix: "zkt-crash-torn-" });
  const ledger = new Ledger();
  let z = await startZkt({ dir, cfg: ["snapCount=400"] });
  await createRoot(z.port);
  try {
    for (let round = 0; round < 4; round++) {
      await loadAndKill(z, ledger, round, rand, 30 + Math.floor(rand() * 200));
      const rec = await lastRecord(dir);
      // Cut inside the record: 12 bytes of checksum + length, then its txn bytes.
      const cut = rec.offset + 1 + Math.floor(rand() * (12 + rec.length));
      if (round % 2 === 0) {
        await Deno.truncate(rec.file, cut); // the file ends mid-record
      } else {
        // The record's tail is zeros, as in a preallocated file.
        const f = await Deno.open(rec.file, { read: true, write: true });
        await f.seek(cut, Deno.SeekMode.Start);
        await f.write(new Uint8Array(rec.offset + 12 + rec.length + 1 - cut));
        f.close();
      }
      if (!SKIP_INTEROP && round < 2) {
        // Apache ZooKeeper reads the same torn log to the same state.
        const copy = await Deno.makeTempDir({ prefix: "zkt-crash-torn-zk-" });
        await cp(`${dir}/data`, `${copy}/data`, { recursive: true });
        const zk = await startApacheZk({ dir: copy, clientPort: freePort() });
        try {
          await verify(
            zk.clientPort,
            ledger.clone(),
            `Apache ZooKeeper, torn round ${round}`,
            rec.zxid,
          );
        } finally {
          await zk.stop();
        }
        await Deno.remove(copy, { recursive: true });
      }
      z = await startZkt({ dir, cfg: ["snapCount=400"] });
      const want = `last zxid 0x${(rec.zxid - 1n).toString(16)}`;
      assert.ok(z.log().includes(want), `restart log says "${want}":\n${z.log().slice(-2000)}`);
      assert.match(z.log(), /torn/);
      await verify(z.port, ledger, `seed ${SEED} torn round ${round}`, rec.zxid);
    }
    // It keeps serving, and what it serves now survives another restart.
    const c = await ZkClient.connect(z.port);
    assert.equal((await c.create("/crash/after-torn", "ok")).err, 0);
    await c.close();
    assert.equal(await z.stop(), 0);
    z = await startZkt({ dir, cfg: ["snapCount=400"] });
    await verify(z.port, ledger, `seed ${SEED} after torn rounds`);
    const d = await ZkClient.connect(z.port);
    assert.equal((await d.getData("/crash/after-torn")).data, "ok");
    await d.close();
  } finally {
    await z.stop("SIGKILL");
  }
  await Deno.remove(dir, { recursive: true });
});
