// Oracles for the Zab learner interop tests: kazoo writes through a server,
// mntr as a map, and two data dirs restored by zkt's restore and compared
// znode by znode (path, data, stat, ACL) and by the digests the leader
// recorded in every txn.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { OpCode } from "../../src/jute/constants.ts";
import { listLogs, restore } from "../../src/persistence/datadir.ts";
import { readTxnLog, truncateTxnLog } from "../../src/persistence/txnlog.ts";
import type { Restored } from "../../src/persistence/datadir.ts";
import { type ApacheZk, startApacheZk } from "./apache_zk.ts";
import { fourLetter } from "./four_letter.ts";
import { SYSTEM_PYTHON } from "./interop.ts";
import { waitFor } from "./wait.ts";
import type { ZktLearner } from "./zab_learner_peer.ts";
import { type Member, zxidOfPeer } from "../interop/election_ensemble.ts";

/** An Apache ZooKeeper member as election_ensemble's startZkMember starts one, plus JVM -D flags and cfg lines. */
export function startJavaMember(
  m: Member,
  serverLines: string[],
  jvmProps: Record<string, string> = {},
  dir?: string,
  cfg: string[] = [],
): Promise<ApacheZk> {
  return startApacheZk({
    clientPort: m.client,
    myid: m.sid,
    dir,
    cfg: [...serverLines, "cnxTimeout=2000", ...cfg],
    jvmProps: { "zookeeper.cnxTimeout": "2000", ...jvmProps },
    waitReady: false,
  });
}

/** kazoo creates `count` znodes under `prefix` through the server at port; resolves when all are acknowledged. */
export async function writeVia(
  port: number,
  prefix: string,
  count: number,
  dataBytes = 0,
): Promise<void> {
  const r = await writer(port, prefix, count, dataBytes).output();
  if (r.code !== 0) {
    throw new Error(
      `kazoo writes to ${port} failed (${r.code}): ${new TextDecoder().decode(r.stderr)}`,
    );
  }
}

/** The same writes as a running process (write load while something else happens). */
export function writeLoad(
  port: number,
  prefix: string,
  count: number,
  dataBytes = 0,
): Deno.ChildProcess {
  return writer(port, prefix, count, dataBytes).spawn();
}

/** A kazoo session on port, ready to send one create it will not wait for. */
export interface AsyncWriter {
  child: Deno.ChildProcess;
  /** Sends the create (of the path given at start). */
  send(): Promise<void>;
}

/** Connects a kazoo session (its createSession committed) that sends one create of `path` on send(). */
export async function asyncWriter(port: number, path: string): Promise<AsyncWriter> {
  const child = new Deno.Command(SYSTEM_PYTHON, {
    args: [...cmdArgs(port, path, 1, 0), "async"],
    stdin: "piped",
    stdout: "piped",
    // It loses its server on purpose; kazoo's complaints are noise.
    stderr: "null",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("connected")) {
    const r = await lines.read();
    if (r.done) throw new Error("the kazoo writer exited before connecting");
    seen += r.value;
  }
  const w = child.stdin.getWriter();
  return {
    child,
    async send() {
      await w.write(new TextEncoder().encode("go\n"));
    },
  };
}

function cmdArgs(port: number, prefix: string, count: number, dataBytes: number): string[] {
  return [
    new URL("./zab_learner_writes.py", import.meta.url).pathname,
    `127.0.0.1:${port}`,
    prefix,
    String(count),
    String(dataBytes),
  ];
}

function writer(port: number, prefix: string, count: number, dataBytes: number): Deno.Command {
  return new Deno.Command(SYSTEM_PYTHON, {
    args: cmdArgs(port, prefix, count, dataBytes),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  });
}

/** A server's mntr answer as key → value. */
export async function mntrOf(port: number): Promise<Map<string, string>> {
  const text = await fourLetter(port, "mntr", "127.0.0.1", 5000);
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [k, v] = line.split("\t");
    if (k && v !== undefined) m.set(k.trim(), v.trim());
  }
  return m;
}

