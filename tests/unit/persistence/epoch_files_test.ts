// Epoch files load with ZooKeeper 3.8's consistency checks.
import assert from "node:assert/strict";
import { loadEpochs, readEpochFile } from "../../../src/persistence/epoch_files.ts";
import { CorruptDataError } from "../../../src/errors.ts";

async function dir(files: Record<string, string>): Promise<string> {
  const d = await Deno.makeTempDir({ prefix: "zkt-epochs-" });
  for (const [k, v] of Object.entries(files)) await Deno.writeTextFile(`${d}/${k}`, v);
  return d;
}

Deno.test("epochs: missing files take the last zxid's epoch and are written", async () => {
  const d = await dir({});
  assert.deepEqual(await loadEpochs(d, 0x300000007n), { currentEpoch: 3n, acceptedEpoch: 3n });
  assert.equal(await Deno.readTextFile(`${d}/currentEpoch`), "3");
  assert.equal(await Deno.readTextFile(`${d}/acceptedEpoch`), "3");
});

Deno.test("epochs: a current epoch older than the last zxid is refused, unless currentEpoch.tmp says why", async () => {
  const d = await dir({ currentEpoch: "2", acceptedEpoch: "5" });
  await assert.rejects(() => loadEpochs(d, 0x300000001n), CorruptDataError);
  await Deno.writeTextFile(`${d}/currentEpoch.tmp`, "4");
  assert.deepEqual(await loadEpochs(d, 0x300000001n), { currentEpoch: 4n, acceptedEpoch: 5n });
});

Deno.test("epochs: an accepted epoch below the current one is refused", async () => {
  const d = await dir({ currentEpoch: "4\n", acceptedEpoch: "3\n" });
  await assert.rejects(() => loadEpochs(d, 0x100000000n), /accepted epoch, 0x3 is less than/);
});

Deno.test("epochs: garbage in an epoch file is one CorruptDataError naming the file", async () => {
  const d = await dir({ currentEpoch: "abc" });
  await assert.rejects(() => readEpochFile(`${d}/currentEpoch`), /Found "abc" in .*currentEpoch/);
});
