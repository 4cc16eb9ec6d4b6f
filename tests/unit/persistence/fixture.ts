// Paths into fixtures/zk-datadir, written by Apache ZooKeeper 3.8 (scripts/gen-fixtures).
import { fileURLToPath } from "node:url";

/** The fixture data dir. */
export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/zk-datadir", import.meta.url));
/** The final state as .gz and .snappy snapshots written by ZooKeeper. */
export const COMPRESSED = fileURLToPath(
  new URL("../../../fixtures/zk-datadir-compressed", import.meta.url),
);
/** Its version-2 dir. */
export const V2 = `${FIXTURE_DIR}/version-2`;
/** The snapshot taken mid-way (restart after the first phase). */
export const MID_SNAPSHOT = `${V2}/snapshot.10000001c`;
/** The snapshot of the final state. */
export const FINAL_SNAPSHOT = `${V2}/snapshot.20000000d`;
/** The first log (every txn type of the first phase). */
export const LOG1 = `${V2}/log.100000001`;
/** The second log (TTL expiry, session expiry, reconfig, close). */
export const LOG2 = `${V2}/log.200000001`;

/** Copies the fixture data dir to a temp dir the test may change. */
export async function copyFixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-datadir-" });
  await Deno.mkdir(`${dir}/version-2`);
  for await (const e of Deno.readDir(V2)) {
    await Deno.copyFile(`${V2}/${e.name}`, `${dir}/version-2/${e.name}`);
  }
  return dir;
}
