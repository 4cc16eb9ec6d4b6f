// Damaged files never crash a reader: every failure is a CorruptDataError
// (exit 3 with file and offset), whatever bytes are flipped or cut.
import assert from "node:assert/strict";
import fc from "fast-check";
import { CorruptDataError } from "../../../src/errors.ts";
import { readSnapshot } from "../../../src/persistence/snapshot.ts";
import { readTxnLog } from "../../../src/persistence/txnlog.ts";
import { LOG1, MID_SNAPSHOT } from "./fixture.ts";

async function drain(it: AsyncGenerator<unknown>): Promise<void> {
  for await (const _ of it) { /* read everything */ }
}

for (
  const [what, source, read] of [
    ["snapshot", MID_SNAPSHOT, (f: string) => drain(readSnapshot(f))],
    ["txn log", LOG1, (f: string) => drain(readTxnLog(f))],
  ] as const
) {
  Deno.test(`a ${what} with random damage reads fine or fails with a CorruptDataError`, async () => {
    const original = await Deno.readFile(source);
    const dir = await Deno.makeTempDir();
    const name = source.split("/").pop()!;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat(original.length), { nil: undefined }),
        async (flips, cut) => {
          const bytes = original.slice(0, cut ?? original.length);
          for (const [at, x] of flips) if (at < bytes.length) bytes[at] ^= x;
          const file = `${dir}/${name}`;
          await Deno.writeFile(file, bytes);
          try {
            await read(file);
          } catch (e) {
            assert.ok(
              e instanceof CorruptDataError,
              `unexpected ${(e as Error).name}: ${(e as Error).message}`,
            );
            assert.ok((e as Error).message.includes(name), (e as Error).message);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
}
