// `hash` lists the tree digest every 128 zxids. ZooKeeper 3.8 logs them as txns
// are applied, replay included, so after a restart they are back; zkt once kept
// them in the server and answered nothing after a restart.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { startInProc } from "../../support/zkt_inproc.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { ZkClient } from "../../support/zk_client.ts";

Deno.test("hash after a restart lists the digests the log replay recomputed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-hash-" });
  let s = await startInProc([], { dir });
  let before: string;
  try {
    const c = await ZkClient.connect(s.port);
    for (let i = 0; i < 260; i++) await c.create(`/h${i}`, `${i}`);
    await c.close();
    before = await fourLetter(s.port, "hash");
    match(before, /^80: -?\d+\n100: -?\d+\n$/);
  } finally {
    await s.stop();
  }
  // The startup snapshot is at zxid 0 (no digest), so every txn is replayed.
  s = await startInProc([], { dir });
  try {
    assertEquals(await fourLetter(s.port, "hash"), before);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
