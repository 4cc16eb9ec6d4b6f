// Every subcommand zkt offers. A command is listed here only once it works.
import type { Command } from "./command.ts";
import { configCheckCommand } from "./config_check.ts";
import { connsCommand } from "./conns.ts";
import { probeElectionCommand } from "./probe_election.ts";

/** All commands, in the order `zkt --help` lists them. */
export const COMMANDS: Command[] = [
  configCheckCommand,
  connsCommand,
  probeElectionCommand,
];
