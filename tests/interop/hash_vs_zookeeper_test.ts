// `hash` against Apache ZooKeeper 3.8: its digest log is filled as txns are
// applied, log replay included, with the tree digest at every zxid that is a
// multiple of 128. zkt restoring the data dir ZooKeeper wrote must answer what
// ZooKeeper answers after its own restart of that dir: the same zxids, the
// same digests.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { startApacheZk } from "../support/apache_zk.ts";
import { fourLetter } from "../support/four_letter.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";
import { ZkClient } from "../support/zk_client.ts";
import { startInProc } from "../support/zkt_inproc.ts";

/** zkt's `hash` after restoring a copy of ZooKeeper's data dir (zkt adds a snapshot to it). */
async function zktHashOf(zkDataDir: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-hash-copy-" });
  await Deno.mkdir(`${dir}/version-2`);
  for await (const e of Deno.readDir(`${zkDataDir}/version-2`)) {
    await Deno.copyFile(`${zkDataDir}/version-2/${e.name}`, `${dir}/version-2/${e.name}`);
  }
  const s = await startInProc([], { dir });
  try {
    return await fourLetter(s.port, "hash");
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function creates(port: number, prefix: string, n: number): Promise<void> {
  const c = await ZkClient.connect(port);
  for (let i = 0; i < n; i++) await c.create(`/${prefix}${i}`, `${i}`);
  await c.close();
}

Deno.test({
  name: "hash after restoring ZooKeeper's data dir equals ZooKeeper's own hash after a restart",
  ignore: SKIP_INTEROP,
  async fn() {
    const port = freePort();
    let zk = await startApacheZk({ clientPort: port });
    const dataDir = `${zk.dir}/data`;
    try {
      // 0x1 createSession, 300 creates, 0x12e closeSession: digests at 0x80 and 0x100.
      await creates(port, "a", 300);
      const first = await fourLetter(port, "hash");
      match(first, /^80: -?\d+\n100: -?\d+\n$/);
      await zk.stop("SIGTERM");
      // Replay of log.1 from the empty snapshot.0 logs both again.
      assertEquals(await zktHashOf(dataDir), first);

      // ZooKeeper's restart writes snapshot.12e (digest at 0x12e, checked at
      // load); 132 more txns go to log.12f.
      zk = await startApacheZk({ dir: zk.dir, clientPort: port });
      assertEquals(await fourLetter(port, "hash"), first, "ZooKeeper replayed log.1 too");
      await creates(port, "b", 130);
      await zk.stop("SIGTERM");
      // Both restore the same files (ZooKeeper's start adds snapshot.1b2, so zkt goes first).
      const ours = await zktHashOf(dataDir);
      zk = await startApacheZk({ dir: zk.dir, clientPort: port });
      const afterRestart = await fourLetter(port, "hash");
      await zk.stop("SIGTERM");
      match(afterRestart, /^180: -?\d+\n$/, "only log.12f is replayed: 0x180");
      assertEquals(ours, afterRestart);
    } finally {
      await zk.stop();
      await Deno.remove(zk.dir, { recursive: true }).catch(() => {});
    }
  },
});
