// The single fatal path: one last ERROR line, then the process ends with the
// code given (swapped for a recorder here, as every in-process test does).
import assert from "node:assert/strict";
import { ExitCode, fatal, isIoError, setFatalExit } from "../../../src/log/fatal.ts";
import { logger, setLogSink } from "../../../src/log/logger.ts";

Deno.test("fatal() writes its ERROR line before it ends the process, with the code given", () => {
  const events: string[] = [];
  const prevSink = setLogSink((l) => events.push(`log ${l}`));
  const prevExit = setFatalExit((code, msg) => events.push(`exit ${code} ${msg}`));
  try {
    fatal(logger("SyncThread"), "Severe unrecoverable error, exiting: disk", 10);
  } finally {
    setFatalExit(prevExit);
    setLogSink(prevSink);
  }
  assert.equal(events.length, 2);
  assert.match(
    events[0],
    /^log .* - ERROR \[SyncThread\] - Severe unrecoverable error, exiting: disk$/,
  );
  assert.equal(events[1], "exit 10 Severe unrecoverable error, exiting: disk");
});

Deno.test("the exit codes are ZooKeeper 3.8's ExitCode values", () => {
  assert.equal(ExitCode.UNEXPECTED_ERROR, 1);
  assert.equal(ExitCode.TXNLOG_ERROR_TAKING_SNAPSHOT, 10);
});

Deno.test("an OS error (errno code or Deno.errors kind) is an I/O error; a bug is not", async () => {
  const enospc = await Deno.writeFile("/proc/version", new Uint8Array(1)).catch((e) => e);
  assert.ok(isIoError(enospc), String(enospc));
  assert.ok(isIoError(new Deno.errors.NotFound("gone")));
  assert.ok(!isIoError(new TypeError("x is undefined")));
  assert.ok(!isIoError("not an error"));
});
