// `zkt conns HOST:PORT`: who is connected to a peer and how each link is doing,
// from the `cons` four-letter word (so it works against Apache ZooKeeper too);
// for a zkt peer (or any AdminServer URL) also the quorum side: election
// connections, Zab learner links and the current vote.
import { RuntimeError, UsageError } from "../errors.ts";
import {
  adminBase,
  adminFallbacks,
  adminUrlFromConf,
  consFromAdmin,
  fetchAdmin,
  isUnknownCommand,
  quorumFromAdmin,
  type QuorumInfo,
} from "../inspect/admin_client.ts";
import { formatQuorum } from "../inspect/quorum_format.ts";
import {
  CONS_SORT_KEYS,
  type ConsEntry,
  type ConsSortKey,
  consTotals,
  parseCons,
  sortCons,
} from "../inspect/cons.ts";
import { FourLetterRefused, parseHostPort, sendFourLetter } from "../net/four_letter_client.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";
import { renderTable } from "./table.ts";

interface Flags {
  json?: boolean;
  watch?: string;
  sort?: string;
  timeout?: string;
  admin?: string;
}

const dash = (v: number | string | undefined) => v === undefined ? "-" : v;

/** Renders connections as an aligned table with a totals line. */
export function formatConsTable(entries: ConsEntry[]): string {
  const rows = entries.map((e) => [
    e.remote,
    dash(e.sessionId),
    dash(e.timeout),
    e.queued,
    e.received,
    e.sent,
    dash(e.minLatency),
    dash(e.avgLatency),
    dash(e.maxLatency),
    dash(e.lastOperation),
    dash(e.lastZxid),
  ]);
  const t = consTotals(entries);
  const table = renderTable(
    [
      "REMOTE",
      "SESSION",
      "TIMEOUT",
      "QUEUED",
      "RECV",
      "SENT",
      "MIN",
      "AVG",
      "MAX",
      "LAST-OP",
      "LAST-ZXID",
    ],
    rows,
  );
  return table +
    `total: ${t.connections} connections, ${t.sessions} sessions, queued ${t.queued}, ` +
    `received ${t.received}, sent ${t.sent}, max latency ${t.maxLatency} ms\n`;
}

/** Where to read from: the client port (cons), an AdminServer, or both. */
interface Target {
  host?: { hostname: string; port: number };
  /** AdminServer base URL (given with --admin or announced by a zkt peer). */
  admin?: string;
  /** Given explicitly: failures are errors, not notes. */
  adminExplicit: boolean;
  /** Why there is no quorum section (shown instead of it). */
  note?: string;
  /** The AdminServer that answered for connections after the peer refused cons. */
  fallback?: string;
}

/** Where a connections table came from: the cons word, or an AdminServer's /commands/connections. */
interface Source {
  kind: "cons" | "admin";
  /** The AdminServer's base URL (kind "admin"). */
  url?: string;
  /** Why cons was not used. */
  why?: string;
}

/** What one refresh shows. */
interface Snapshot {
  connections: ConsEntry[];
  source: Source;
  quorum: QuorumInfo | null;
  note?: string;
}

/**
 * Finds a zkt peer's AdminServer: zkt's srvr version carries "zkt", and its
 * conf reply names admin.serverAddress/admin.serverPort. Apache ZooKeeper has
 * neither, so only cons is read from it.
 */
async function discoverAdmin(t: Target, timeoutMs: number): Promise<void> {
  if (!t.host || t.admin) return;
  const { hostname, port } = t.host;
  let srvr: string;
  try {
    srvr = await sendFourLetter(hostname, port, "srvr", timeoutMs);
  } catch {
    return; // cons reports the problem with the peer itself
  }
  if (!/^Zookeeper version: \S*zkt/m.test(srvr)) return;
  let conf: string;
  try {
    conf = await sendFourLetter(hostname, port, "conf", timeoutMs);
  } catch (e) {
    t.note = `quorum side not shown: ${(e as Error).message}`;
    return;
  }
  const url = adminUrlFromConf(conf, hostname);
  if (url) t.admin = url;
  else {
    t.note = "quorum side not shown: the peer's AdminServer is off " +
      "(set admin.enableServer=true, or pass --admin URL)";
  }
}

