// Local sessions in an ensemble (localSessionsEnabled=true, upgrading on), as
// Apache ZooKeeper 3.8 runs them, on ensembles named by their members' kinds
// (see zab_ensemble_test.ts; the all-"zk" row validates the test itself):
//   - a new session is local to the server the client connected to: no
//     createSession txn in the leader's log, mntr counts it in local_sessions,
//     and reads and writes work through it (a write's txn carries its id);
//   - its first ephemeral create upgrades it: a createSession txn (cxid 0) and
//     then the create, both under its id; the ephemeral is seen on every server
//     and vanishes everywhere when the session closes (a closeSession txn);
//   - closing a local session logs nothing;
//   - a local session cannot be resumed on another server: the client is told
//     its session expired (kazoo then starts a new session);
//   - with localSessionsUpgradingEnabled=false the ephemeral create is refused
//     (EphemeralOnLocalSession) and the leader logs an error txn, not a
//     createSession.
import assert from "node:assert/strict";
import {
  Ensemble,
  type EnsembleMember,
  failureWithLogs,
  type MemberSpec,
} from "../support/ensemble.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { KazooDriver } from "../support/kazoo_driver.ts";
import { zkt } from "../support/cli.ts";
import { ZkClient } from "../support/zk_client.ts";
import { hexId } from "../../src/server/session_id.ts";
import { waitFor } from "../support/wait.ts";

const SLOW_MS = 120_000;
const CFG = ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=true"];

/** One txn of `zkt txnlog dump --json`. */
interface DumpedTxn {
  session: string;
  cxid: number;
  zxid: string;
  op: string;
  path?: string;
  ephemeral?: boolean;
  /** An error txn's code. */
  err?: number;
}

/** The txns logged in member m's data dir (a live log may end torn: its whole records count). */
async function loggedTxns(m: EnsembleMember): Promise<DumpedTxn[]> {
  const r = await zkt(["txnlog", "dump", "--json", `${m.dir}/data`]);
  assert.ok(r.code === 0 || r.code === 3, `txnlog dump of member ${m.sid}: ${r.err}`);
  return r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    .filter((x) => x.type === "txn");
}

/** The ops logged for `session` in the leader's log, in zxid order. */
async function opsOf(e: Ensemble, session: string): Promise<string[]> {
  const leader = (await e.leader())!;
  return (await loggedTxns(leader)).filter((t) => BigInt(t.session) === BigInt(session))
    .map((t) =>
      `${t.op}${t.err !== undefined ? " " + t.err : ""}${t.cxid === 0 ? "@0" : ""}${
        t.path ? " " + t.path : ""
      }${t.ephemeral ? " (ephemeral)" : ""}`
    );
}

/** sync() then exists(path) through client `name`, until it says `want`. */
function waitExists(k: KazooDriver, name: string, path: string, want: boolean): Promise<true> {
  return waitFor(
    `${path} ${want ? "present" : "gone"} via ${name}`,
    async () => {
      await k.sync(name, "/");
      return (await k.exists(name, path)) === want;
    },
    SLOW_MS,
    100,
  );
}

