// A `zkt serve` leader's AdminServer `observers` (alias obsr) and mntr leader
// lines against a Java 3.8 leader's for the same ensemble (issue 17): zkt
// used to answer observers with none. With two observers (one Java, one zkt)
// synced, zkt lists both with 3.8's LearnerHandler keys and value types, and
// its mntr carries every key a Java leader adds to a follower's mntr (3.8's
// LeaderZooKeeperServer gauges), each once, with real values. Then the zkt
// leader is killed, a Java peer leads the same observers, and its answers
// have the same shape.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Ensemble, type EnsembleMember } from "../support/ensemble.ts";
import { fourLetter } from "../support/four_letter.ts";
import { SKIP_INTEROP } from "../support/interop.ts";
import { freePorts } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { writeVia } from "../support/zab_learner_check.ts";
import { shapeDiff, shapeOf } from "./admin/json_shape.ts";

const SLOW_MS = 120_000;

/** mntr as ordered [key, value] lines (duplicates kept). */
async function mntrLines(m: EnsembleMember): Promise<[string, string][]> {
  const text = await fourLetter(m.client, "mntr", "127.0.0.1", 5000);
  return text.split("\n").filter((l) => l.includes("\t")).map((l) => {
    const [k, ...v] = l.split("\t");
    return [k, v.join("\t")];
  });
}

async function admin(port: number, name: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  return await r.text();
}

/** The mntr keys a leader adds to what a follower of the same kind prints. */
function leaderOnly(leader: [string, string][], follower: [string, string][]): string[] {
  const f = new Set(follower.map(([k]) => k));
  return leader.map(([k]) => k).filter((k) => !f.has(k)).sort();
}

Deno.test({
  name:
    "zab admin: a zkt serve leader lists its synced observers as 3.8's observers command does, and its mntr has a Java leader's keys once each with real values",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const adminPorts = freePorts(5);
    const started = Date.now();
    const e = await Ensemble.start(["zk", "zk", "zkt", "zk:observer", "zkt:observer"], {
      leaderLast: true,
      memberCfg: (m) => [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${adminPorts[m.sid - 1]}`,
      ],
    });
    let ok = false;
    try {
      const [j1, j2, z3, o4, o5] = e.members;
      assertEquals((await e.leader())?.sid, 3);
      await writeVia(z3.client, "/a", 10, 100);
      // Forwarded writes: each observer's handler counts a REQUEST.
      await writeVia(o4.client, "/o4", 2);
      await writeVia(o5.client, "/o5", 2);

      const zktObs = await waitFor("zkt's observers to list 4 and 5", async () => {
        const text = await admin(adminPorts[2], "observers");
        const body = JSON.parse(text);
        const sids = (body.observers as { sid: number }[]).map((o) => o.sid).sort();
        return body.synced_observers === 2 && sids.join() === "4,5" ? { text, body } : undefined;
      }, SLOW_MS);
      const srvr = await fourLetter(z3.client, "srvr", "127.0.0.1", 2000);
      const zxid = Number(/^Zxid: (0x[0-9a-f]+)$/m.exec(srvr)![1]);
      for (const o of zktObs.body.observers) {
        assert(/^\/127\.0\.0\.1:\d+$/.test(o.remote_socket_address), o.remote_socket_address);
        assert(
          o.established >= started && o.established <= Date.now(),
          `established ${o.established}`,
        );
        assert(o.packets_sent > 0 && o.packets_received > 0, JSON.stringify(o));
        assert(o.requests >= 2, `sid ${o.sid} forwarded its writes: ${o.requests}`);
        assert(o.last_zxid > 0 && o.last_zxid <= zxid, `last_zxid ${o.last_zxid} vs ${zxid}`);
      }

      const zLeader = await mntrLines(z3);
      const keys = zLeader.map(([k]) => k);
      const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
      assertEquals(twice, [], "mntr keys printed twice");
      const zm = new Map(zLeader);
      assertEquals(zm.get("zk_learners"), "4");
      assertEquals(zm.get("zk_synced_followers"), "2");
      assertEquals(zm.get("zk_synced_non_voting_followers"), "0");
      assertEquals(zm.get("zk_synced_observers"), "2");
      assertEquals(zm.get("zk_pending_syncs"), "0");
      const [last, min, max] = ["last", "min", "max"].map((x) =>
        Number(zm.get(`zk_${x}_proposal_size`))
      );
      assert(
        last > 0 && min > 0 && min <= last && last <= max,
        `proposal sizes ${[last, min, max]}`,
      );
      assert(Number(zm.get("zk_leader_uptime")) > 0);

      // The Java leader of the same observers.
      await e.kill(z3);
      await waitFor("sid 2 to lead", async () => (await e.mode(j2)) === "leader", SLOW_MS);
      const javaObs = await waitFor("Java's observers to list 4 and 5", async () => {
        const text = await admin(adminPorts[1], "observers");
        const body = JSON.parse(text);
        return body.synced_observers === 2 ? text : undefined;
      }, SLOW_MS);
      assertEquals(shapeDiff(shapeOf(zktObs.text), shapeOf(javaObs)), []);
      const jLeader = await mntrLines(j2);
      const jFollower = await mntrLines(j1);
      const javaLeaderKeys = leaderOnly(jLeader, jFollower);
      assert(javaLeaderKeys.includes("zk_synced_observers"), javaLeaderKeys.join());
      const missing = javaLeaderKeys.filter((k) => !zm.has(k));
      assertEquals(missing, [], "Java leader mntr keys a zkt leader lacks");
      ok = true;
    } finally {
      if (!ok) console.error(await e.logs(40));
      await e.stop();
    }
  },
});
