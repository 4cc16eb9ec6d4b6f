// Setup and checks the Zab interop tests (tests/interop/zab_lea*_test.ts)
// share: the processes a test started and their end (stopped, logs shown on
// failure, dirs removed), waiting for a server's mode, a zkt leader of Java
// followers, kazoo reads of what the leader wrote, and mntr's digest check.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "./interop.ts";
import { waitFor } from "./wait.ts";
import type { ApacheZk } from "./apache_zk.ts";
import { mntrOf, startJavaMember, writeLoad } from "./zab_learner_check.ts";
import { startZktLeader, type ZktLeader } from "./zab_leader_peer.ts";
import { type Member, modeOfPeer, zxidOfPeer } from "../interop/election_ensemble.ts";

/** A process a test started: it can be stopped, has a log and a dir. */
export interface TestProc {
  stop(): Promise<unknown>;
  log(): string;
  dir: string;
}

/** The processes one test started, ended together when it ends. */
export class TestProcs {
  private readonly procs: TestProc[] = [];
  private readonly children: Deno.ChildProcess[] = [];
  private readonly closers: (() => Promise<unknown> | unknown)[] = [];

  /** Adds a started process; returns it. */
  add<T extends TestProc>(p: T): T {
    this.procs.push(p);
    return p;
  }

  /** Adds a helper child process (a load, a writer): killed first at the end. */
  child(c: Deno.ChildProcess): Deno.ChildProcess {
    this.children.push(c);
    return c;
  }

  /** Runs `close` at the end, after the processes stopped (proxies, sockets). */
  atEnd(close: () => Promise<unknown> | unknown): void {
    this.closers.push(close);
  }

  /**
   * Kills the helper children, stops the processes newest first, runs the
   * atEnd closers, prints each log's tail (logChars) when the test failed or
   * ZAB_TEST_LOGS=1, and removes the dirs.
   */
  async end(ok: boolean, logChars: number): Promise<void> {
    for (const c of this.children) {
      try {
        c.kill("SIGKILL");
      } catch { /* exited */ }
      await c.status;
    }
    for (const p of [...this.procs].reverse()) await p.stop();
    for (const close of this.closers) await close();
    if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
      for (const p of this.procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-logChars)}`);
    }
    for (const d of new Set(this.procs.map((p) => p.dir))) {
      await Deno.remove(d, { recursive: true }).catch(() => {});
    }
  }
}

/** Runs fn with a TestProcs that is ended (logs of logChars on failure) however fn ends. */
export async function withTestProcs(
  logChars: number,
  fn: (procs: TestProcs) => Promise<void>,
): Promise<void> {
  const procs = new TestProcs();
  let ok = false;
  try {
    await fn(procs);
    ok = true;
  } finally {
    await procs.end(ok, logChars);
  }
}

/**
 * Registers an interop test (skipped with ZKT_SKIP_INTEROP=1; no op/resource
 * sanitizers: its processes' pumps outlive the test body) run under withTestProcs.
 */
export function zabInteropTest(
  name: string,
  logChars: number,
  fn: (procs: TestProcs) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: SKIP_INTEROP,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => withTestProcs(logChars, fn),
  });
}

/** Polls the server at port (srvr's Mode:) until it is `mode`, for up to 90 s. */
export async function waitForMode(
  what: string,
  port: number,
  mode: string,
  intervalMs = 50,
): Promise<void> {
  await waitFor(what, async () => (await modeOfPeer(port)) === mode, 90_000, intervalMs);
}

/** Waits for sid `m` to follow. */
export function follows(m: Member): Promise<void> {
  return waitForMode(`sid ${m.sid} to follow`, m.client, "follower");
}

/** A zkt leader peer as sid 3 of plan, then Java members as sids 1 and 2 (none waited for). */
export async function startZktLeaderOfJava(
  plan: { members: Member[]; serverLines: string[] },
  procs: TestProcs,
  limits?: [number, number, number],
): Promise<{ zkt: ZktLeader; j1: ApacheZk; j2: ApacheZk }> {
  const [m1, m2, m3] = plan.members;
  const zkt = procs.add(
    await startZktLeader({
      sid: 3,
      clientPort: m3.client,
      serverLines: plan.serverLines,
      limits,
    }),
  );
  const j1 = procs.add(await startJavaMember(m1, plan.serverLines));
  const j2 = procs.add(await startJavaMember(m2, plan.serverLines));
  return { zkt, j1, j2 };
}

/** Waits for zkt's "established" (of `epoch` when given), then for each member to follow. */
export async function waitLeadsFollowers(
  zkt: ZktLeader,
  followers: Member[],
  epoch?: number,
): Promise<void> {
  await zkt.waitEvent(
    epoch === undefined ? "zkt to establish its epoch" : `epoch ${epoch}`,
    (e) => e.event === "established" && (epoch === undefined || e.epoch === epoch),
    0,
    90_000,
  );
  for (const m of followers) await follows(m);
}

/** An Apache ZooKeeper observer as sid m (the server line must say :observer), not waited for. */
export function startJavaObserver(m: Member, serverLines: string[]): Promise<ApacheZk> {
  return startJavaMember(m, serverLines, {}, undefined, ["peerType=observer"]);
}

/** Runs a Python script (Debian's kazoo) to its end; returns its output. */
export function runPython(script: string, args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(SYSTEM_PYTHON, {
    args: [script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
}

/** A prefix's children count and its first and last child's data, as kazoo read them. */
export type PrefixRead = { children: number; data: [string, string] };

/** kazoo through one server: children count and first/last data under each prefix. */
export async function readVia(
  port: number,
  prefixes: string[],
): Promise<Record<string, PrefixRead>> {
  const script = new URL("./zab_leader_read.py", import.meta.url).pathname;
  const r = await runPython(script, [`127.0.0.1:${port}`, ...prefixes]);
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`kazoo read via ${port} failed: ${dec.decode(r.stderr)}`);
  return JSON.parse(dec.decode(r.stdout));
}

/** What readVia reports for a prefix the leader peer wrote `n` children under (v0..v(n-1)). */
export const written = (n: number) => ({ children: n, data: ["v0", `v${n - 1}`] });

/** Asserts each server's zk_digest_mismatches_count is 0. */
export async function assertNoDigestMismatches(ports: number[]): Promise<void> {
  for (const port of ports) {
    assertEquals((await mntrOf(port)).get("zk_digest_mismatches_count"), "0");
  }
}

/** Starts writeLoad through port (ended with procs) and waits until port's zxid is `ahead` past where it was. */
export async function writeLoadUnderway(
  procs: TestProcs,
  port: number,
  load: { prefix: string; count: number; dataBytes?: number },
  ahead: bigint,
): Promise<Deno.ChildProcess> {
  const start = await waitFor("the leader's zxid", () => zxidOfPeer(port));
  const child = procs.child(writeLoad(port, load.prefix, load.count, load.dataBytes));
  await waitFor(
    "the load to be under way",
    async () => ((await zxidOfPeer(port)) ?? 0n) > start + ahead,
    60_000,
  );
  return child;
}
