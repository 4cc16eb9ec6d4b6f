// Error kinds that map to the CLI's exit codes (docs/ARCHITECTURE.md, "Errors and exit codes").
// Everything under src/ throws these; only main.ts turns them into exit codes.

/** Bad usage: unknown flag, missing argument. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A configuration that ZooKeeper would refuse. Exit 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Inspected data (file, frame) is corrupt or malformed. Exit 3 from the CLI. */
export class CorruptDataError extends Error {
  override name = "CorruptDataError";
}

/** Something failed at run time (cannot connect, peer said no). Exit 1. */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}
