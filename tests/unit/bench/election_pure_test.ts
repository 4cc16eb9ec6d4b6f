// The election benchmark's pure parts: when srvr modes count as an agreed
// ensemble, and the zoo.cfg both kinds get. No timing assertions.
import assert from "node:assert/strict";
import { agreedLeader, ensembleCfg } from "../../../bench/election.ts";
import { parseConfig } from "../../../src/config/load.ts";

Deno.test("agreedLeader: exactly one leader and the rest followers", () => {
  assert.equal(agreedLeader(["follower", "leader", "follower"]), 1);
  assert.equal(agreedLeader(["leader", "follower"]), 0);
  assert.equal(agreedLeader(["leader", "leader", "follower"]), null);
  assert.equal(agreedLeader(["follower", "follower"]), null);
  assert.equal(agreedLeader(["leader", undefined, "follower"]), null);
  assert.equal(agreedLeader(["leader", "looking", "follower"]), null);
  assert.equal(agreedLeader(["standalone"]), null);
  assert.equal(agreedLeader([]), null);
});

Deno.test("ensembleCfg: a valid 3-peer zoo.cfg naming every member", () => {
  const all = [1, 2, 3].map((sid) => ({
    sid,
    client: 20000 + sid,
    quorum: 21000 + sid,
    election: 22000 + sid,
  }));
  const text = ensembleCfg("/tmp/x/data", all[1], all);
  assert.match(text, /^clientPort=20002$/m);
  assert.match(text, /^server\.3=127\.0\.0\.1:21003:22003$/m);
  assert.equal(text.match(/^server\./gm)?.length, 3);
  // The server reads it the way both kinds of peer will.
  const cfg = parseConfig(text, {
    readFile: (p) => {
      if (p === "/tmp/x/data/myid") return "2\n";
      throw new Error(`no file ${p}`);
    },
  });
  assert.equal(cfg.myid, 2);
  assert.equal(cfg.clientPort, 20002);
  assert.deepEqual([...cfg.servers.keys()], [1, 2, 3]);
});
