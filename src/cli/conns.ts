// `zkt conns HOST:PORT`: who is connected to a peer and how each link is doing,
// from the `cons` four-letter word (so it works against Apache ZooKeeper too).
import { UsageError } from "../errors.ts";
import {
  CONS_SORT_KEYS,
  type ConsEntry,
  type ConsSortKey,
  consTotals,
  parseCons,
  sortCons,
} from "../inspect/cons.ts";
import { parseHostPort, sendFourLetter } from "../net/four_letter_client.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";
import { renderTable } from "./table.ts";

interface Flags {
  json?: boolean;
  watch?: string;
  sort?: string;
  timeout?: string;
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

async function snapshot(
  host: { hostname: string; port: number },
  sort: ConsSortKey,
  timeoutMs: number,
): Promise<ConsEntry[]> {
  const text = await sendFourLetter(host.hostname, host.port, "cons", timeoutMs);
  return sortCons(parseCons(text), sort);
}

function render(entries: ConsEntry[], json: boolean, target: string): string {
  if (json) {
    return JSON.stringify({ target, connections: entries, totals: consTotals(entries) }) + "\n";
  }
  return `${target} — ${new Date().toISOString()}\n` + formatConsTable(entries);
}

/** `zkt conns`. */
export const connsCommand: Command = {
  names: ["conns"],
  summary: "show a peer's client connections (from the cons four-letter word)",
  usage: "HOST:PORT [--json] [--sort KEY] [--watch SECS] [--timeout MS]",
  help: [
    "Works against zkt and Apache ZooKeeper alike (cons must be in 4lw.commands.whitelist).",
    "",
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
    });
    expectPositionals(positionals, ["HOST:PORT"]);
    const host = parseHostPort(positionals[0], 2181);
    const sort = (values.sort ?? "latency") as ConsSortKey;
    if (!CONS_SORT_KEYS.includes(sort)) {
      throw new UsageError(`--sort must be one of ${CONS_SORT_KEYS.join(", ")}`);
    }
    const timeoutMs = Number(values.timeout ?? 5000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError("--timeout must be a positive number of milliseconds");
    }
    const target = `${host.hostname}:${host.port}`;
    if (values.watch === undefined) {
      io.out(render(await snapshot(host, sort, timeoutMs), !!values.json, target));
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
        const text = render(await snapshot(host, sort, timeoutMs), !!values.json, target);
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
