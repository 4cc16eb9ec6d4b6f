// The I/O shell of `zkt ensemble status` against fake peers on loopback: a
// peer that refuses conf (3.8's default whitelist is srvr only) is named by its
// AdminServer's zabstate, and the membership comes from voting_view; an
// AdminServer that belongs to another peer on the same host is not believed.
import assert from "node:assert/strict";
import {
  type ElectionProbe,
  gatherFacts,
  newGatherMemory,
} from "../../../src/inspect/ensemble_gather.ts";
import { ensembleStatus } from "../../../src/inspect/ensemble_status.ts";
import { freePorts } from "../../support/ports.ts";

/** Election ports in these tests are closed. */
const noElection: ElectionProbe = (where) =>
  Promise.resolve({
    error: `election: cannot reach the election port ${where.host}:${where.port}`,
  });

const NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";

const REFUSED = (w: string) => `${w} is not executed because it is not in the whitelist.\n`;

/** A client port that answers four-letter words from a table (others: refused). */
function fakeClientPort(replies: Record<string, string>): { port: number; close(): void } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const c of l) {
      (async () => {
        const buf = new Uint8Array(4);
        let n = 0;
        while (n < 4) {
          const r = await c.read(buf.subarray(n)).catch(() => null);
          if (r === null) break;
          n += r;
        }
        const w = new TextDecoder().decode(buf.subarray(0, n));
        await c.write(new TextEncoder().encode(replies[w] ?? REFUSED(w))).catch(() => {});
        c.close();
      })();
    }
  })().catch(() => {});
  return { port: (l.addr as Deno.NetAddr).port, close: () => l.close() };
}

function fakeAdmin(commands: Record<string, unknown>): { port: number; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const name = new URL(req.url).pathname.replace(/^\/commands\//, "");
    const body = commands[name] ?? { command: name, error: `Unknown command: ${name}` };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

const srvr = (mode: string) =>
  `Zookeeper version: 3.8.4-abc, built on 2024-02-12 22:16 UTC\nLatency min/avg/max: 0/0.0/0\n` +
  `Received: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x100000002\nMode: ${mode}\nNode count: 5\n`;

Deno.test("conf refused: the AdminServer names the peer (zabstate) and the membership (voting_view)", async () => {
  const [deadElection1, deadElection2] = freePorts(2);
  const client = fakeClientPort({ srvr: srvr("leader") });
  const admin = fakeAdmin({
    zabstate: {
      myid: 2,
      is_leader: true,
      election_address: `127.0.0.1:${deadElection2}`,
      client_address: `127.0.0.1:${client.port}`,
      voting: true,
      zabstate: "broadcast",
      command: "zabstate",
      error: null,
    },
    voting_view: {
      current_config: {
        "1": {
          server_addresses: ["127.0.0.1:1"],
          election_addresses: [`127.0.0.1:${deadElection1}`],
          client_address: "",
          learner_type: "participant",
        },
        "2": {
          server_addresses: ["127.0.0.1:2"],
          election_addresses: [`127.0.0.1:${deadElection2}`],
          client_address: `127.0.0.1:${client.port}`,
          learner_type: "participant",
        },
      },
      command: "voting_view",
      error: null,
    },
  });
  try {
    const facts = await gatherFacts({
      config: null,
      addresses: [{ hostname: "127.0.0.1", port: client.port }],
      timeoutMs: 2000,
      adminPort: admin.port,
      askElection: noElection,
    });
    assert.match(facts.membershipSource!, /^voting_view of the AdminServer of 127\.0\.0\.1:\d+/);
    assert.deepEqual(facts.peers.map((p) => p.sid), [1, 2]);
    const two = facts.peers.find((p) => p.sid === 2)!;
    assert.equal(two.client, `127.0.0.1:${client.port}`);
    assert.equal(two.election, `127.0.0.1:${deadElection2}`);
    assert.ok(two.srvr && "info" in two.srvr && two.srvr.info.mode === "leader");
    const one = facts.peers.find((p) => p.sid === 1)!;
    assert.equal(one.client, null);
    assert.ok(one.notes.some((n) => /^client address unknown/.test(n)));
    // Sid 2 leads but sid 1 is not known to serve: one of two voters is no quorum.
    const s = ensembleStatus(facts);
    assert.equal(s.exitCode, 1);
    assert.equal(s.verdict.leader, 2);
  } finally {
    client.close();
    await admin.close();
  }
});

Deno.test("an AdminServer that answers for another client port does not name the peer", async () => {
  const client = fakeClientPort({ srvr: srvr("follower") });
  const admin = fakeAdmin({
    zabstate: { myid: 5, client_address: "127.0.0.1:1", election_address: "127.0.0.1:2" },
  });
  try {
    const facts = await gatherFacts({
      config: null,
      addresses: [{ hostname: "127.0.0.1", port: client.port }],
      timeoutMs: 2000,
      adminPort: admin.port,
      askElection: noElection,
    });
    assert.equal(facts.verifier, null);
    assert.equal(facts.peers.length, 1);
    assert.equal(facts.peers[0].sid, null);
    assert.ok(
      facts.peers[0].notes.some((n) => /belongs to the peer at client port 1$/.test(n)),
      facts.peers[0].notes.join("\n"),
    );
  } finally {
    client.close();
    await admin.close();
  }
});

Deno.test("--watch remembers who a peer is: when it stops serving (conf refused then), its row keeps its sid", async () => {
  const [election] = freePorts(1);
  const conf = `clientPort=1\nserverId=3\nelectionPort=${election}\npeerType=0\nmembership: \n` +
    `server.3=127.0.0.1:1:${election}:participant\nversion=0`;
  const replies: Record<string, string> = { srvr: srvr("standalone"), conf };
  const client = fakeClientPort(replies);
  const memory = newGatherMemory();
  const ask = () =>
    gatherFacts({
      config: null,
      addresses: [{ hostname: "127.0.0.1", port: client.port }],
      timeoutMs: 2000,
      adminPort: freePorts(1)[0],
      memory,
      askElection: noElection,
    });
  try {
    const first = await ask();
    assert.deepEqual(first.peers.map((p) => p.sid), [3]);
    replies.srvr = NOT_SERVING;
    replies.conf = NOT_SERVING;
    const second = await ask();
    assert.deepEqual(second.peers.map((p) => p.sid), [3]);
    assert.match(second.membershipSource!, /\(an earlier refresh\)$/);
    assert.ok(second.peers[0].srvr && "notServing" in second.peers[0].srvr);
    assert.equal(second.peers[0].election, `127.0.0.1:${election}`);
  } finally {
    client.close();
  }
});
