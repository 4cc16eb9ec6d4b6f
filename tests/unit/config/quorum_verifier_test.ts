// Quorum verifiers: majority and hierarchical quorums, weights, versions, and the
// dynamic-config text ZooKeeper 3.8 writes to /zookeeper/config and FLE notifications.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  HierarchicalQuorum,
  MajorityQuorum,
  parseDynamicConfig,
  toDynamicFileText,
} from "../../../src/config/quorum_verifier.ts";
import { formatServerSpec } from "../../../src/config/server_spec.ts";
import type { QuorumServer, QuorumVerifier } from "../../../src/config/types.ts";
import { ConfigError } from "../../../src/errors.ts";
import { setLogSink } from "../../../src/log/logger.ts";

setLogSink(() => {}); // membership warnings are not what these tests check

function server(id: number, type: "participant" | "observer" = "participant"): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 2000 + id }],
    electionAddrs: [{ host: "127.0.0.1", port: 3000 + id }],
    type,
  };
}

function lines(n: number, observers: number[] = []): string {
  return Array.from({ length: n }, (_, i) => i + 1)
    .map((id) =>
      `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}` +
      (observers.includes(id) ? ":observer" : "")
    )
    .join("\n") + "\n";
}

Deno.test("majority of 3: two voters are a quorum, one is not", () => {
  const qv = new MajorityQuorum([server(1), server(2), server(3)]);
  assert.equal(qv.containsQuorum([1, 2]), true);
  assert.equal(qv.containsQuorum([3, 1]), true);
  assert.equal(qv.containsQuorum([2]), false);
  assert.equal(qv.containsQuorum([]), false);
});

Deno.test("majority of 4: half is not a quorum", () => {
  const qv = new MajorityQuorum([1, 2, 3, 4].map((i) => server(i)));
  assert.equal(qv.containsQuorum([1, 2]), false);
  assert.equal(qv.containsQuorum([1, 2, 3]), true);
});

Deno.test("majority: observers and unknown ids do not count, nor do repeats", () => {
  const qv = new MajorityQuorum([server(1), server(2), server(3), server(4, "observer")]);
  assert.deepEqual([...qv.votingMembers.keys()], [1, 2, 3]);
  assert.deepEqual([...qv.observingMembers.keys()], [4]);
  assert.equal(qv.containsQuorum([1, 4]), false);
  assert.equal(qv.containsQuorum([1, 9]), false);
  assert.equal(qv.containsQuorum([1, 1, 1]), false);
  assert.equal(qv.weight(1), 1);
  assert.equal(qv.weight(4), 1); // ZooKeeper's QuorumMaj.getWeight is 1 for every id
});

Deno.test("hierarchical, ZooKeeper's 3×3 example: a majority of groups, each by majority", () => {
  const qv = parseDynamicConfig(
    lines(9) + "group.1=1:2:3\ngroup.2=4:5:6\ngroup.3=7:8:9\n" +
      Array.from({ length: 9 }, (_, i) => `weight.${i + 1}=1`).join("\n"),
  );
  assert.equal(qv.kind, "hierarchical");
  assert.equal(qv.containsQuorum([1, 2, 4, 5]), true);
  assert.equal(qv.containsQuorum([1, 2, 4]), false);
  assert.equal(qv.containsQuorum([1, 2, 3, 4, 7]), false);
  assert.equal(qv.containsQuorum([]), false);
});

Deno.test("hierarchical: weight-0 servers add nothing; zero-weight groups are not counted", () => {
  const qv = parseDynamicConfig(
    lines(7) + "group.1=1:2:3\ngroup.2=4:5\ngroup.3=6:7\n" +
      "weight.3=0\nweight.6=0\nweight.7=0\n",
  ) as HierarchicalQuorum;
  assert.equal(qv.weight(3), 0);
  assert.equal(qv.weight(1), 1); // defaulted
  assert.equal(qv.numGroups, 2); // group.3 weighs 0
  // group.1 weighs 2: one server of weight 1 is not more than half.
  assert.equal(qv.containsQuorum([1, 3, 4, 5]), false);
  assert.equal(qv.containsQuorum([1, 2, 4, 5]), true);
  assert.equal(qv.containsQuorum([1, 2, 4, 6, 7]), false);
});

