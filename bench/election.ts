// `scripts/bench election`: time for a 3-peer ensemble to agree on a leader,
// from starting all peers and from kill -9 of the leader, for an all-zkt and an
// all-ZooKeeper ensemble side by side (same zoo.cfg, loopback only).
import { freePorts } from "../tests/support/ports.ts";
import { parseArgs } from "node:util";
import { sendFourLetter } from "../src/net/four_letter_client.ts";
import { type Kind, type LaunchOptions, spawnServer } from "./servers.ts";
import { median, renderTable, type Row } from "./stats.ts";

const USAGE = `usage: scripts/bench election [--rounds N] [--json] [--bundle]
  Starts a 3-peer ensemble of Apache ZooKeeper 3.8, then one of zkt serve, on
  loopback with the same zoo.cfg; times start -> one leader + two followers
  (srvr on every peer: a peer answers with its Mode once Zab has synced it),
  then kill -9 of the leader -> the two left agree again. Medians of N rounds
  (default 5).`;

/** One member of a planned ensemble. */
interface Member {
  sid: number;
  client: number;
  quorum: number;
  election: number;
}

/** A running ensemble process. */
interface Peer {
  member: Member;
  child: Deno.ChildProcess;
  exited: boolean;
}

/** One round's two measurements, ms. */
export interface RoundTimes {
  startMs: number;
  reelectMs: number;
}

const live = new Set<Peer>();

/**
 * The index of the one leader when the modes are exactly one "leader" and
 * the rest "follower" (an agreed ensemble), else null.
 */
export function agreedLeader(modes: readonly (string | undefined)[]): number | null {
  let leader = -1;
  for (let i = 0; i < modes.length; i++) {
    if (modes[i] === "leader") {
      if (leader >= 0) return null;
      leader = i;
    } else if (modes[i] !== "follower") {
      return null;
    }
  }
  return leader >= 0 ? leader : null;
}

/** The zoo.cfg of one member: the same for both kinds apart from paths and ports. */
export function ensembleCfg(dataDir: string, self: Member, all: readonly Member[]): string {
  return [
    "tickTime=2000",
    "initLimit=10",
    "syncLimit=5",
    `dataDir=${dataDir}`,
    `clientPort=${self.client}`,
    "clientPortAddress=127.0.0.1",
    "admin.enableServer=false",
    "4lw.commands.whitelist=srvr",
    ...all.map((m) => `server.${m.sid}=127.0.0.1:${m.quorum}:${m.election}`),
  ].join("\n") + "\n";
}

/** A peer's role: its srvr Mode, which both kinds answer once Zab has synced them. */
async function modeOf(m: Member): Promise<string | undefined> {
  try {
    const srvr = await sendFourLetter("127.0.0.1", m.client, "srvr", 1000);
    return srvr.match(/^Mode: (\S+)/m)?.[1];
  } catch {
    return undefined;
  }
}

