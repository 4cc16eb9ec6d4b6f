// Ensembles of Apache ZooKeeper 3.8 and `zkt serve` members on loopback, for
// acceptance tests and the ensemble benchmark: start from a list of member
// kinds (["zk", "zk", "zkt"], "zk:observer"), wait until every member serves
// (srvr answers a Mode, polled with a deadline), kill -9 and restart members
// by PID, name the leader, read mntr, replace a member by the other kind on
// the same zoo.cfg, myid and data dir (a rolling replacement's step) and wait
// until it has synced as an operator would (srvr Mode + Zxid). Both kinds get
// the same zoo.cfg apart from paths and ports; logs go to <dir>/server.log.
import assert from "node:assert/strict";
import { probeElection } from "../../src/election/probe.ts";
import { fourLetter, modeOf } from "./four_letter.ts";
import { ZK_CLASSPATH } from "./interop.ts";
import { freePorts } from "./ports.ts";
import { type CutProxy, startCutProxy } from "./cut_proxy.ts";
import type { KazooDriver } from "./kazoo_driver.ts";
import { waitFor } from "./wait.ts";

/** Which server a member runs. */
export type PeerKind = "zk" | "zkt";

/** A member as a table row names it: its kind, optionally an observer. */
export type MemberSpec = PeerKind | "zk:observer" | "zkt:observer";

/** One member of a running ensemble. */
export interface EnsembleMember {
  sid: number;
  kind: PeerKind;
  observer: boolean;
  client: number;
  quorum: number;
  election: number;
  /** Holds zoo.cfg, data/ and server.log. */
  dir: string;
  /** The running process, or null while it is down. */
  child: Deno.ChildProcess | null;
  /** A proxy in front of the client port, when the ensemble was started with proxies. */
  proxy: CutProxy | null;
}

/** Settings shared by every member. */
export interface EnsembleOptions {
  tickTime?: number;
  initLimit?: number;
  syncLimit?: number;
  /** Extra zoo.cfg lines for every member. */
  cfg?: string[];
  /** Extra zoo.cfg lines for one member (its own admin port, say), after `cfg`. */
  memberCfg?: (m: EnsembleMember) => string[];
  /** JVM heap flag for ZooKeeper members (default -Xmx256m). */
  jvmHeap?: string;
  /** Put a CutProxy in front of every member's client port. */
  proxies?: boolean;
  /** Run zkt from dist/zkt.js rather than main.ts. */
  bundle?: boolean;
  /** Txn logs in <dir>/datalog (zoo.cfg dataLogDir), apart from the snapshots in <dir>/data. */
  dataLogDir?: boolean;
  /** Parent of the members' dirs (default: a new temp dir). */
  baseDir?: string;
  /** How long to wait for every member to serve, ms (default 120 s). */
  readyTimeoutMs?: number;
  /**
   * Start the last voter first and the rest once its election port answers
   * LOOKING: with fresh data dirs every vote then goes to it (greatest sid,
   * equal zxids), so a row's last voter is its first leader.
   */
  leaderLast?: boolean;
  /**
   * The quorum and election ports `self`'s zoo.cfg names for another member
   * (default: that member's own). Its own line always holds its real ports,
   * since a peer binds the address of its own server.N line. Lets a test put
   * a per-link proxy between members (tests/support/link_net.ts).
   */
  peerPorts?: (self: EnsembleMember, other: EnsembleMember) => { quorum: number; election: number };
  /** Wraps a member's argv each time it starts (faults tests: a tmpfs under its log dir). */
  launch?: (m: EnsembleMember, argv: string[]) => string[];
}

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Parses a spec into kind and role. */
export function parseSpec(s: MemberSpec): { kind: PeerKind; observer: boolean } {
  const [kind, role] = s.split(":");
  if (kind !== "zk" && kind !== "zkt") throw new Error(`unknown member kind: ${s}`);
  return { kind, observer: role === "observer" };
}