Deno.test("hierarchical: observers are not voters even when weighted in a group", () => {
  const qv = parseDynamicConfig(
    lines(4, [4]) + "group.1=1:2:3:4\nweight.4=5\n",
  );
  assert.deepEqual([...qv.observingMembers.keys()], [4]);
  assert.equal(qv.weight(4), 5);
  assert.equal(qv.containsQuorum([1, 4]), false);
  assert.equal(qv.containsQuorum([1, 2]), false); // group weight 8: needs more than 4
  assert.equal(qv.weight(99), 0);
});

Deno.test("version is hex, as ZooKeeper writes it; 64-bit overflow is refused", () => {
  assert.equal(parseDynamicConfig(lines(3) + "version=100000000").version, 0x100000000n);
  assert.equal(parseDynamicConfig(lines(3)).version, 0n);
  assert.equal(
    parseDynamicConfig(lines(3) + "version=7fffffffffffffff").version,
    0x7fffffffffffffffn,
  );
  assert.throws(() => parseDynamicConfig(lines(3) + "version=ffffffffffffffff"), ConfigError);
  assert.throws(() => parseDynamicConfig(lines(3) + "version=0x10"), ConfigError);
  const qv = new MajorityQuorum([server(1)], -1n);
  assert.ok(qv.toConfigString().endsWith("version=ffffffffffffffff"));
});

Deno.test("toConfigString: majority text as ZooKeeper 3.8 prints it", () => {
  const qv = parseDynamicConfig(
    "server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\n" +
      "server.1=127.0.0.1:2888:3888;2181\nserver.3=127.0.0.1:2890:3890:OBSERVER\n" +
      "version=100000000\n",
  );
  assert.equal(
    qv.toConfigString(),
    "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
      "server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\n" +
      "server.3=127.0.0.1:2890:3890:observer\n" +
      "version=100000000",
  );
});

Deno.test("toConfigString: hierarchical text, golden from ZooKeeper 3.8's QuorumHierarchical", () => {
  // Printed by Apache ZooKeeper 3.8.0's QuorumPeerConfig for the same lines.
  const golden = "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
    "server.2=zk2:2888:3888:participant;127.0.0.1:2182\n" +
    "server.3=[0:0:0:0:0:0:0:1]:2888:3888:participant\n" +
    "server.4=zk4:2888:3888:observer\n" +
    "group.1=1:2\ngroup.2=3\nweight.1=1\nweight.2=3\nweight.3=0\nversion=1f00000002";
  const qv = parseDynamicConfig(
    "server.1=127.0.0.1:2888:3888;2181\nserver.2=zk2:2888:3888:participant;127.0.0.1:2182\n" +
      "server.3=[::1]:2888:3888\nserver.4=zk4:2888:3888:observer\n" +
      "group.1=1:2\ngroup.2=3\nweight.2=3\nweight.3=0\nversion=1f00000002\n",
  );
  assert.equal(qv.toConfigString(), golden);
  assert.equal(parseDynamicConfig(golden).toConfigString(), golden);
});

Deno.test("toConfigString: ids sharing a HashMap bucket follow ZooKeeper's order", () => {
  // 17 and 1 share bucket 1 of 16; ZooKeeper prints server.1 first here
  // (checked against 3.8 by tests/interop/config_vs_zookeeper_test.ts).
  const qv = parseDynamicConfig(
    "server.1=a:1:2\nserver.17=b:1:2\nserver.40=c:1:2\nserver.3=d:1:2\n",
  );
  assert.deepEqual(
    qv.toConfigString().split("\n").map((l) => l.split("=")[0]),
    ["server.1", "server.17", "server.3", "server.40", "version"],
  );
});

Deno.test("toConfigString: multiple addresses sorted by host", () => {
  const qv = parseDynamicConfig(
    "server.1=zb:2888:3888|za:2889:3889\nserver.2=h:1:2\nserver.3=i:1:2\n",
    { multiAddressEnabled: true },
  );
  assert.ok(qv.toConfigString().startsWith("server.1=za:2889:3889|zb:2888:3888:participant\n"));
});

Deno.test("dynamic config text allows only server, group, weight and version", () => {
  assert.throws(
    () => parseDynamicConfig(lines(3) + "tickTime=2000\n"),
    /tickTime: unrecognised parameter/,
  );
  assert.throws(() => parseDynamicConfig(lines(2, [1, 2])), /observers without participants/);
});

// ---- round trip: the text a peer sends is the config the receiver gets ----

