// Every subcommand zkt offers. A command is listed here only once it works.
import type { Command } from "./command.ts";
import { configCheckCommand } from "./config_check.ts";
import { connsCommand } from "./conns.ts";
import { DATA_COMMANDS } from "./data.ts";
import { ensembleStatusCommand } from "./ensemble.ts";
import { probeElectionCommand } from "./probe_election.ts";
import { serveCommand } from "./serve.ts";
import { SNAP_COMMANDS } from "./snap.ts";
import { TXNLOG_COMMANDS } from "./txnlog.ts";

/** All commands, in the order `zkt --help` lists them. */
export const COMMANDS: Command[] = [
  serveCommand,
  configCheckCommand,
  connsCommand,
  probeElectionCommand,
  ensembleStatusCommand,
  ...SNAP_COMMANDS,
  ...TXNLOG_COMMANDS,
  ...DATA_COMMANDS,
];
