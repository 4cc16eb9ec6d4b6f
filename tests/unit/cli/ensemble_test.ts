// `zkt ensemble status` as a command: listed in `zkt --help`, usage errors exit
// 2 with one line, and an ensemble whose servers are all down is a table of
// unreachable rows and exit 1 — never a crash or a stack trace.
import assert from "node:assert/strict";
import { normalizeWatch } from "../../../src/cli/ensemble.ts";
import { formatStatus } from "../../../src/cli/ensemble_format.ts";
import { parseDynamicConfig } from "../../../src/config/quorum_verifier.ts";
import { ensembleStatus } from "../../../src/inspect/ensemble_status.ts";
import { zkt } from "../../support/cli.ts";
import { freePorts } from "../../support/ports.ts";

Deno.test("zkt --help lists ensemble status", async () => {
  const r = await zkt(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^ {2}ensemble status\s+\S/m);
  const h = await zkt(["ensemble", "status", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.out, /^Usage: zkt ensemble status \[HOST:PORT \.\.\.\] \[--config zoo\.cfg\]/);
});

Deno.test("ensemble status usage errors exit 2 with one line saying what is wrong", async () => {
  const cases: [string[], RegExp][] = [
    [[], /give --config zoo\.cfg or the servers' HOST:PORT client addresses/],
    [["127.0.0.1:99999"], /bad address '127\.0\.0\.1:99999'/],
    [["127.0.0.1:2181", "--timeout", "0"], /--timeout must be a positive integer/],
    [["127.0.0.1:2181", "--count", "x"], /--count must be a positive integer/],
    [["127.0.0.1:2181", "--bogus"], /Unknown option '--bogus'/],
    [["--config", "/nonexistent/zoo.cfg"], /\/nonexistent\/zoo\.cfg: cannot read config file/],
  ];
  for (const [args, re] of cases) {
    const r = await zkt(["ensemble", "status", ...args]);
    assert.equal(r.code, 2, `${args}: ${r.err}`);
    assert.match(r.err.split("\n")[0], re);
    assert.equal(r.out, "");
  }
});

Deno.test("--watch takes an optional number of seconds", () => {
  assert.deepEqual(normalizeWatch(["--watch", "h:1"]), ["--watch=2", "h:1"]);
  assert.deepEqual(normalizeWatch(["h:1", "--watch"]), ["h:1", "--watch=2"]);
  assert.deepEqual(normalizeWatch(["--watch", "0.5", "h:1"]), ["--watch", "0.5", "h:1"]);
});

Deno.test("an ensemble whose servers are all down: unreachable rows, no quorum, exit 1", async () => {
  const [c1, c2, c3, e1, e2, e3] = freePorts(6);
  const dir = await Deno.makeTempDir({ prefix: "zkt-status-unit-" });
  try {
    const cfg = `${dir}/zoo.cfg`;
    await Deno.writeTextFile(
      cfg,
      [
        "dataDir=/nonexistent",
        `server.1=127.0.0.1:1:${e1};127.0.0.1:${c1}`,
        `server.2=127.0.0.1:2:${e2};127.0.0.1:${c2}`,
        `server.3=127.0.0.1:3:${e3};127.0.0.1:${c3}`,
      ].join("\n"),
    );
    const r = await zkt(["ensemble", "status", "--config", cfg, "--timeout", "2000"]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.equal(r.err, "");
    const rows = r.out.split("\n").filter((l) => /^\s+\d\s/.test(l));
    assert.equal(rows.length, 3, r.out);
    for (const l of rows) assert.match(l, /UNREACHABLE/);
    assert.match(r.out, new RegExp(`sid 1: srvr: cannot connect to 127\\.0\\.0\\.1:${c1}`));
    assert.match(r.out, /^PROBLEM: no peer is leading$/m);
    assert.match(r.out, /^PROBLEM: no quorum: 0 of 3 voters/m);
    assert.match(r.out, /^UNHEALTHY$/m);

    const j = await zkt([
      "ensemble",
      "status",
      "--config",
      cfg,
      "--json",
      "--count",
      "2",
      "--watch",
      "0.05",
    ]);
    assert.equal(j.code, 1);
    const lines = j.out.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].healthy, false);
    assert.deepEqual(lines[0].servers.map((s: { role: string }) => s.role), [
      "unreachable",
      "unreachable",
      "unreachable",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the table: one row per server with its columns, the verdict under it", () => {
  const qv = parseDynamicConfig("server.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6:observer\n");
  const info = (mode: string, zxid: bigint, version: string) => ({
    info: { version, mode, zxid, outstanding: 3, connections: 12, nodeCount: 1 },
  });
  const s = ensembleStatus({
    verifier: qv,
    membershipSource: "zoo.cfg /etc/zk/zoo.cfg",
    peers: [
      {
        sid: 1,
        client: "h:2181",
        election: "h:2",
        type: "participant",
        notes: [],
        srvr: info("follower", 0x200000005n, "3.8.4-abc"),
        vote: { answer: { state: "following", leader: 2, zxid: 0n, peerEpoch: 2n } },
      },
      {
        sid: 2,
        client: "h:2182",
        election: "h:4",
        type: "participant",
        notes: [],
        srvr: info("leader", 0x200000009n, "3.8.0-zkt-0.1.0"),
        vote: { answer: { state: "leading", leader: 2, zxid: 0n, peerEpoch: 2n } },
      },
      {
        sid: 3,
        client: "h:2183",
        election: "h:6",
        type: "observer",
        notes: [],
        srvr: { notServing: true },
        vote: { answer: { state: "looking", leader: 3, zxid: 0n, peerEpoch: 1n } },
      },
    ],
  });
  const text = formatStatus(s, new Date(0));
  assert.equal(
    text,
    [
      "ensemble status at 1970-01-01T00:00:00.000Z",
      "SID  CLIENT  TYPE      ROLE         EPOCH  ZXID         LAG  OUTSTANDING  CONNS  ELECTION     VERSION",
      "  1  h:2181  voter     FOLLOWER         2  0x200000005    4            3     12  FOLLOWING 2  3.8.4",
      "  2  h:2182  voter     LEADER           2  0x200000009    0            3     12  LEADING 2    zkt 0.1.0",
      "  3  h:2183  observer  NOT SERVING      1  -              -            -      -  LOOKING 3    -",
      "membership: zoo.cfg /etc/zk/zoo.cfg",
      "leader: 2 at h:2182 (last zxid 0x200000009); every peer agrees",
      "quorum: 2 of 2 voters serving behind leader 2 (1, 2), a quorum needs 2",
      "sid 3 is not serving",
      "healthy",
      "",
    ].join("\n"),
  );
});
