// `zkt ensemble status`: the whole ensemble at a glance, zkt and Apache
// ZooKeeper peers alike: per server its role, epoch, last zxid, lag behind the
// leader, outstanding requests, connections and election state; and whether
// the peers agree on one leader with a quorum behind it (exit 1 when not).
import type { HostPort } from "../config/types.ts";
import { formatHostPort } from "../config/server_spec.ts";
import { probeElection } from "../election/probe.ts";
import { UsageError } from "../errors.ts";
import { loadEnsembleConfig } from "../inspect/ensemble_config.ts";
import { type ElectionProbe, gatherFacts, newGatherMemory } from "../inspect/ensemble_gather.ts";
import type { ElectionAnswer } from "../inspect/ensemble_status.ts";
import { ensembleStatus } from "../inspect/ensemble_status.ts";
import { parseHostPort } from "../net/four_letter_client.ts";
import { type CliIo, type Command, parseFlags } from "./command.ts";
import { formatStatus, statusJson } from "./ensemble_format.ts";

interface Flags {
  config?: string;
  json?: boolean;
  watch?: string;
  count?: string;
  timeout?: string;
  "admin-port"?: string;
}

/** One probe-election question; a peer that cannot be reached is a fact, not an exception. */
export const askElection: ElectionProbe = async (where: HostPort, timeoutMs: number) => {
  let answer: ElectionAnswer | undefined;
  try {
    await probeElection(where, (a) => {
      answer = { state: a.state, leader: Number(a.leader), zxid: a.zxid, peerEpoch: a.peerEpoch };
    }, { timeoutMs });
  } catch (e) {
    return { error: `election: ${(e as Error).message}` };
  }
  return answer ? { answer } : { error: `election: no answer from ${formatHostPort(where)}` };
};

/** Seconds between refreshes when --watch has no value. */
const DEFAULT_WATCH_SECS = 2;

/** Lets `--watch` stand without a value: a bare --watch becomes --watch=2. */
export function normalizeWatch(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--watch" && !/^\d+(\.\d+)?$/.test(args[i + 1] ?? "")) {
      out.push(`--watch=${DEFAULT_WATCH_SECS}`);
    } else out.push(a);
  }
  return out;
}

function positiveInt(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

/** `zkt ensemble status`. */
export const ensembleStatusCommand: Command = {
  names: ["ensemble", "status"],
  summary: "every server's role, zxid, lag and election state; exit 1 without quorum",
  usage: "[HOST:PORT ...] [--config zoo.cfg] [--json] [--watch [SECS]] [--count N] [--timeout MS]",
  help: [
    "Asks every server of an ensemble (zkt or Apache ZooKeeper 3.8) at once: srvr on its client",
    "port (always whitelisted in 3.8), conf when allowed, its AdminServer (zabstate, voting_view)",
    "when conf is refused, and its election port as probe-election does. Prints one row per",
    "server and whether the peers agree on one leader with a quorum of voters behind it.",
    "",
    "The servers come from --config (the server.N lines; client addresses from each line's",
    ";clientPort part, else clientPort on the server's host) and/or from HOST:PORT client",
    "addresses (also comma-separated, as in a connect string). With addresses alone, the",
    "membership comes from the peers' conf or AdminServer; what stays unknown is said.",
    "",
    "Columns: SID, CLIENT address, TYPE (voter/observer), ROLE (srvr's mode, NOT SERVING,",
    "UNREACHABLE), EPOCH (high 32 bits of the last zxid), ZXID, LAG (txns behind the leader's",
    "last zxid), OUTSTANDING requests, CONNS (client connections), ELECTION (state and the",
    "sid it votes for or follows), VERSION.",
    "",
    "Exit codes: 0 one leader, every peer agrees, a quorum of voters serves behind it;",
    "1 no quorum, no leader, or peers name different leaders; 2 bad usage or zoo.cfg.",
    "",
    "  --config FILE    the ensemble's zoo.cfg (no myid or data dir needed)",
    "  --json           one JSON object per refresh",
    `  --watch [SECS]   refresh every SECS seconds (default ${DEFAULT_WATCH_SECS}) until interrupted`,
    "  --count N        stop after N refreshes (implies --watch)",
    "  --timeout MS     per request to one server (default 3000)",
    "  --admin-port N   AdminServer port to try when conf is refused (default: zoo.cfg's, else 8080)",
  ].join("\n"),
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<Flags>(normalizeWatch(args), {
      config: { type: "string" },
      json: { type: "boolean" },
      watch: { type: "string" },
      count: { type: "string" },
      timeout: { type: "string" },
      "admin-port": { type: "string" },
    });
    const addresses = positionals.flatMap((p) => p.split(",")).filter((p) => p !== "").map(
      (p) => {
        try {
          return parseHostPort(p, 2181);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      },
    );
    if (values.config === undefined && addresses.length === 0) {
      throw new UsageError("give --config zoo.cfg or the servers' HOST:PORT client addresses");
    }
    const timeoutMs = positiveInt(values.timeout, "--timeout", 3000);
    const adminPort = values["admin-port"] === undefined
      ? undefined
      : positiveInt(values["admin-port"], "--admin-port", 8080);
    if (adminPort !== undefined && adminPort > 65535) {
      throw new UsageError("--admin-port must be a port (1-65535)");
    }
    const count = values.count === undefined ? undefined : positiveInt(values.count, "--count", 1);
    let secs: number | undefined;
    if (values.watch !== undefined) {
      secs = Number(values.watch);
      if (!(secs > 0)) throw new UsageError("--watch must be a positive number of seconds");
    } else if (count !== undefined) secs = DEFAULT_WATCH_SECS;
    const config = values.config !== undefined ? loadEnsembleConfig(values.config) : null;

    const memory = newGatherMemory();
    const once = async () => {
      const facts = await gatherFacts({
        config,
        addresses,
        timeoutMs,
        adminPort,
        memory,
        askElection,
      });
      const status = ensembleStatus(facts);
      const at = new Date();
      return {
        text: values.json ? statusJson(status, at) : formatStatus(status, at),
        code: status.exitCode,
      };
    };
    if (secs === undefined) {
      const r = await once();
      io.out(r.text);
      return r.code;
    }
    let stop = false;
    let wake: () => void = () => {};
    const onSignal = () => {
      stop = true;
      wake();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    let code = 0;
    try {
      for (let n = 1; !stop; n++) {
        const r = await once();
        code = r.code;
        io.out(io.isTty && !values.json ? "\x1b[H\x1b[2J" + r.text : r.text);
        if (count !== undefined && n >= count) break;
        await new Promise<void>((res) => {
          wake = res;
          setTimeout(res, secs! * 1000);
        });
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
    }
    return code;
  },
};