const hostArb = fc.constantFrom("127.0.0.1", "10.0.0.7", "zk1.example", "::1", "fe80::a:1");
const portArb = fc.integer({ min: 1, max: 65535 });

const serverArb = (id: number, type: "participant" | "observer") =>
  fc.record({
    hosts: fc.uniqueArray(hostArb, { minLength: 1, maxLength: 2 }),
    ports: fc.uniqueArray(portArb, { minLength: 2, maxLength: 2 }),
    client: fc.option(fc.record({ host: hostArb, port: portArb }), { nil: undefined }),
  }).map(({ hosts, ports, client }): QuorumServer => {
    const qs: QuorumServer = {
      id,
      addrs: hosts.map((host) => ({ host, port: ports[0] })),
      electionAddrs: hosts.map((host) => ({ host, port: ports[1] })),
      type,
    };
    if (client) qs.clientAddr = client;
    return qs;
  });

const ensembleArb = fc.record({
  ids: fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 9 }),
  observers: fc.integer({ min: 0, max: 2 }),
  version: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
}).chain(({ ids, observers, version }) =>
  fc.tuple(
    fc.tuple(
      ...ids.map((id, i) =>
        serverArb(id, i >= 2 && i < 2 + observers ? "observer" : "participant")
      ),
    ),
    fc.constant(version),
  )
);

function sameConfig(a: QuorumVerifier, b: QuorumVerifier): void {
  assert.equal(b.kind, a.kind);
  assert.equal(b.version, a.version);
  assert.deepEqual([...b.allMembers.keys()], [...a.allMembers.keys()]);
  for (const [id, s] of a.allMembers) {
    assert.equal(formatServerSpec(b.allMembers.get(id)!), formatServerSpec(s));
    assert.equal(b.weight(id), a.weight(id));
  }
}

Deno.test("round trip: majority config text parses back to the same config", () => {
  fc.assert(
    fc.property(ensembleArb, ([servers, version]) => {
      const qv = new MajorityQuorum(servers, version);
      const back = parseDynamicConfig(qv.toConfigString(), { multiAddressEnabled: true });
      sameConfig(qv, back);
    }),
    { numRuns: 200 },
  );
});

Deno.test("round trip: hierarchical config text parses back to the same config", () => {
  fc.assert(
    fc.property(
      ensembleArb,
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 9, maxLength: 9 }),
      ([servers, version], nGroups, ws) => {
        const groups = new Map<number, number[]>();
        const weights = new Map<number, number>();
        servers.filter((s) => s.type === "participant").forEach((s, i) => {
          const gid = (i % nGroups) + 1;
          groups.set(gid, [...(groups.get(gid) ?? []), s.id]);
          weights.set(s.id, ws[i]);
        });
        const qv = new HierarchicalQuorum(servers, groups, weights, version);
        const back = parseDynamicConfig(qv.toConfigString(), { multiAddressEnabled: true });
        sameConfig(qv, back);
        const ids = servers.map((s) => s.id);
        for (let k = 0; k <= ids.length; k++) {
          assert.equal(back.containsQuorum(ids.slice(0, k)), qv.containsQuorum(ids.slice(0, k)));
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("toDynamicFileText: sorted lines as writeDynamicConfig writes them", () => {
  const qv = parseDynamicConfig(
    "server.10=h10:1:2\nserver.2=h2:1:2;2181\nserver.1=h1:1:2:observer\nserver.3=h3:1:2\n" +
      "version=1a\n",
  );
  assert.equal(
    toDynamicFileText(qv),
    // Java's String order: "server.10=" sorts before "server.1=" ('0' < '=').
    "server.10=h10:1:2:participant\nserver.1=h1:1:2:observer\n" +
      "server.2=h2:1:2:participant;0.0.0.0:2181\nserver.3=h3:1:2:participant",
  );
  assert.ok(toDynamicFileText(qv, true).endsWith("\nversion=1a"));
});

Deno.test("parseDynamicConfig logs 3.8's sizing warnings only when asked", () => {
  const seen: string[] = [];
  const prev = setLogSink((l) => seen.push(l));
  try {
    parseDynamicConfig(lines(4));
    assert.equal(seen.length, 0);
    parseDynamicConfig(lines(4), { warnings: true });
    assert.ok(seen.some((l) => l.includes("Non-optimal configuration")));
  } finally {
    setLogSink(prev);
  }
});