/** Polls `peers` until they agree; returns the leader's index. Bounded by `timeoutMs`. */
async function waitAgreed(peers: readonly Peer[], timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last: (string | undefined)[] = [];
  while (performance.now() < deadline) {
    last = await Promise.all(peers.map((p) => modeOf(p.member)));
    const li = agreedLeader(last);
    if (li !== null) return li;
    if (peers.some((p) => p.exited)) throw new Error("a peer exited before the ensemble agreed");
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no agreed leader within ${timeoutMs} ms (last modes: ${last.join(",")})`);
}

async function kill(p: Peer): Promise<void> {
  if (!live.delete(p)) return;
  try {
    p.child.kill("SIGKILL");
  } catch { /* already gone */ }
  await p.child.status;
}

/** One round for `kind`: start 3 peers at once, time agreement, kill -9 the leader, time it again. */
async function round(kind: Kind, opts: LaunchOptions, base: string): Promise<RoundTimes> {
  const ports = freePorts(9);
  const members = [1, 2, 3].map((sid, i) => ({
    sid,
    client: ports[3 * i],
    quorum: ports[3 * i + 1],
    election: ports[3 * i + 2],
  }));
  const cfgs: string[] = [];
  for (const m of members) {
    const dir = `${base}/${kind}-${m.sid}`;
    await Deno.mkdir(`${dir}/data`, { recursive: true });
    await Deno.writeTextFile(`${dir}/data/myid`, `${m.sid}\n`);
    await Deno.writeTextFile(`${dir}/zoo.cfg`, ensembleCfg(`${dir}/data`, m, members));
    cfgs.push(dir);
  }
  const peers: Peer[] = [];
  try {
    const t0 = performance.now();
    for (const [i, m] of members.entries()) {
      const child = spawnServer(kind, `${cfgs[i]}/zoo.cfg`, `${cfgs[i]}/server.log`, opts);
      const p: Peer = { member: m, child, exited: false };
      child.status.then(() => p.exited = true);
      live.add(p);
      peers.push(p);
    }
    const li = await waitAgreed(peers, 120_000);
    const startMs = performance.now() - t0;
    const t1 = performance.now();
    await kill(peers[li]);
    await waitAgreed(peers.filter((_, i) => i !== li), 120_000);
    const reelectMs = performance.now() - t1;
    return { startMs, reelectMs };
  } finally {
    for (const p of peers) await kill(p);
  }
}

/** Entry point: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rounds: { type: "string", default: "5" },
        json: { type: "boolean", default: false },
        bundle: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`bench election: ${(e as Error).message.split(". ")[0]}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    console.error(`bench election: --rounds must be 1..50, not ${values.rounds}`);
    return 2;
  }
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const opts: LaunchOptions = { bundle: values.bundle!, root, jvmHeap: "-Xmx1000m" };
  const base = await Deno.makeTempDir({ prefix: "zkt-bench-election-" });
  const onSignal = () => {
    for (const p of live) {
      try {
        Deno.kill(p.child.pid, "SIGKILL");
      } catch { /* gone */ }
    }
    Deno.removeSync(base, { recursive: true });
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    const times: Record<Kind, RoundTimes[]> = { zk: [], zkt: [] };
    // Warm Deno's module cache so zkt's start measures zkt, not a first compile.
    await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--quiet",
        `${root}/${opts.bundle ? "dist/zkt.js" : "main.ts"}`,
        "--version",
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    for (let r = 0; r < rounds; r++) {
      for (const kind of ["zk", "zkt"] as Kind[]) {
        const t = await round(kind, opts, `${base}/r${r}`);
        times[kind].push(t);
        console.error(
          `bench election: round ${r + 1} ${kind}: start ${t.startMs.toFixed(0)} ms, ` +
            `re-elect ${t.reelectMs.toFixed(0)} ms`,
        );
      }
    }
    const med = (k: Kind, f: keyof RoundTimes) => median(times[k].map((t) => t[f]));
    const rows: Row[] = [
      {
        workload: "1 election, 3 peers",
        metric: "start all -> agreed leader (median)",
        unit: "ms",
        better: "lower",
        zkt: med("zkt", "startMs"),
        zk: med("zk", "startMs"),
      },
      {
        workload: "1 election, 3 peers",
        metric: "kill -9 leader -> agreed again (median)",
        unit: "ms",
        better: "lower",
        zkt: med("zkt", "reelectMs"),
        zk: med("zk", "reelectMs"),
      },
    ];
    if (values.json) {
      console.log(JSON.stringify({ rounds, rows, times }, null, 2));
    } else {
      console.log(
        [
          `3-peer ensembles on loopback, same zoo.cfg (tickTime=2000, initLimit=10, syncLimit=5),`,
          `${rounds} rounds. "Agreed" = every live peer's srvr says one leader and followers`,
          `(both kinds answer srvr once Zab has synced them).`,
          "",
        ].join("\n"),
      );
      console.log(renderTable(rows));
    }
    return 0;
  } catch (e) {
    console.error(`bench election: ${(e as Error).message}`);
    return 1;
  } finally {
    for (const p of [...live]) await kill(p);
    Deno.removeSignalListener("SIGINT", onSignal);
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
