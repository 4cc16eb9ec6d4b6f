// zoo.cfg as `zkt ensemble status` reads it: an operator's copy on a laptop has
// no myid and no data dir, which must not stop it; the server lines give the
// membership and the addresses to ask; clientPort gives a client address only
// where one port cannot be two servers'.
import assert from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import { parseEnsembleConfig } from "../../../src/inspect/ensemble_config.ts";
import { derivedClients } from "../../../src/inspect/ensemble_gather.ts";

const noFiles = (p: string): string => {
  throw new Deno.errors.NotFound(p);
};

Deno.test("an operator's zoo.cfg without myid or data dir is enough", () => {
  const c = parseEnsembleConfig(
    [
      "tickTime=2000",
      "dataDir=/var/lib/zookeeper",
      "clientPort=2181",
      "server.1=zk1:2888:3888",
      "server.2=zk2:2888:3888",
      "server.3=zk3:2888:3888;zk3:2191",
      "server.4=zk4:2888:3888:observer",
    ].join("\n"),
    "zoo.cfg",
    noFiles,
  );
  assert.equal(c.myid, undefined);
  assert.equal(c.clientPort, 2181);
  assert.equal(c.adminPort, 8080); // 3.8's AdminServer is on unless disabled
  assert.deepEqual([...c.verifier.votingMembers.keys()], [1, 2, 3]);
  assert.deepEqual([...c.verifier.observingMembers.keys()], [4]);
  assert.deepEqual(c.verifier.allMembers.get(3)!.clientAddr, { host: "zk3", port: 2191 });
  // Each host runs one server: clientPort on its host, unless its line names one.
  const d = derivedClients(c, c.verifier);
  assert.deepEqual(d.get(1), { host: "zk1", port: 2181 });
  assert.equal(d.has(3), false);
  assert.deepEqual(d.get(4), { host: "zk4", port: 2181 });
});

Deno.test("on one host, clientPort is only the myid server's: no guess for the others", () => {
  const c = parseEnsembleConfig(
    [
      "dataDir=/d",
      "clientPort=12181",
      "clientPortAddress=127.0.0.1",
      "admin.enableServer=false",
      "server.1=127.0.0.1:12888:13888",
      "server.2=127.0.0.1:22888:23888",
      "server.3=127.0.0.1:32888:33888",
    ].join("\n"),
    "zoo.cfg",
    (p) => {
      if (p === "/d/myid") return "2\n";
      throw new Deno.errors.NotFound(p);
    },
  );
  assert.equal(c.myid, 2);
  assert.equal(c.adminPort, undefined);
  assert.deepEqual([...derivedClients(c, c.verifier)], [[2, { host: "127.0.0.1", port: 12181 }]]);
});

Deno.test("the membership comes from dynamicConfigFile when zoo.cfg names one", () => {
  const c = parseEnsembleConfig(
    "dataDir=/d\ndynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000000\n",
    "zoo.cfg",
    (p) => {
      if (p === "/etc/zk/zoo.cfg.dynamic.100000000") {
        return "server.1=a:2888:3888;2181\nserver.2=b:2888:3888;2181\nserver.3=c:2888:3888;2181\n";
      }
      throw new Deno.errors.NotFound(p);
    },
  );
  assert.equal(c.verifier.version, 0x100000000n);
  assert.equal(c.verifier.votingMembers.size, 3);
});

Deno.test("a zoo.cfg with no server lines, or a bad port, is one line naming why", () => {
  assert.throws(
    () => parseEnsembleConfig("dataDir=/d\nclientPort=2181\n", "/etc/zk/zoo.cfg", noFiles),
    (e) => e instanceof ConfigError && /^\/etc\/zk\/zoo\.cfg: no server\.N lines/.test(e.message),
  );
  assert.throws(
    () => parseEnsembleConfig("clientPort=21x\nserver.1=a:1:2\n", "zoo.cfg", noFiles),
    (e) => e instanceof ConfigError && e.message === 'clientPort: "21x" is not a port',
  );
  assert.throws(
    () => parseEnsembleConfig("server.1=a:1\n", "zoo.cfg", noFiles),
    (e) => e instanceof ConfigError && /^server\.1: /.test(e.message),
  );
});
