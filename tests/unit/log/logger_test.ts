// Log lines keep ZooKeeper's layout so existing log tooling parses zkt's logs.
import assert from "node:assert/strict";
import {
  formatLogTime,
  logger,
  parseLevel,
  setLogLevel,
  setLogMyid,
  setLogSink,
} from "../../../src/log/logger.ts";

Deno.test("a log line has ZooKeeper's layout: time, [myid:N], level, [component], message", () => {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  setLogMyid(3);
  setLogLevel("info");
  try {
    logger("QuorumPeer").info("LOOKING");
    logger("QuorumPeer").debug("hidden at info");
    logger("NIOServerCnxn").warn("closing");
  } finally {
    setLogSink(prev);
    setLogMyid("");
  }
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:3\] - INFO {2}\[QuorumPeer\] - LOOKING$/,
  );
  assert.match(lines[1], / - WARN {2}\[NIOServerCnxn\] - closing$/);
});

Deno.test("timestamps use a comma before the milliseconds, as log4j does", () => {
  assert.equal(formatLogTime(new Date(2026, 10, 22, 15, 48, 52, 7)), "2026-11-22 15:48:52,007");
});

Deno.test("level names parse case-insensitively; unknown names are rejected", () => {
  assert.equal(parseLevel("DEBUG"), "debug");
  assert.equal(parseLevel("Warning"), "warn");
  assert.equal(parseLevel("loud"), undefined);
});
