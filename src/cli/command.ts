// The shape of one subcommand and the flag parsing every subcommand shares.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";

/** Streams a command writes to; tests capture them. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

/** One subcommand: `names` is its path, e.g. ["config", "check"]. */
export interface Command {
  names: string[];
  summary: string;
  /** Usage lines after `zkt <names>`, e.g. "FILE [--json]". */
  usage: string;
  /** Extra help text: flags and what they do. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Parsed flags and positionals. */
export interface Parsed<V> {
  values: V;
  positionals: string[];
}

/** Parses flags strictly; an unknown flag or a bad value is a UsageError. */
export function parseFlags<V>(
  args: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): Parsed<V> {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as V, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Checks the positional count; a wrong count is a UsageError. */
export function expectPositionals(
  positionals: string[],
  names: string[],
  optional = 0,
): void {
  const min = names.length - optional;
  if (positionals.length < min) {
    throw new UsageError(`missing argument: ${names[positionals.length]}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument: ${positionals[names.length]}`);
  }
}