async function localSessionsBehaveAs38(e: Ensemble, k: KazooDriver): Promise<void> {
  const names: string[] = [];
  const sessions = new Map<string, string>();
  for (const m of e.running) {
    const n = `s${m.sid}`;
    sessions.set(n, (await k.connect(n, e.direct(m))).session);
    names.push(n);
  }
  await k.create(names[0], "/ls");
  // Reads and writes through a local session on every server; the writes carry its id.
  for (const n of names) {
    await k.create(n, `/ls/${n}`, `by ${n}`);
    for (const r of names) {
      await k.sync(r, "/ls");
      assert.equal((await k.get(r, `/ls/${n}`)).data, `by ${n}`, `/ls/${n} read via ${r}`);
    }
  }
  for (const m of e.running) {
    const mntr = await e.mntr(m);
    assert.ok(Number(mntr.get("zk_local_sessions")) >= 1, `member ${m.sid}: zk_local_sessions`);
  }
  for (const n of names) {
    const ops = await opsOf(e, sessions.get(n)!);
    assert.deepEqual(
      ops,
      n === names[0] ? ["create /ls", `create /ls/${n}`] : [`create /ls/${n}`],
      `${n}: local, no createSession`,
    );
  }

  // The first ephemeral create upgrades the session: createSession, then the create.
  for (const m of e.running) {
    const n = `eph${m.sid}`;
    const id = (await k.connect(n, e.direct(m))).session;
    const path = `/ls/eph-${m.sid}`;
    await k.create(n, path, "", { ephemeral: true });
    for (const r of names) await waitExists(k, r, path, true);
    assert.deepEqual(await opsOf(e, id), ["createSession@0", `create ${path} (ephemeral)`]);
    await k.close(n);
    for (const r of names) await waitExists(k, r, path, false);
    assert.deepEqual(await opsOf(e, id), [
      "createSession@0",
      `create ${path} (ephemeral)`,
      "closeSession",
    ]);
  }

  // Closing a local session logs nothing.
  const last = names[names.length - 1];
  await k.close(last);
  await k.create(names[0], "/ls/after-close");
  assert.deepEqual(await opsOf(e, sessions.get(last)!), [`create /ls/${last}`]);

  // A local session resumed on another server has expired there: kazoo gets a new session.
  const [a, b] = e.running;
  const mover = await k.connect("mover", e.direct(a));
  const moved = await k.connect("moved", e.direct(b), { creds: mover });
  // (kazoo starts a new session once the server says the old one expired.)
  assert.notEqual(
    BigInt(moved.session),
    BigInt(mover.session),
    "a new session on the other server",
  );
}

const ROWS: MemberSpec[][] = [
  // Java only: validates the test
  ["zk", "zk", "zk"],
  // zkt only
  ["zkt", "zkt", "zkt"],
  // zkt leader, Java followers
  ["zk", "zk", "zkt"],
  // Java leader, zkt followers
  ["zkt", "zkt", "zk"],
];

for (const kinds of ROWS) {
  Deno.test({
    name: `zab ensemble [${
      kinds.join(",")
    }] with localSessionsEnabled: sessions start local (no createSession txn), an ephemeral create upgrades them (createSession then create), the ephemeral is seen and vanishes everywhere, local closes log nothing, a local session does not move`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const e = await Ensemble.start(kinds, { leaderLast: true, cfg: CFG });
      const k = KazooDriver.start();
      try {
        await localSessionsBehaveAs38(e, k);
      } catch (err) {
        throw await failureWithLogs(err, e, k);
      } finally {
        await k.kill();
        await e.stop();
      }
    },
  });
}

/**
 * With localSessionsUpgradingEnabled=false (3.8's default from zoo.cfg) an ephemeral create on a
 * local session is refused on every server and no createSession is logged (kazoo cannot name
 * 3.8's -120, so this client is zkt's own test client, which reports the code).
 */
async function upgradeRefused(e: Ensemble): Promise<string[]> {
  const seen: string[] = [];
  const leader = (await e.leader())!;
  for (const m of e.running) {
    const c = await ZkClient.connect(m.client);
    try {
      const id = hexId(c.session.sessionId);
      const eph = await c.create(`/eph-${m.sid}`, "", 1);
      const plain = await c.create(`/p-${m.sid}`, "");
      const role = m.sid === leader.sid ? "leader" : "learner";
      seen.push(
        `${role}: ephemeral ${eph.err}, persistent ${plain.err}; logged ${
          (await opsOf(e, id)).map((o) => o.replace(/ \/.*/, "")).join(", ")
        }`,
      );
    } finally {
      await c.close();
    }
  }
  return seen;
}

for (const kinds of ROWS) {
  Deno.test({
    name: `zab ensemble [${
      kinds.join(",")
    }] with local sessions and localSessionsUpgradingEnabled=false: an ephemeral create on a local session is refused as 3.8 refuses it, nothing upgraded`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const e = await Ensemble.start(kinds, {
        leaderLast: true,
        cfg: ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=false"],
      });
      try {
        const seen = await upgradeRefused(e);
        assert.deepEqual(new Set(seen), new Set(REFUSED));
      } catch (err) {
        throw new Error(`${(err as Error).stack}\n${await e.logs(40)}`);
      } finally {
        await e.stop();
      }
    },
  });
}

/** What 3.8 answers and logs (checked on the all-Java row). */
const REFUSED = [
  "leader: ephemeral -120, persistent 0; logged error -120, create",
  "learner: ephemeral -120, persistent 0; logged error -112, create",
];
