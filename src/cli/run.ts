// argv → one subcommand; errors → exit codes (docs/ARCHITECTURE.md, "Errors and exit codes").
import { ConfigError, CorruptDataError, UsageError } from "../errors.ts";
import { VERSION, ZOOKEEPER_COMPAT } from "../version.ts";
import type { CliIo, Command } from "./command.ts";
import { COMMANDS } from "./commands.ts";

/** Exit codes: 0 done, 1 run-time failure, 2 usage/config, 3 corrupt data. */
export const EXIT = { ok: 0, failed: 1, usage: 2, corrupt: 3 } as const;

/** The top-level help text. */
export function mainHelp(commands: Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.names.join(" ").length));
  const lines = commands.map((c) => `  ${c.names.join(" ").padEnd(width)}  ${c.summary}`);
  return [
    `zkt ${VERSION} — a ZooKeeper ${ZOOKEEPER_COMPAT} peer and operator's toolkit`,
    "",
    "Usage: zkt <command> [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    "Flags:",
    "  -h, --help     show help (also: zkt <command> --help)",
    "  -V, --version  print the version",
    "",
    "Exit codes: 0 done, 1 failed, 2 bad usage or config, 3 corrupt data.",
  ].join("\n") + "\n";
}

function commandHelp(c: Command): string {
  return `Usage: zkt ${c.names.join(" ")} ${c.usage}\n\n${c.summary}\n` +
    (c.help ? `\n${c.help.trimEnd()}\n` : "");
}

function isHelp(a: string): boolean {
  return a === "--help" || a === "-h";
}

/** Finds the command whose names are the longest prefix of argv. */
function findCommand(argv: string[], commands: Command[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.names.every((n, i) => argv[i] === n)) {
      if (!best || c.names.length > best.names.length) best = c;
    }
  }
  return best;
}

/** Runs zkt with argv and returns the exit code; never throws. */
export async function runCli(
  argv: string[],
  io: CliIo,
  commands: Command[] = COMMANDS,
): Promise<number> {
  if (argv.length === 0) {
    io.err(mainHelp(commands));
    return EXIT.usage;
  }
  if (isHelp(argv[0])) {
    io.out(mainHelp(commands));
    return EXIT.ok;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    io.out(
      `zkt ${VERSION} (ZooKeeper ${ZOOKEEPER_COMPAT} compatible, Deno ${Deno.version.deno})\n`,
    );
    return EXIT.ok;
  }
  const cmd = findCommand(argv, commands);
  if (!cmd) {
    const group = commands.filter((c) => c.names[0] === argv[0]);
    if (group.length > 0) {
      const sub = argv[1];
      if (sub === undefined || isHelp(sub)) {
        const text = mainHelp(group);
        if (sub !== undefined) {
          io.out(text);
          return EXIT.ok;
        }
        io.err(`zkt ${argv[0]}: missing subcommand\n\n` + text);
      } else {
        io.err(`zkt ${argv[0]}: unknown subcommand '${sub}'\n\n` + mainHelp(group));
      }
      return EXIT.usage;
    }
    const what = argv[0].startsWith("-") ? "flag" : "command";
    io.err(`zkt: unknown ${what} '${argv[0]}'\n\n` + mainHelp(commands));
    return EXIT.usage;
  }
  const rest = argv.slice(cmd.names.length);
  if (rest.some(isHelp)) {
    io.out(commandHelp(cmd));
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    const name = `zkt ${cmd.names.join(" ")}`;
    if (e instanceof UsageError) {
      io.err(`${name}: ${e.message}\n\n${commandHelp(cmd)}`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.err(`${name}: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof CorruptDataError) {
      io.err(`${name}: corrupt data: ${e.message}\n`);
      return EXIT.corrupt;
    }
    io.err(`${name}: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.failed;
  }
}
