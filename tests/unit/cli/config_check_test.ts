// `zkt config check`: exit codes, the table, one-line errors, --json.
import assert from "node:assert/strict";
import { runCli } from "../../../src/cli/run.ts";
import { setLogSink } from "../../../src/log/logger.ts";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const prev = setLogSink(() => {});
  try {
    const code = await runCli(argv, {
      out: (s) => (out += s),
      err: (s) => (err += s),
      isTty: false,
    });
    return { code, out, err };
  } finally {
    setLogSink(prev);
  }
}

async function withCfg(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-config-check-" });
  try {
    await Deno.writeTextFile(`${dir}/zoo.cfg`, text.replaceAll("$DIR", dir));
    await fn(`${dir}/zoo.cfg`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("config check on the standalone fixture exits 0 and lists every key", async () => {
  const r = await run(["config", "check", "fixtures/config/standalone.cfg"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Mode: standalone$/m);
  assert.match(r.out, /^tickTime\s+2000\s+set$/m);
  assert.match(r.out, /^minSessionTimeout\s+4000\s+default$/m);
  assert.match(r.out, /^clientPortAddress\s+127\.0\.0\.1\s+set$/m);
  assert.match(r.out, /^4lw\.commands\.whitelist\s+srvr,ruok,mntr,conf\s+set$/m);
  assert.match(r.out, /^Servers: none$/m);
});

Deno.test("config check on the ensemble fixture shows servers, roles and the verifier", async () => {
  const r = await run(["config", "check", "fixtures/config/ensemble3.cfg"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Mode: ensemble \(myid 2, participant\)$/m);
  assert.match(r.out, /^\s+2\*\s+participant\s+127\.0\.0\.1:20282\s+127\.0\.0\.1:20382\s+-$/m);
  assert.match(r.out, /^Quorum verifier: majority, version 0x0, 3 voting, 0 observing$/m);
});

Deno.test("config check on the dynamic fixture takes the client port from the server line", async () => {
  const r = await run(["config", "check", "fixtures/config/dynamic.cfg"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^clientPort\s+20182\s+server\.2$/m);
  assert.match(r.out, /^\s+4\s+observer\s+/m);
  assert.match(r.out, /version 0x100000000, 3 voting, 1 observing/);
});

Deno.test("config check on the hierarchical fixture shows groups and weights", async () => {
  const r = await run(["config", "check", "fixtures/config/hierarchical.cfg"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Quorum verifier: hierarchical/m);
  assert.match(r.out, /weights: 1:1 2:1 3:1 4:1 5:1 6:0/);
  assert.match(r.out, /groups: group\.1=1:2:3 group\.2=4:5:6/);
});

Deno.test("config check --json is one parseable object with settings, servers, verifier", async () => {
  const r = await run(["config", "check", "--json", "fixtures/config/dynamic.cfg"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split("\n").length, 1);
  const j = JSON.parse(r.out);
  assert.equal(j.mode, "ensemble");
  assert.equal(j.myid, 2);
  const tick = j.settings.find((s: { key: string }) => s.key === "tickTime");
  assert.deepEqual(tick, { key: "tickTime", value: 2000, defaulted: false, source: "set" });
  const snap = j.settings.find((s: { key: string }) => s.key === "snapCount");
  assert.equal(snap.defaulted, true);
  assert.equal(j.servers.length, 4);
  assert.deepEqual(j.servers[3], {
    id: 4,
    type: "observer",
    addrs: ["127.0.0.1:20284"],
    electionAddrs: ["127.0.0.1:20384"],
    clientAddr: "127.0.0.1:20184",
  });
  assert.equal(j.quorumVerifier.kind, "majority");
  assert.equal(j.quorumVerifier.version, "100000000");
  assert.deepEqual(j.quorumVerifier.voting, [1, 2, 3]);
  assert.ok(j.quorumVerifier.configString.endsWith("\nversion=100000000"));
});

Deno.test("config check on a bad key exits 2 with one line naming the key", async () => {
  await withCfg("dataDir=$DIR/data\nclientPort=2181\ntickTime=fast\n", async (path) => {
    const r = await run(["config", "check", path]);
    assert.equal(r.code, 2);
    assert.equal(r.out, "");
    assert.equal(r.err, 'zkt config check: tickTime: "fast" is not an integer\n');
  });
});

Deno.test("config check on an ensemble without myid exits 2 naming myid", async () => {
  await withCfg(
    "initLimit=5\nsyncLimit=2\ndataDir=$DIR/data\nclientPort=2181\n" +
      "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n",
    async (path) => {
      const r = await run(["config", "check", "--json", path]);
      assert.equal(r.code, 2);
      assert.match(r.err, /^zkt config check: myid: file .*\/data\/myid is missing\n$/);
    },
  );
});

Deno.test("config check on a missing file exits 2", async () => {
  const r = await run(["config", "check", "/nonexistent/zoo.cfg"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^zkt config check: \/nonexistent\/zoo\.cfg: cannot read config file/);
});

Deno.test("config check without FILE is a usage error; --help documents it", async () => {
  const r = await run(["config", "check"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /missing argument: FILE/);
  const h = await run(["config", "check", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.out, /Usage: zkt config check FILE \[--json\]/);
  const top = await run(["--help"]);
  assert.match(top.out, /config check/);
});