async function readQuorum(t: Target, timeoutMs: number): Promise<Snapshot["quorum"]> {
  const links = await fetchAdmin(t.admin!, "quorum_connections", timeoutMs);
  if (isUnknownCommand(links)) {
    t.note = `quorum side not shown: the AdminServer at ${t.admin} has no quorum_connections ` +
      "(not a zkt peer)";
    return null;
  }
  const election = await fetchAdmin(t.admin!, "election", timeoutMs);
  return quorumFromAdmin(links, election);
}

async function adminConnections(base: string, timeoutMs: number): Promise<ConsEntry[]> {
  const r = await fetchAdmin(base, "connections", timeoutMs);
  if (r.error !== null && r.error !== undefined) {
    throw new RuntimeError(`${base}/commands/connections: ${r.error}`);
  }
  return consFromAdmin(r);
}

/** The AdminServer a peer's conf reply names, when conf is allowed there. */
async function adminFromConf(t: Target, timeoutMs: number): Promise<string | undefined> {
  try {
    const conf = await sendFourLetter(t.host!.hostname, t.host!.port, "conf", timeoutMs);
    return adminUrlFromConf(conf, t.host!.hostname);
  } catch {
    return undefined;
  }
}

/**
 * Connections by cons; when the peer refuses cons (3.8's default whitelist is
 * srvr only), from an AdminServer: the one given, else conf's, else port 8080.
 */
async function readConnections(
  t: Target,
  timeoutMs: number,
): Promise<{ connections: ConsEntry[]; source: Source }> {
  if (!t.host) {
    return {
      connections: await adminConnections(t.admin!, timeoutMs),
      source: { kind: "admin", url: t.admin },
    };
  }
  const where = `${t.host.hostname}:${t.host.port}`;
  const why = `${where} refused cons: not in its 4lw.commands.whitelist`;
  if (t.fallback === undefined) {
    try {
      const text = await sendFourLetter(t.host.hostname, t.host.port, "cons", timeoutMs);
      return { connections: parseCons(text), source: { kind: "cons" } };
    } catch (e) {
      if (!(e instanceof FourLetterRefused)) throw e;
    }
  }
  const candidates = t.fallback !== undefined ? [t.fallback] : adminFallbacks({
    given: t.admin,
    fromConf: t.admin ? undefined : await adminFromConf(t, timeoutMs),
    hostname: t.host.hostname,
  });
  const tried: string[] = [];
  for (const base of candidates) {
    try {
      const connections = await adminConnections(base, timeoutMs);
      t.fallback = base;
      if (!t.admin) {
        t.admin = base; // the quorum side comes from it too
        if (t.note?.startsWith("quorum side not shown")) t.note = undefined;
      }
      return { connections, source: { kind: "admin", url: base, why } };
    } catch (e) {
      tried.push((e as Error).message.replace(/ \(check admin\.enableServer[^)]*\)$/, ""));
    }
  }
  throw new RuntimeError(
    `${why}, and no AdminServer answered /commands/connections: ${tried.join("; ")} ` +
      `(add cons to 4lw.commands.whitelist, or check admin.enableServer and ` +
      `admin.serverAddress/admin.serverPort on the peer, or pass --admin URL)`,
  );
}

async function snapshot(t: Target, sort: ConsSortKey, timeoutMs: number): Promise<Snapshot> {
  const { connections, source } = await readConnections(t, timeoutMs);
  const sorted = sortCons(connections, sort);
  let quorum: Snapshot["quorum"] = null;
  if (t.admin) {
    try {
      quorum = await readQuorum(t, timeoutMs);
    } catch (e) {
      if (t.adminExplicit) throw e;
      return { connections: sorted, source, quorum: null, note: (e as Error).message };
    }
  }
  return { connections: sorted, source, quorum, note: t.note };
}

/** One line naming where the table came from. */
export function sourceLine(s: Source, target: string): string {
  if (s.kind === "cons") return `connections from cons on ${target}`;
  const url = `${s.url}/commands/connections`;
  return s.why ? `connections from ${url} (${s.why})` : `connections from ${url}`;
}

