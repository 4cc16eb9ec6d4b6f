// `zkt ensemble status` against live ensembles of zkt and Apache ZooKeeper 3.8
// peers: every server's row is right (role, epoch, zxid, lag, election state)
// and it exits 0; with two of three voters killed -9 it exits 1 saying there is
// no quorum, and the dead peers show as unreachable, not as a crash.
import assert from "node:assert/strict";
import { zkt } from "../support/cli.ts";
import { Ensemble, type EnsembleMember, type MemberSpec } from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { ZkClient } from "../support/zk_client.ts";

/** An operator's zoo.cfg for the ensemble: server lines with ;clientPort, no myid here. */
async function operatorCfg(e: Ensemble): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "zkt-status-cfg-" });
  const path = `${dir}/zoo.cfg`;
  await Deno.writeTextFile(
    path,
    [
      "tickTime=1000",
      "initLimit=10",
      "syncLimit=5",
      "dataDir=/nonexistent/zk",
      ...e.members.map((m) =>
        `server.${m.sid}=127.0.0.1:${m.quorum}:${m.election}${
          m.observer ? ":observer" : ""
        };127.0.0.1:${m.client}`
      ),
    ].join("\n") + "\n",
  );
  return path;
}

interface JsonServer {
  sid: number | null;
  client: string | null;
  type: string | null;
  role: string;
  epoch: number | null;
  zxid: string | null;
  lag: number | null;
  electionState: string | null;
  electionLeader: number | null;
  version: string | null;
  errors: string[];
}

interface JsonStatus {
  healthy: boolean;
  leaderZxid: string | null;
  leader: number | null;
  agree: boolean;
  quorum: boolean;
  servingVoters: number[];
  problems: string[];
  servers: JsonServer[];
}

async function statusJson(args: string[]): Promise<{ code: number; s: JsonStatus }> {
  // A generous per-request timeout: a loaded machine must not make a row an error.
  const r = await zkt(["ensemble", "status", "--json", "--timeout", "10000", ...args]);
  assert.equal(r.err, "", r.err);
  return { code: r.code, s: JSON.parse(r.out) as JsonStatus };
}

/** Writes `n` znodes through the leader; returns the zxid of the last. */
async function write(leader: EnsembleMember, n: number): Promise<bigint> {
  const c = await ZkClient.connect(leader.client);
  try {
    let zxid = 0n;
    for (let i = 0; i < n; i++) {
      const r = await c.create(`/status-${crypto.randomUUID()}`, "x");
      assert.equal(r.err, 0);
      zxid = r.zxid;
    }
    return zxid;
  } finally {
    await c.close();
  }
}

/**
 * Status once every server has applied the leader's last zxid, at least
 * `zxid` (followers apply commits on their own time; closing the session is a txn too).
 */
function statusAt(args: string[], zxid: bigint): Promise<{ code: number; s: JsonStatus }> {
  return waitFor(
    `every server to show one zxid >= 0x${zxid.toString(16)}`,
    async () => {
      const r = await statusJson(args);
      const zs = r.s.servers.map((x) => x.zxid === null ? -1n : BigInt(x.zxid));
      const clean = r.s.servers.every((x) => x.errors.length === 0);
      return clean && zs[0] >= zxid && zs.every((z) => z === zs[0]) ? r : undefined;
    },
    30_000,
    200,
  );
}

/** Checks one row per member against what the harness knows. */
function checkRows(s: JsonStatus, e: Ensemble, leader: EnsembleMember, zxid: bigint): void {
  assert.deepEqual(s.servers.map((x) => x.sid), e.members.map((m) => m.sid));
  const leaderZxid = BigInt(s.servers.find((x) => x.sid === leader.sid)!.zxid!);
  assert.ok(leaderZxid >= zxid);
  assert.equal(s.leaderZxid, `0x${leaderZxid.toString(16)}`);
  for (const m of e.members) {
    const row = s.servers.find((x) => x.sid === m.sid)!;
    const what = JSON.stringify(row);
    assert.equal(row.client, `127.0.0.1:${m.client}`, what);
    assert.equal(row.type, m.observer ? "observer" : "participant", what);
    assert.equal(
      row.role,
      m === leader ? "leader" : m.observer ? "observer" : "follower",
      what,
    );
    assert.equal(
      row.electionState,
      m === leader ? "leading" : m.observer ? "observing" : "following",
      what,
    );
    assert.equal(row.electionLeader, leader.sid, what);
    assert.equal(row.epoch, Number(zxid >> 32n), what);
    assert.equal(row.zxid, `0x${leaderZxid.toString(16)}`, what);
    assert.equal(row.lag, 0, what);
    assert.ok(m.kind === "zkt" ? /-zkt-/.test(row.version!) : !/zkt/.test(row.version!), what);
    assert.deepEqual(row.errors, [], what);
  }
}

