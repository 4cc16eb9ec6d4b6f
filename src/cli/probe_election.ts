// `zkt probe-election HOST:PORT`: whom a live peer (zkt or Apache ZooKeeper)
// votes for or follows, asked on its election port without disturbing it.
import { UsageError } from "../errors.ts";
import { DEFAULT_PROBE_SID, type ProbeAnswer, probeElection } from "../election/probe.ts";
import { OBSERVER_ID } from "../election/handshake.ts";
import { parseHostPort } from "../net/four_letter_client.ts";
import { type CliIo, type Command, expectPositionals, parseFlags } from "./command.ts";

interface Flags {
  sid?: string;
  timeout?: string;
  watch?: boolean;
  json?: boolean;
}

const hex = (v: bigint) => "0x" + BigInt.asUintN(64, v).toString(16);

/** Renders one answer for people. */
export function formatAnswer(target: string, a: ProbeAnswer): string {
  const lines = [
    `peer:           ${target}`,
    `state:          ${a.state.toUpperCase()}`,
    `leader:         ${a.leader}`,
    `zxid:           ${hex(a.zxid)}`,
    `election epoch: ${hex(a.electionEpoch)}`,
    `peer epoch:     ${hex(a.peerEpoch)}`,
    `config version: ${a.configVersion === null ? "-" : hex(a.configVersion)}`,
  ];
  if (a.config !== null) {
    lines.push("config:", ...a.config.split("\n").filter((l) => l).map((l) => `  ${l}`));
  }
  return lines.join("\n") + "\n";
}

/** Renders one answer as a JSON line (numbers as strings where they exceed 2^53). */
export function answerJson(target: string, a: ProbeAnswer): string {
  return JSON.stringify({
    peer: target,
    state: a.state.toUpperCase(),
    leader: a.leader.toString(),
    zxid: hex(a.zxid),
    electionEpoch: hex(a.electionEpoch),
    peerEpoch: hex(a.peerEpoch),
    version: a.version,
    configVersion: a.configVersion === null ? null : hex(a.configVersion),
    config: a.config,
  }) + "\n";
}

/** `zkt probe-election`. */
export const probeElectionCommand: Command = {
  names: ["probe-election"],
  summary: "ask a peer's election port whom it votes for or follows",
  usage: "HOST:PORT [--sid N] [--timeout MS] [--watch] [--json]",
  help: [
    "Connects to a live peer's election port (3888) as a non-voting sid, sends a LOOKING",
    "notification whose vote can never win, and prints the peer's answer: its state, the",
    "leader it votes for or follows, zxid, election and peer epochs, config version and text.",
    "Works against zkt and Apache ZooKeeper 3.8 alike; the ensemble is not disturbed.",
    "",
    `  --sid N       the sid to connect as; must be above the peer's myid (default ${DEFAULT_PROBE_SID})`,
    "  --timeout MS  give up when the peer cannot be reached or stays silent (default 5000)",
    "  --watch       keep asking every second and print every answer until interrupted",
    "  --json        one JSON object per answer",
  ].join("\n"),
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags<Flags>(args, {
      sid: { type: "string" },
      timeout: { type: "string" },
      watch: { type: "boolean" },
      json: { type: "boolean" },
    });
    expectPositionals(positionals, ["HOST:PORT"]);
    let host: { hostname: string; port: number };
    try {
      host = parseHostPort(positionals[0]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let sid = DEFAULT_PROBE_SID;
    if (values.sid !== undefined) {
      if (!/^\d{1,19}$/.test(values.sid)) {
        throw new UsageError("--sid must be a non-negative integer");
      }
      sid = BigInt(values.sid);
      if (sid >= OBSERVER_ID) {
        throw new UsageError("--sid must be below 9223372036854775807 (the observer id)");
      }
    }
    const timeoutMs = Number(values.timeout ?? 5000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError("--timeout must be a positive number of milliseconds");
    }
    const target = `${host.hostname}:${host.port}`;
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    if (values.watch) Deno.addSignalListener("SIGINT", onSignal);
    try {
      await probeElection(
        { host: host.hostname, port: host.port },
        (a) => io.out(values.json ? answerJson(target, a) : formatAnswer(target, a)),
        { sid, timeoutMs, watch: !!values.watch, signal: abort.signal },
      );
    } finally {
      if (values.watch) Deno.removeSignalListener("SIGINT", onSignal);
    }
    return 0;
  },
};
