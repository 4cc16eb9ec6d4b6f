// Interop: what zkt writes, Apache ZooKeeper 3.8 reads as the same record.
// Random values of every jute record (the round-trip table's arbitraries) are
// encoded by zkt and fed to ZooKeeper's own generated classes
// (scripts/golden/JuteEcho.java): ZooKeeper must consume every byte, see
// exactly our field values under exactly our field names, and serialize the
// record back to exactly our bytes. The other direction (ZooKeeper's bytes
// decode to the expected values) is fixtures/golden: the last tests here
// regenerate it live with scripts/gen-golden, and have ZooKeeper read each
// golden record back, so the expected values come from ZooKeeper's objects and
// not only from our hand-written mirror of them (golden_values.ts).
import assert from "node:assert/strict";
import fc from "fast-check";
import { Reader } from "../../src/jute/reader.ts";
import { encode } from "../../src/jute/writer.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { golden, GOLDEN_DIR, GOLDENS } from "../unit/jute/golden_values.ts";
import { RECORDS } from "../unit/jute/records.ts";

const ROOT = `${import.meta.dirname}/../..`;
const ZK_JAR = "/usr/share/java/zookeeper.jar";
// Records that are framings of ours, not classes of zookeeper.jute.
const NOT_JUTE_CLASSES = new Set(["MultiRequest", "MultiResponse"]);
const SAMPLES_PER_RECORD = 25;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * The value as ZooKeeper can hold it: non-BMP characters become "\u00e9"
 * (ZooKeeper writes them as 3-byte surrogates it cannot read back, see the
 * golden GetDataRequest), and the readOnly flag goes (not part of the
 * ConnectRequest/ConnectResponse classes).
 */
function asZooKeeperHoldsIt(v: unknown, astral = "\u00e9"): unknown {
  if (typeof v === "string") return v.replace(/[\u{10000}-\u{10ffff}]/gu, astral);
  if (v === null || typeof v !== "object" || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map((x) => asZooKeeperHoldsIt(x, astral));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k !== "readOnly") out[k] = asZooKeeperHoldsIt(x, astral);
  }
  return out;
}

/** One shape for both sides: every integer as "#n", bytes as {bytes: hex}. */
function canonical(v: unknown): unknown {
  if (typeof v === "bigint" || typeof v === "number") return `#${v}`;
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(canonical);
  const o = v as Record<string, unknown>;
  if (typeof o.long === "string" && Object.keys(o).length === 1) return `#${o.long}`;
  if (typeof o.bytes === "string" && Object.keys(o).length === 1) return o;
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, canonical(x)]));
}

async function compileEcho(dir: string): Promise<void> {
  const out = await new Deno.Command("javac", {
    args: ["-nowarn", "-d", dir, "-cp", ZK_JAR, `${ROOT}/scripts/golden/JuteEcho.java`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `javac JuteEcho failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function runEcho(dir: string, input: string): Promise<string[]> {
  const child = new Deno.Command("java", {
    args: ["-cp", `${dir}:${ZK_JAR}`, "JuteEcho"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, `JuteEcho failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

Deno.test({
  name:
    "interop: ZooKeeper 3.8's jute classes read zkt-encoded records of every kind as the same " +
    "fields and write back the same bytes",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const cases: Array<{ name: string; value: unknown; bytes: Uint8Array }> = [];
    let seed = 0x5eed;
    for (const rec of RECORDS) {
      if (NOT_JUTE_CLASSES.has(rec.name)) continue;
      for (const raw of fc.sample(rec.arb, { seed: seed++, numRuns: SAMPLES_PER_RECORD })) {
        const value = asZooKeeperHoldsIt(raw);
        cases.push({ name: rec.name, value, bytes: encode(rec.write, value) });
      }
    }
    const dir = await Deno.makeTempDir({ prefix: "zkt-jute-echo-" });
    try {
      await compileEcho(dir);
      const lines = await runEcho(dir, cases.map((c) => `${c.name} ${hex(c.bytes)}\n`).join(""));
      assert.equal(lines.length, cases.length);
      cases.forEach((c, i) => {
        const what = `${c.name} ${hex(c.bytes)}`;
        const got = JSON.parse(lines[i]);
        assert.equal(got.error, undefined, `ZooKeeper could not read ${what}: ${got.error}`);
        assert.equal(got.left, 0, `ZooKeeper left bytes unread in ${what}`);
        assert.deepEqual(canonical(got.fields), canonical(c.value), what);
        assert.equal(got.hex, hex(c.bytes), `ZooKeeper re-encodes ${what} differently`);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "interop: ZooKeeper 3.8 reads every golden record (fixtures/golden) as the fields zkt " +
    "decodes from it",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const cases = GOLDENS.flatMap((g) => {
      const rec = RECORDS.find((r) => r.read === g.read);
      assert.ok(rec, `${g.name}: no record in the round-trip table reads it`);
      if (NOT_JUTE_CLASSES.has(rec.name)) return [];
      const bytes = golden(g.name);
      return [{ golden: g.name, cls: rec.name, bytes, ours: rec.read(new Reader(bytes)) }];
    });
    assert.ok(cases.length >= 70, `only ${cases.length} golden records are jute classes`);
    const dir = await Deno.makeTempDir({ prefix: "zkt-jute-echo-" });
    try {
      await compileEcho(dir);
      const lines = await runEcho(dir, cases.map((c) => `${c.cls} ${hex(c.bytes)}\n`).join(""));
      assert.equal(lines.length, cases.length);
      cases.forEach((c, i) => {
        const got = JSON.parse(lines[i]);
        assert.equal(got.error, undefined, `ZooKeeper could not read ${c.golden}: ${got.error}`);
        // The classes stop before the connect frames' optional readOnly byte.
        const hasReadOnly = typeof c.ours === "object" && c.ours !== null && "readOnly" in c.ours;
        assert.equal(got.left, hasReadOnly ? 1 : 0, c.golden);
        // ZooKeeper reads each 3-byte surrogate it wrote as one U+FFFD.
        const want = asZooKeeperHoldsIt(c.ours, "\ufffd\ufffd");
        assert.deepEqual(canonical(got.fields), canonical(want), c.golden);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "interop: a record cut short is refused by ZooKeeper too (the echo probe can fail)",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-jute-echo-" });
    try {
      await compileEcho(dir);
      const [cut, bogus] = await runEcho(dir, "ReplyHeader 00000007000000\nNoSuchRecord 00\n");
      assert.match(JSON.parse(cut).error, /EOFException/);
      assert.match(JSON.parse(bogus).error, /no jute record class NoSuchRecord/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(dir)) out.set(e.name, Deno.readTextFileSync(`${dir}/${e.name}`));
  return out;
}

Deno.test({
  name:
    "interop: gen-golden run live against ZooKeeper 3.8 reproduces fixtures/golden byte for byte",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "zkt-golden-" });
    try {
      const out = await new Deno.Command(`${ROOT}/scripts/gen-golden`, {
        args: [tmp],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `gen-golden failed: ${err}`);
      const live = listing(tmp);
      const committed = listing(GOLDEN_DIR);
      assert.deepEqual([...live.keys()].sort(), [...committed.keys()].sort());
      for (const [name, text] of committed) assert.equal(live.get(name), text, name);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