async function healthyThenNoQuorum(specs: MemberSpec[]): Promise<void> {
  const e = await Ensemble.start(specs);
  try {
    const leader = await e.waitServing();
    const cfg = await operatorCfg(e);
    const zxid = await write(leader, 5);
    const ok = await statusAt(["--config", cfg], zxid);
    assert.equal(ok.code, 0, JSON.stringify(ok.s));
    assert.equal(ok.s.healthy, true);
    assert.equal(ok.s.leader, leader.sid);
    assert.equal(ok.s.agree, true);
    assert.deepEqual(ok.s.problems, []);
    checkRows(ok.s, e, leader, zxid);

    // The table agrees and ends "healthy".
    const table = await zkt(["ensemble", "status", "--config", cfg, "--timeout", "10000"]);
    assert.equal(table.code, 0, table.out + table.err);
    assert.match(table.out, /^SID\s+CLIENT\s+TYPE\s+ROLE\s+EPOCH\s+ZXID\s+LAG/m);
    assert.match(table.out, new RegExp(`^leader: ${leader.sid} `, "m"));
    assert.match(table.out, /^healthy$/m);

    // kill -9 two of the three voters: no quorum, exit 1, the dead ones unreachable.
    const voters = e.members.filter((m) => !m.observer);
    const dead = voters.slice(0, 2);
    for (const m of dead) await e.kill(m);
    const bad = await statusJson(["--config", cfg]);
    assert.equal(bad.code, 1, JSON.stringify(bad.s));
    assert.equal(bad.s.healthy, false);
    assert.equal(bad.s.quorum, false);
    assert.ok(bad.s.problems.some((p) => /^no quorum: /.test(p)), bad.s.problems.join("; "));
    for (const m of dead) {
      const row = bad.s.servers.find((x) => x.sid === m.sid)!;
      assert.equal(row.role, "unreachable", JSON.stringify(row));
      assert.ok(row.errors.some((x) => /cannot connect/.test(x)), JSON.stringify(row));
    }
    const text = await zkt(["ensemble", "status", "--config", cfg, "--timeout", "10000"]);
    assert.equal(text.code, 1);
    assert.match(text.out, /PROBLEM: no quorum: /);
    assert.match(text.out, /^UNHEALTHY$/m);
  } finally {
    await e.stop();
  }
}

Deno.test({
  name:
    "ensemble status: 3 zkt peers: rows right, exit 0; kill -9 of two voters: exit 1, no quorum",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => healthyThenNoQuorum(["zkt", "zkt", "zkt"]),
});

Deno.test({
  name:
    "ensemble status: ZooKeeper + zkt + ZooKeeper observer: rows right, exit 0; kill -9 of both voters: exit 1",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => healthyThenNoQuorum(["zk", "zkt", "zk:observer"]),
});

Deno.test({
  name:
    "ensemble status from client addresses alone: the membership, sids and election ports come from the peers' conf",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const e = await Ensemble.start(["zk", "zkt", "zkt"]);
    try {
      const leader = await e.waitServing();
      const zxid = await write(leader, 3);
      const { code, s } = await statusAt([e.hosts()], zxid);
      assert.equal(code, 0, JSON.stringify(s));
      assert.equal(s.leader, leader.sid);
      checkRows(s, e, leader, zxid);

      // --count bounds --watch: two refreshes, two JSON lines.
      const w = await zkt([
        "ensemble",
        "status",
        e.hosts(),
        "--json",
        "--watch",
        "0.1",
        "--count",
        "2",
        "--timeout",
        "10000",
      ]);
      assert.equal(w.code, 0, w.out + w.err);
      const lines = w.out.trim().split("\n").map((l) => JSON.parse(l) as JsonStatus);
      assert.equal(lines.length, 2);
      for (const l of lines) assert.equal(l.leader, leader.sid);
    } finally {
      await e.stop();
    }
  },
});

Deno.test({
  name:
    "ensemble status under 3.8's default whitelist (srvr only): a member's own zoo.cfg plus the other client addresses name every server",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The last line wins: conf and mntr are refused, as by a stock 3.8 install.
    // Sid 3 leads (leaderLast): the listed addresses that cannot say their sid
    // are matched as the one leader (3) and by elimination (2).
    const e = await Ensemble.start(["zk", "zkt", "zk"], {
      cfg: ["4lw.commands.whitelist=srvr"],
      leaderLast: true,
    });
    try {
      const leader = await e.waitServing();
      const zxid = await write(leader, 2);
      const [m1, m2, m3] = e.members;
      const { code, s } = await statusAt(
        ["--config", `${m1.dir}/zoo.cfg`, e.direct(m2), e.direct(m3)],
        zxid,
      );
      assert.equal(code, 0, JSON.stringify(s));
      assert.equal(s.leader, leader.sid);
      checkRows(s, e, leader, zxid);
    } finally {
      await e.stop();
    }
  },
});
