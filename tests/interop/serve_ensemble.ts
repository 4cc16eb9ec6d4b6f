// Helpers for ensemble tests with real `zkt serve` processes: a member started
// on planned ports (with its AdminServer), a data dir with txns written by a
// standalone zkt first, and probe/srvr/admin readers.
import { type ProbeAnswer, probeElection } from "../../src/election/probe.ts";
import { fourLetter } from "../support/four_letter.ts";
import { freePort } from "../support/ports.ts";
import { ZkClient } from "../support/zk_client.ts";
import { startZkt, type ZktServer } from "../support/zkt_server.ts";
import { waitFor } from "../support/wait.ts";
import type { Member } from "./election_ensemble.ts";

/** A zkt ensemble member process and its AdminServer port. */
export interface ZktMember extends ZktServer {
  sid: number;
  adminPort: number;
}

/** Starts `zkt serve` as member m (myid written into dir/data); waits until its client port answers. */
export async function startZktMember(
  m: Member,
  serverLines: string[],
  dir?: string,
): Promise<ZktMember> {
  const d = dir ?? await Deno.makeTempDir({ prefix: "zkt-ensemble-" });
  await Deno.mkdir(`${d}/data`, { recursive: true });
  await Deno.writeTextFile(`${d}/data/myid`, `${m.sid}\n`);
  const adminPort = freePort();
  const s = await startZkt({
    dir: d,
    port: m.client,
    cfg: [
      // Java's tickTime (tests/support/apache_zk.ts): a zkt learner's syncLimit
      // deadline must outlast a Java leader's ping interval (tickTime/2).
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      "cnxTimeout=2000",
      "admin.enableServer=true",
      "admin.serverAddress=127.0.0.1",
      `admin.serverPort=${adminPort}`,
      ...serverLines,
    ],
  });
  return { ...s, sid: m.sid, adminPort };
}

/**
 * A data dir with txns in it: a standalone `zkt serve` takes a session and
 * `creates` creates, then stops (SIGTERM: log flushed). Returns the dir and
 * the last zxid srvr reported.
 */
export async function dataDirWithTxns(creates: number): Promise<{ dir: string; zxid: bigint }> {
  const s = await startZkt();
  let zxid: bigint;
  try {
    const c = await ZkClient.connect(s.port);
    for (let i = 0; i < creates; i++) {
      const r = await c.create(`/n${i}`);
      if (r.err !== 0) throw new Error(`create /n${i}: error ${r.err}`);
    }
    await c.close();
    const m = (await srvrOf(s.port)).match(/^Zxid: (0x[0-9a-f]+)/m);
    if (!m) throw new Error("no Zxid in srvr");
    zxid = BigInt(m[1]);
  } finally {
    await s.stop();
  }
  return { dir: s.dir, zxid };
}

/** One probe of a peer's election port. */
export async function probeOnce(port: number): Promise<ProbeAnswer> {
  let got: ProbeAnswer | undefined;
  await probeElection({ host: "127.0.0.1", port }, (a) => (got = a), { timeoutMs: 5000 });
  return got!;
}

/** Waits until a peer's srvr says it serves in `mode` (leader, follower, observer). */
export async function servesAs(port: number, mode: string): Promise<string> {
  let last = "";
  await waitFor(
    `the peer on ${port} to serve as ${mode}`,
    async () => (last = await srvrOf(port)).includes(`Mode: ${mode}\n`),
    90_000,
    200,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}; last srvr: ${last.trim()}`);
  });
  return last;
}

/** A peer's srvr reply ("" when it cannot be reached). */
export async function srvrOf(port: number): Promise<string> {
  try {
    return await fourLetter(port, "srvr", "127.0.0.1", 2000);
  } catch {
    return "";
  }
}

/** GET /commands/<name> from a zkt AdminServer. */
export async function adminCommand(
  port: number,
  name: string,
): Promise<Record<string, unknown>> {
  const r = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  return await r.json();
}

/**
 * A zkt peer's role from its AdminServer's election command: "leader",
 * "follower", "observer" or "looking"; undefined when it cannot be reached.
 * Its srvr says "not currently serving" until its role's Zab serves clients
 * (a leader's quorum acked NEWLEADER, a learner's UPTODATE), as a 3.8 peer's
 * does, so the election result is read here.
 */
export async function roleOf(z: ZktMember): Promise<string | undefined> {
  try {
    return (await adminCommand(z.adminPort, "election")).server_state as string;
  } catch {
    return undefined;
  }
}
