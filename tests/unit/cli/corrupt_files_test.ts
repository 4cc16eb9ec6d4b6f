// Damaged files at the CLI: every snap and txnlog command ends with exit 3 and
// a line naming the file and the problem; never a crash, a hang or a huge
// allocation. (The readers' own fuzzing is in tests/unit/persistence.)
import assert from "node:assert/strict";
import { FINAL_SNAPSHOT, LOG1 } from "../persistence/fixture.ts";
import { zkt } from "./cli_io.ts";

/** A copy of `bytes` with a big-endian int32 written at `offset`. */
function withInt(bytes: Uint8Array, offset: number, v: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setInt32(offset, v);
  return out;
}

Deno.test("damaged snapshots and txn logs: exit 3 with one line naming the file and the problem", async () => {
  const dir = await Deno.makeTempDir();
  const snap = await Deno.readFile(FINAL_SNAPSHOT);
  const log = await Deno.readFile(LOG1);
  const flipped = snap.slice();
  flipped[Math.floor(snap.length / 2)] ^= 0xff;
  const cases: [string, Uint8Array, string[], RegExp][] = [
    ["snap-empty", new Uint8Array(0), ["snap dump", "snap verify"], /ends inside file header/],
    ["snap-magic", withInt(snap, 0, 0x5a4b5358), ["snap dump", "snap verify"], /not a snapshot/],
    ["snap-cut", snap.subarray(0, 1500), ["snap dump", "snap verify"], /file ends inside/],
    ["snap-flip", flipped, ["snap dump", "snap verify"], /checksum mismatch|bad|ends inside/],
    // The session count right after the 16-byte header, as a huge number.
    ["snap-huge", withInt(snap, 16, 0x7fffffff), ["snap dump", "snap verify"], /ends inside/],
    ["log-empty", new Uint8Array(0), ["txnlog dump", "txnlog verify"], /torn tail/],
    ["log-magic", withInt(log, 0, 0x5a4b5358), ["txnlog dump", "txnlog verify"], /not a txn log/],
    ["log-cut", log.subarray(0, 700), ["txnlog dump", "txnlog verify"], /torn tail/],
    // The first record's length field, as a huge number.
    [
      "log-huge",
      withInt(log, 24, 0x7fffffff),
      ["txnlog dump", "txnlog verify"],
      /record length 2147483647 exceeds the limit/,
    ],
  ];
  for (const [name, bytes, commands, why] of cases) {
    const file = `${dir}/${name}`;
    await Deno.writeFile(file, bytes);
    for (const command of commands) {
      const r = await zkt(...command.split(" "), file);
      assert.equal(r.code, 3, `${command} ${name}: exit ${r.code}\n${r.err}`);
      // One line naming file and problem (verify may list further problems under it).
      const lines = r.err.trim().split("\n");
      if (!command.endsWith("verify")) {
        assert.equal(lines.length, 1, `${command} ${name}: ${r.err}`);
      }
      assert.ok(lines[0].includes(name), `${command} ${name}: ${lines[0]}`);
      assert.match(r.err, why, `${command} ${name}`);
    }
  }
  await Deno.remove(dir, { recursive: true });
});