/** The zoo.cfg of one member (same for both kinds apart from paths and ports). */
export function memberCfg(
  self: EnsembleMember,
  all: readonly EnsembleMember[],
  o: EnsembleOptions,
): string {
  return [
    `tickTime=${o.tickTime ?? 1000}`,
    `initLimit=${o.initLimit ?? 10}`,
    `syncLimit=${o.syncLimit ?? 5}`,
    `dataDir=${self.dir}/data`,
    ...(o.dataLogDir ? [`dataLogDir=${self.dir}/datalog`] : []),
    `clientPort=${self.client}`,
    "clientPortAddress=127.0.0.1",
    "admin.enableServer=false",
    "4lw.commands.whitelist=*",
    "maxClientCnxns=0",
    "cnxTimeout=2000",
    ...(self.observer ? ["peerType=observer"] : []),
    ...all.map((m) => {
      const p = m === self || !o.peerPorts ? m : o.peerPorts(self, m);
      return `server.${m.sid}=127.0.0.1:${p.quorum}:${p.election}${m.observer ? ":observer" : ""}`;
    }),
    ...(o.cfg ?? []),
    ...(o.memberCfg?.(self) ?? []),
  ].join("\n") + "\n";
}

/** A word quoted for sh -c. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `zkt serve --config cfgPath` from `entry` (main.ts or dist/zkt.js), with scripts/lib.sh's V8 flags when set. */
export function zktServeArgv(entry: string, cfgPath: string): string[] {
  // The V8 flags scripts/zkt and the compiled binary run with (scripts/lib.sh exports them).
  const v8 = Deno.env.get("ZKT_V8_FLAGS");
  const flags = v8 ? [`--v8-flags=${v8}`] : [];
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    "--quiet",
    ...flags,
    entry,
    "serve",
    "--config",
    cfgPath,
  ];
}

/** The argv that runs a member of `kind` on its zoo.cfg. */
export function memberArgv(kind: PeerKind, cfgPath: string, o: EnsembleOptions): string[] {
  if (kind === "zk") {
    return [
      "java",
      o.jvmHeap ?? "-Xmx256m",
      "-Dzookeeper.admin.enableServer=false",
      "-Dzookeeper.cnxTimeout=2000",
      "-cp",
      ZK_CLASSPATH,
      "org.apache.zookeeper.server.quorum.QuorumPeerMain",
      cfgPath,
    ];
  }
  return zktServeArgv(o.bundle ? `${ROOT}/dist/zkt.js` : `${ROOT}/main.ts`, cfgPath);
}

/** A running ensemble. Every process it started is killed by PID in stop(). */
export class Ensemble {
  private constructor(
    readonly members: EnsembleMember[],
    readonly opts: EnsembleOptions,
    private readonly ownsBase: string | null,
  ) {}