function render(s: Snapshot, json: boolean, target: string, admin?: string): string {
  if (json) {
    return JSON.stringify({
      target,
      admin: admin ?? null,
      source: s.source.kind,
      ...(s.source.url ? { sourceUrl: `${s.source.url}/commands/connections` } : {}),
      connections: s.connections,
      totals: consTotals(s.connections),
      quorum: s.quorum,
      ...(s.note ? { note: s.note } : {}),
    }) + "\n";
  }
  const now = Date.now();
  let out = `${target} — ${new Date(now).toISOString()}\n${sourceLine(s.source, target)}\n` +
    formatConsTable(s.connections);
  if (s.quorum) out += "\n" + formatQuorum(s.quorum, now);
  else if (s.note) out += "\n" + s.note + "\n";
  return out;
}

/** `zkt conns`. */
export const connsCommand: Command = {
  names: ["conns"],
  summary: "show a peer's client connections and, for zkt peers, its quorum links",
  usage: "HOST:PORT [--json] [--sort KEY] [--watch SECS] [--timeout MS] [--admin URL]",
  help: [
    "Client connections come from the cons four-letter word, so this works against zkt and",
    "Apache ZooKeeper alike. When the peer refuses cons (3.8's default whitelist is srvr only),",
    "they come from an AdminServer's /commands/connections instead: the one given with --admin,",
    "else the one the peer's conf reply names, else port 8080 on the same host; the output says",
    "which source the table came from.",
    "",
    "The quorum side (election connection per sid: up/down, initiator, send queue, last",
    "notification sent and received; Zab learner links; the current vote) comes from the",
    "AdminServer's /commands/quorum_connections and /commands/election. A zkt peer announces",
    "its AdminServer in its conf reply (admin.serverAddress, admin.serverPort), so HOST:PORT",
    "is enough; otherwise pass --admin. With --admin alone, connections come from",
    "/commands/connections.",
    "",
    "  --admin URL     the peer's AdminServer (e.g. http://HOST:8080); HOST:PORT becomes optional",
    "  --json          one JSON object per refresh: connections and totals",
    `  --sort KEY      ${CONS_SORT_KEYS.join(", ")} (default: latency, worst first)`,
    "  --watch SECS    refresh every SECS seconds until interrupted (in place on a TTY)",
    "  --timeout MS    give up on an unresponsive peer after MS (default 5000)",
  ].join("\n"),
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<Flags>(args, {
      json: { type: "boolean" },
      watch: { type: "string" },
      sort: { type: "string" },
      timeout: { type: "string" },
      admin: { type: "string" },
    });
    expectPositionals(positionals, ["HOST:PORT"], values.admin !== undefined ? 1 : 0);
    const host = positionals[0] !== undefined ? parseHostPort(positionals[0], 2181) : undefined;
    const sort = (values.sort ?? "latency") as ConsSortKey;
    if (!CONS_SORT_KEYS.includes(sort)) {
      throw new UsageError(`--sort must be one of ${CONS_SORT_KEYS.join(", ")}`);
    }
    const timeoutMs = Number(values.timeout ?? 5000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError("--timeout must be a positive number of milliseconds");
    }
    const t: Target = {
      host,
      admin: values.admin !== undefined ? adminBase(values.admin) : undefined,
      adminExplicit: values.admin !== undefined,
    };
    const target = host ? `${host.hostname}:${host.port}` : t.admin!;
    await discoverAdmin(t, timeoutMs);
    const show = async () =>
      render(await snapshot(t, sort, timeoutMs), !!values.json, target, t.admin);
    if (values.watch === undefined) {
      io.out(await show());
      return 0;
    }
    const secs = Number(values.watch);
    if (!(secs > 0)) throw new UsageError("--watch must be a positive number of seconds");
    let stop = false;
    let wake: () => void = () => {};
    const onSignal = () => {
      stop = true;
      wake();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    try {
      while (!stop) {
        const text = await show();
        io.out(io.isTty && !values.json ? "\x1b[H\x1b[2J" + text : text);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, secs * 1000);
        });
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
    }
    return 0;
  },
};
