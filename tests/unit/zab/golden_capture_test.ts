// Golden bytes of the quorum port (zab-3.8.md §14 scenario 25): Zab traffic
// recorded between real Apache ZooKeeper 3.8 peers (scripts/gen-zab-golden)
// parses with quorum_stream, every packet re-encodes byte for byte, and the
// fields are what zkt's leader and learner will have to send and expect.
import {
  checkFields,
  checkReencoding,
  parseCapture,
  readFixtureCapture,
} from "../../support/zab_golden_check.ts";

const DIR = new URL("../../../fixtures/zab", import.meta.url).pathname;

Deno.test("ZooKeeper's Zab streams (FOLLOWERINFO .. UPTODATE, broadcast, DIFF, SNAP) re-encode byte for byte", async () => {
  const conns = await parseCapture(await readFixtureCapture(DIR));
  for (const c of conns) checkReencoding(c);
});

Deno.test("ZooKeeper's Zab packets carry the fields zab-3.8.md describes", async () => {
  const cap = await readFixtureCapture(DIR);
  checkFields(await parseCapture(cap), cap);
});