  /** Plans ports, writes configs, starts every member and waits until all serve. */
  static async start(specs: MemberSpec[], opts: EnsembleOptions = {}): Promise<Ensemble> {
    const base = opts.baseDir ?? await Deno.makeTempDir({ prefix: "zkt-ensemble-" });
    const ports = freePorts(specs.length * 3);
    const members: EnsembleMember[] = specs.map((s, i) => ({
      sid: i + 1,
      ...parseSpec(s),
      client: ports[3 * i],
      quorum: ports[3 * i + 1],
      election: ports[3 * i + 2],
      dir: `${base}/m${i + 1}`,
      child: null,
      proxy: null,
    }));
    const e = new Ensemble(members, opts, opts.baseDir ? null : base);
    try {
      for (const m of members) {
        await Deno.mkdir(`${m.dir}/data`, { recursive: true });
        if (opts.dataLogDir) await Deno.mkdir(`${m.dir}/datalog`, { recursive: true });
        await Deno.writeTextFile(`${m.dir}/data/myid`, `${m.sid}\n`);
        await Deno.writeTextFile(`${m.dir}/zoo.cfg`, memberCfg(m, members, opts));
        if (opts.proxies) m.proxy = startCutProxy(m.client);
      }
      const voters = members.filter((m) => !m.observer);
      const first = opts.leaderLast ? voters[voters.length - 1] : undefined;
      // On a loaded machine the others can give up on a slow first leader's
      // quorum port (5 connect tries, as 3.8's learner) and elect another: start
      // again on fresh data dirs, a few times, before calling it a failure.
      for (let attempt = 1;; attempt++) {
        if (first) await e.startLeaderFirst(first);
        for (const m of members) if (m !== first) e.spawn(m);
        const leader = await e.waitServing(opts.readyTimeoutMs);
        if (!first || leader === first) break;
        const msg = `member ${leader.sid} leads, not the last voter ${first.sid}`;
        if (attempt === 3) throw new Error(msg);
        await e.restartFresh(`${msg}: starting again on fresh data dirs`);
      }
    } catch (err) {
      const logs = await e.logs();
      await e.stop();
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
    return e;
  }

  /** Starts `first` alone and waits until its election port answers LOOKING. */
  private async startLeaderFirst(first: EnsembleMember): Promise<void> {
    this.spawn(first);
    await waitFor(
      `member ${first.sid}'s election port to answer`,
      async () => {
        let state: string | undefined;
        await probeElection(
          { host: "127.0.0.1", port: first.election },
          (a) => state = a.state,
          { timeoutMs: 2000 },
        );
        return state === "looking";
      },
      this.opts.readyTimeoutMs ?? 120_000,
      100,
    );
  }

  /** Kills every member and empties their data dirs (myid kept); a line in each log says why. */
  private async restartFresh(why: string): Promise<void> {
    for (const m of this.members) {
      await this.kill(m);
      for (const d of [`${m.dir}/data/version-2`, `${m.dir}/datalog`]) {
        await Deno.remove(d, { recursive: true }).catch(() => {});
      }
      if (this.opts.dataLogDir) await Deno.mkdir(`${m.dir}/datalog`, { recursive: true });
      await Deno.writeTextFile(`${m.dir}/server.log`, `==== ${why} ====\n`, { append: true });
    }
  }

  private spawn(m: EnsembleMember): void {
    const plain = memberArgv(m.kind, `${m.dir}/zoo.cfg`, this.opts);
    const argv = (this.opts.launch?.(m, plain) ?? plain).map(shellQuote).join(" ");
    // sh execs the server, so the child's PID is the server's own.
    m.child = new Deno.Command("sh", {
      args: ["-c", `exec ${argv} </dev/null >/dev/null 2>>${shellQuote(`${m.dir}/server.log`)}`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  }

  /** The member with this sid. */
  member(sid: number): EnsembleMember {
    const m = this.members.find((x) => x.sid === sid);
    if (!m) throw new Error(`no member ${sid}`);
    return m;
  }

  /** Members whose process runs. */
  get running(): EnsembleMember[] {
    return this.members.filter((m) => m.child !== null);
  }

  /** "127.0.0.1:port,..." of every member (through the proxies when there are). */
  hosts(members: readonly EnsembleMember[] = this.members): string {
    return members.map((m) => `127.0.0.1:${m.proxy?.port ?? m.client}`).join(",");
  }

  /** "127.0.0.1:port" of a member's own client port (never through its proxy). */
  direct(m: EnsembleMember): string {
    return `127.0.0.1:${m.client}`;
  }

  /** The member whose proxy carries a connection now (a session's current server). */
  proxiedMember(): EnsembleMember | undefined {
    const on = this.members.filter((m) => (m.proxy?.active ?? 0) > 0);
    return on.length === 1 ? on[0] : undefined;
  }

  /** A member's srvr Mode ("leader", "follower", "observer"), undefined while it does not serve. */
  async mode(m: EnsembleMember): Promise<string | undefined> {
    if (!m.child) return undefined;
    try {
      return modeOf(await fourLetter(m.client, "srvr", "127.0.0.1", 2000));
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until every running member answers srvr with a Mode, exactly one is
   * the leader and observers say observer. Returns the leader.
   */
  async waitServing(timeoutMs = 120_000): Promise<EnsembleMember> {
    let last = "";
    try {
      return await waitFor(
        "every member to serve (srvr Mode)",
        async () => {
          const run = this.running;
          const modes = await Promise.all(run.map((m) => this.mode(m)));
          last = run.map((m, i) => `${m.sid}:${modes[i] ?? "-"}`).join(" ");
          const leaders = run.filter((_, i) => modes[i] === "leader");
          if (leaders.length !== 1) return undefined;
          const ok = run.every((m, i) =>
            m.observer ? modes[i] === "observer" : modes[i] === "leader" || modes[i] === "follower"
          );
          return ok ? leaders[0] : undefined;
        },
        timeoutMs,
        100,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last modes ${last}`);
    }
  }

  /** The member whose srvr says leader now (undefined when none does). */
  async leader(): Promise<EnsembleMember | undefined> {
    const run = this.running;
    const modes = await Promise.all(run.map((m) => this.mode(m)));
    return run.find((_, i) => modes[i] === "leader");
  }

  /** kill -9 (or another signal) of a member's process by PID; waits for it to exit. */
  async kill(m: EnsembleMember, signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const c = m.child;
    if (!c) return;
    m.child = null;
    try {
      c.kill(signal);
    } catch { /* already gone */ }
    await c.status;
  }

  /** Starts a stopped member again on its data dir (does not wait). */
  restart(m: EnsembleMember): void {
    if (m.child) throw new Error(`member ${m.sid} is running`);
    this.spawn(m);
  }

  /**
   * One step of a rolling replacement: stops the member (SIGTERM as an
   * operator's service manager would, or SIGKILL for a crash), then starts
   * `kind` on the same zoo.cfg, myid and data dir. Does not wait; see
   * waitSynced. A line in server.log marks the switch.
   */
  async replace(m: EnsembleMember, kind: PeerKind, signal: Deno.Signal = "SIGTERM"): Promise<void> {
    await this.kill(m, signal);
    await Deno.writeTextFile(
      `${m.dir}/server.log`,
      `==== ${new Date().toISOString()} stopped ${m.kind} (${signal}), starting ${kind} ====\n`,
      { append: true },
    );
    m.kind = kind;
    this.spawn(m);
  }

  /** A member's srvr as Mode and Zxid, undefined while it does not serve. */
  async srvr(m: EnsembleMember): Promise<{ mode: string; zxid: bigint } | undefined> {
    if (!m.child) return undefined;
    try {
      return parseSrvr(await fourLetter(m.client, "srvr", "127.0.0.1", 2000));
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until a member has synced, checked as an operator would: its srvr
   * answers with the Mode its seat calls for (observer, or follower/leader) and
   * its Zxid has reached the leader's Zxid read just before it (writes go on
   * meanwhile, so the leader is read first), and every running member serves
   * with one leader. Returns the leader.
   */
  async waitSynced(m: EnsembleMember, timeoutMs = 120_000): Promise<EnsembleMember> {
    let last = "";
    try {
      await waitFor(
        `member ${m.sid} (${m.kind}) to sync`,
        async () => {
          const leader = await this.leader();
          const l = leader && await this.srvr(leader);
          const s = await this.srvr(m);
          last = `leader ${leader?.sid ?? "-"} ${l ? l.zxid.toString(16) : "-"}, member ${
            s ? `${s.mode} ${s.zxid.toString(16)}` : "-"
          }`;
          if (!l || !s) return false;
          const seat = m.observer ? s.mode === "observer" : s.mode !== "observer";
          return seat && s.zxid >= l.zxid;
        },
        timeoutMs,
        100,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last ${last}`);
    }
    return await this.waitServing(timeoutMs);
  }

  /** mntr of a member as key → value. */
  async mntr(m: EnsembleMember): Promise<Map<string, string>> {
    const text = await fourLetter(m.client, "mntr", "127.0.0.1", 5000);
    return new Map(
      text.split("\n").filter((l) => l.includes("\t")).map((l) => {
        const [k, ...v] = l.split("\t");
        return [k, v.join("\t")] as [string, string];
      }),
    );
  }

  /**
   * zk_digest_mismatches_count of every running Java member (a 3.8 peer
   * compares the leader's TxnDigest with its own tree after each txn).
   */
  async digestMismatches(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const m of this.running.filter((x) => x.kind === "zk")) {
      const v = (await this.mntr(m)).get("zk_digest_mismatches_count");
      if (v === undefined) {
        throw new Error(`member ${m.sid}: no zk_digest_mismatches_count in mntr`);
      }
      out.set(m.sid, Number(v));
    }
    return out;
  }

  /** A member's server.log so far. */
  async log(m: EnsembleMember): Promise<string> {
    return await Deno.readTextFile(`${m.dir}/server.log`).catch(() => "");
  }

  /** The tail of every member's log, for failure messages. */
  async logs(lines = 30): Promise<string> {
    let out = "";
    for (const m of this.members) {
      // srvr/mntr polling would fill the tail.
      const l = (await this.log(m)).split("\n")
        .filter((x) => !/Processing (srvr|mntr) command/.test(x)).slice(-lines).join("\n");
      out += `--- member ${m.sid} (${m.kind}${m.observer ? " observer" : ""}) ---\n${l}\n`;
    }
    return out;
  }

  /** Kills every member we started (by PID), closes the proxies, removes the temp dir. */
  async stop(opts: { keep?: boolean } = {}): Promise<void> {
    for (const m of this.members) {
      await this.kill(m);
      await m.proxy?.close();
    }
    if (this.ownsBase && !opts.keep) {
      await Deno.remove(this.ownsBase, { recursive: true }).catch(() => {});
    }
  }
}

/** srvr's Mode and Zxid lines; throws when either is missing (not serving). */
export function parseSrvr(text: string): { mode: string; zxid: bigint } {
  const mode = modeOf(text);
  const zxid = text.match(/^Zxid: (0x[0-9a-f]+)/m)?.[1];
  if (!mode || !zxid) throw new Error(`srvr without Mode and Zxid: ${text.slice(0, 200)}`);
  return { mode, zxid: BigInt(zxid) };
}

/** A znode as `zkt data replay --json` prints it, minus the ACL cache reference. */
export type ReplayedNode = Record<string, unknown>;

/**
 * The tree a member's data dir holds, restored by `zkt data replay` (newest
 * snapshot plus the txn logs after it, from logDir when given), keyed by path. Read it with the member
 * stopped: a live member may be writing the log's tail.
 */
export async function replayDataDir(
  dataDir: string,
  logDir?: string,
): Promise<Map<string, ReplayedNode>> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      `${ROOT}/main.ts`,
      "data",
      "replay",
      dataDir,
      "--json",
      "--data",
      ...(logDir ? ["--log-dir", logDir] : []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) {
    throw new Error(`zkt data replay ${dataDir}: exit ${r.code}: ${dec.decode(r.stderr).trim()}`);
  }
  const out = new Map<string, ReplayedNode>();
  for (const line of dec.decode(r.stdout).split("\n")) {
    if (!line.startsWith("{")) continue;
    const rec = JSON.parse(line);
    if (rec.type !== "znode") continue;
    // The ACL cache index is a per-process numbering, not part of the tree.
    delete rec.acl;
    out.set(rec.path, comparable(rec.path, rec));
  }
  return out;
}

/**
 * A node's record without what legitimately differs between replicas: each
 * peer writes /zookeeper/config itself at start, with its own clock's mtime.
 */
export function comparable<T extends object>(path: string, node: T): T {
  if (path !== "/zookeeper/config") return node;
  const { mtime: _, ...rest } = node as T & { mtime?: unknown };
  return rest as T;
}

/** Paths whose records differ between two trees (missing on one side included), sorted. */
export function treeDiff<T>(a: Map<string, T>, b: Map<string, T>): string[] {
  const out: string[] = [];
  for (const [p, v] of a) {
    if (!b.has(p)) out.push(`${p}: only in the first`);
    else if (JSON.stringify(v) !== JSON.stringify(b.get(p))) {
      out.push(`${p}: ${JSON.stringify(v)} != ${JSON.stringify(b.get(p))}`);
    }
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`${p}: only in the second`);
  return out.sort();
}

/** Every client's tree (kazoo, after sync) equals the first's; Java members report 0 digest mismatches. */
export async function assertTreesConverged(
  e: Ensemble,
  k: KazooDriver,
  names: string[],
): Promise<void> {
  const trees = [];
  for (const n of names) {
    const t = await k.tree(n);
    trees.push(new Map(Object.entries(t).map(([p, v]) => [p, comparable(p, v)])));
  }
  for (let i = 1; i < trees.length; i++) {
    assert.deepEqual(treeDiff(trees[0], trees[i]), [], `${names[0]} vs ${names[i]}`);
  }
  for (const [sid, n] of await e.digestMismatches()) {
    assert.equal(n, 0, `member ${sid}: zk_digest_mismatches_count`);
  }
}

/** A failed ensemble test's error: err's stack, the members' log tails, kazoo's log, then `more`. */
export async function failureWithLogs(
  err: unknown,
  e: Ensemble,
  k: { log(): string },
  more = "",
): Promise<Error> {
  return new Error(
    `${(err as Error).stack}\n${await e.logs(40)}\n--- kazoo ---\n${k.log().slice(-3000)}${more}`,
  );
}