/** Restores a data dir (dir/version-2) with zkt's restore. */
export function restoreDir(dataDir: string): Promise<Restored> {
  return restore(dataDir);
}

/**
 * The differences between two restored trees (at most `limit`), ignoring
 * /zookeeper/config's data and stat (each server writes its own quorum config
 * there, ZOOKEEPER-2819, and the digest leaves /zookeeper out too).
 */
export function treeDifferences(a: Restored, b: Restored, limit = 10): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (out.length < limit) out.push(s);
  };
  if (a.lastProcessedZxid !== b.lastProcessedZxid) {
    add(`last zxid 0x${a.lastProcessedZxid.toString(16)} != 0x${b.lastProcessedZxid.toString(16)}`);
  }
  const ta = a.tree;
  const tb = b.tree;
  if (ta.size !== tb.size) add(`znode count ${ta.size} != ${tb.size}`);
  for (const [path, na] of ta.walk()) {
    const nb = tb.get(path);
    if (!nb) {
      add(`${path} missing in the second tree`);
      continue;
    }
    if (path === "/zookeeper/config") continue;
    if (!sameBytes(na.data, nb.data)) add(`${path}: data differs`);
    const sa = JSON.stringify(na.stat, big);
    const sb = JSON.stringify(nb.stat, big);
    if (sa !== sb) add(`${path}: stat ${sa} != ${sb}`);
    const aa = JSON.stringify(ta.aclOf(na));
    const ab = JSON.stringify(tb.aclOf(nb));
    if (aa !== ab) add(`${path}: acl ${aa} != ${ab}`);
  }
  for (const [path] of tb.walk()) {
    if (!ta.has(path)) add(`${path} missing in the first tree`);
  }
  if (ta.digest !== tb.digest) {
    add(`digest 0x${ta.digest.toString(16)} != 0x${tb.digest.toString(16)}`);
  }
  return out;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** Waits until zkt's data dir restores to the leader's zxid, then compares the trees. */
export async function assertSameTree(
  leader: ApacheZk,
  leaderPort: number,
  learner: Pick<ZktLearner, "dir">,
): Promise<bigint> {
  const zxid = await waitFor("the leader's zxid", () => zxidOfPeer(leaderPort));
  await waitFor(
    `zkt's data dir to reach 0x${zxid.toString(16)}`,
    async () => (await restoreDir(`${learner.dir}/data`)).lastProcessedZxid >= zxid,
    60_000,
    200,
  );
  const mine = await restoreDir(`${learner.dir}/data`);
  const theirs = await restoreDir(`${leader.dir}/data`);
  assertEquals(treeDifferences(theirs, mine), [], "zkt's tree differs from the Java leader's");
  // Every txn carries the leader's digest after it: zkt's replay must agree at each one.
  assertEquals(mine.digestMismatch, null, "a txn's recorded digest disagrees with zkt's tree");
  return zxid;
}

/** The zxid of the logged create of `path` in a data dir's txn logs, if any. */
export async function loggedCreate(dataDir: string, path: string): Promise<bigint | undefined> {
  for (const l of await listLogs(`${dataDir}/version-2`)) {
    for await (const e of readTxnLog(l.path)) {
      if (e.kind === "txn" && e.txn.type === OpCode.create && e.txn.record.path === path) {
        return e.header.zxid;
      }
    }
  }
  return undefined;
}

/**
 * Cuts a data dir's txn logs after `zxid`, as if the txns after it were never
 * made durable there (a leader sends a PROPOSAL before its own log has it).
 */
export async function chopLogsAfter(dataDir: string, zxid: bigint): Promise<number> {
  let dropped = 0;
  for (const l of await listLogs(`${dataDir}/version-2`)) {
    if (l.zxid > zxid) {
      await Deno.remove(l.path);
      continue;
    }
    dropped += (await truncateTxnLog(l.path, zxid, l.path)).dropped;
  }
  return dropped;
}
