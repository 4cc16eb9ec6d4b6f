// The one way a server ends on an error it cannot recover from: one last ERROR
// line, then the process exits non-zero so a supervisor restarts it from what
// is durable. Nothing may keep answering once the tree could be ahead of the
// log. Tests swap the exit for a recorder, so an in-process server can fail
// without taking the test runner with it.
import type { Logger } from "./logger.ts";

/** ZooKeeper 3.8's ExitCode values that zkt's server exits with. */
export const ExitCode = {
  /** Unexpected errors like I/O errors (3.8's UNEXPECTED_ERROR): a txn log write or fsync failed. */
  UNEXPECTED_ERROR: 1,
  /** Severe error during snapshot I/O (3.8's TXNLOG_ERROR_TAKING_SNAPSHOT). */
  TXNLOG_ERROR_TAKING_SNAPSHOT: 10,
} as const;

/** What ends the process: gets the exit code and the last line's message. */
export type FatalExit = (code: number, message: string) => void;

const exitProcess: FatalExit = (code) => Deno.exit(code);
let current: FatalExit = exitProcess;

/** Replaces what fatal() does after its log line (tests); returns the previous one. */
export function setFatalExit(exit: FatalExit): FatalExit {
  const prev = current;
  current = exit;
  return prev;
}

/** Logs `message` at ERROR as the last line, then ends the process with `code`. */
export function fatal(log: Logger, message: string, code: number): void {
  log.error(message);
  current(code, message);
}

/**
 * True for an error the OS reported (a Deno.errors kind, or one carrying an
 * errno code such as ENOSPC or EIO): what Java throws as an IOException.
 */
export function isIoError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (typeof (e as { code?: unknown }).code === "string") return true;
  return Object.values(Deno.errors).some((kind) => e instanceof kind);
}

/**
 * A snapshot write failed. As 3.8's ZooKeeperServer.takeSnapshot on every
 * role: an I/O error ends the process with exit 10; any other error is
 * logged and serving goes on.
 */
export function snapshotFailed(log: Logger, file: string, e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  if (!isIoError(e)) {
    log.warn(`Unexpected exception while taking a snapshot ${file}: ${msg}`);
    return;
  }
  fatal(
    log,
    `Severe unrecoverable error, exiting: cannot write snapshot ${file}: ${msg}`,
    ExitCode.TXNLOG_ERROR_TAKING_SNAPSHOT,
  );
}
