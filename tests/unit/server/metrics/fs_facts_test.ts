// Health checks poll mntr, srvr and dirs every few seconds: listing the data
// dirs or /proc with blocking calls on that path stalls every client of the
// one event loop. Dir sizes and descriptor counts come from a cache that a
// reader refreshes in the background, at most once per interval.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { FsFacts } from "../../../../src/server/metrics/fs_facts.ts";

Deno.test("dir sizes: a reader gets the last sample at once; a stale one starts one background refresh", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a`, new Uint8Array(100));
    let now = 0;
    const facts = new FsFacts(dir, dir, 1000, () => now);
    assertEquals(facts.get().dataDirSize, 0); // nothing sampled yet: no waiting for it
    await facts.settled();
    assertEquals([facts.get().dataDirSize, facts.get().logDirSize], [100, 100]);
    await Deno.writeFile(`${dir}/b`, new Uint8Array(50));
    now = 500;
    assertEquals(facts.get().dataDirSize, 100); // fresh enough: no refresh
    await facts.settled();
    assertEquals(facts.get().dataDirSize, 100);
    now = 1500;
    assertEquals(facts.get().dataDirSize, 100); // stale: the old value, and a refresh starts
    await facts.settled();
    assertEquals(facts.get().dataDirSize, 150);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
