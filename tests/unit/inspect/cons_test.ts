// `cons` lines as Apache ZooKeeper 3.8 prints them parse into the fields
// `zkt conns` shows; the lines below were captured from a real 3.8.0 server.
import assert from "node:assert/strict";
import { consTotals, parseCons, sortCons } from "../../../src/inspect/cons.ts";
import { formatConsTable } from "../../../src/cli/conns.ts";

const REAL = [
  " /127.0.0.1:38092[1](queued=0,recved=2,sent=2,sid=0x100001291be0004,lop=CREA,est=1795373472230,to=10000,lcxid=0x1,lzxid=0x9,lresp=1239873,llat=1,minlat=0,avglat=41,maxlat=81)",
  " /127.0.0.1:52292[0](queued=0,recved=1,sent=0)",
  " /127.0.0.1:38106[1](queued=3,recved=2,sent=2,sid=0x100001291be0005,lop=GETD,est=1795373472313,to=10000,lcxid=0x1,lzxid=0xffffffffffffffff,lresp=1239875,llat=1,minlat=0,avglat=1,maxlat=1)",
  " /0:0:0:0:0:0:0:1:40000[1](queued=0,recved=7,sent=7,sid=0x200000000000001,lop=PING,est=1,to=4000,lzxid=0x0,lresp=5,llat=0,minlat=0,avglat=0,maxlat=2)",
  "",
  "",
].join("\n");

Deno.test("every connection line of a real cons reply parses with its fields", () => {
  const e = parseCons(REAL);
  assert.equal(e.length, 4);
  assert.deepEqual(e[0], {
    remote: "127.0.0.1:38092",
    interestOps: "1",
    queued: 0,
    received: 2,
    sent: 2,
    sessionId: "0x100001291be0004",
    lastOperation: "CREA",
    established: 1795373472230,
    timeout: 10000,
    lastCxid: "0x1",
    lastZxid: "0x9",
    lastResponse: 1239873,
    lastLatency: 1,
    minLatency: 0,
    avgLatency: 41,
    maxLatency: 81,
  });
  assert.deepEqual(e[1], {
    remote: "127.0.0.1:52292",
    interestOps: "0",
    queued: 0,
    received: 1,
    sent: 0,
  });
  assert.equal(e[2].lastZxid, "0xffffffffffffffff");
  assert.equal(e[3].remote, "0:0:0:0:0:0:0:1:40000");
  assert.equal(e[3].lastCxid, undefined, "lcxid is absent before the first request");
});

Deno.test("sorting puts the worst latency or the longest queue first", () => {
  const e = parseCons(REAL);
  assert.equal(sortCons(e, "latency")[0].sessionId, "0x100001291be0004");
  assert.equal(sortCons(e, "queued")[0].sessionId, "0x100001291be0005");
  assert.equal(sortCons(e, "latency").at(-1)?.sessionId, undefined, "no-session lines last");
});

Deno.test("totals add up the connections", () => {
  assert.deepEqual(consTotals(parseCons(REAL)), {
    connections: 4,
    sessions: 3,
    queued: 3,
    received: 12,
    sent: 11,
    maxLatency: 81,
  });
});

Deno.test("the table has one row per connection and a totals line", () => {
  const lines = formatConsTable(parseCons(REAL)).trimEnd().split("\n");
  assert.equal(lines.length, 6);
  assert.match(lines[0], /^REMOTE\s+SESSION/);
  assert.match(lines[5], /^total: 4 connections, 3 sessions/);
});

Deno.test("lines that are not connections are ignored", () => {
  assert.deepEqual(parseCons("This ZooKeeper instance is not currently serving requests\n"), []);
});
