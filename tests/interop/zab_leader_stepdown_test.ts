// A zkt leader gives up its leadership on Zab's rules (zab-3.8.md §5 steps 4
// and 12, §10; §14 scenarios 12 and 23): with both Java followers killed it
// steps down at its next tick (their sockets are gone, as a 3.8 handler that
// is no longer alive), with 3.8's "Not sufficient followers synced" reason;
// with both frozen (SIGSTOP, sockets open) once they are past their syncLimit
// deadline; with the only reachable voter unable
// to reach its quorum port and a silent TCP client on that port, it gives up
// after initLimit ticks with "Timeout while waiting for epoch from quorum",
// and the silent connection is closed by its read deadline.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { startJavaMember } from "../support/zab_learner_check.ts";
import { startZktLeader } from "../support/zab_leader_peer.ts";
import { modeOfPeer, planEnsemble } from "./election_ensemble.ts";

type Proc = { stop(): Promise<void>; log(): string; dir: string };

async function cleanup(procs: Proc[], ok: boolean): Promise<void> {
  for (const p of procs.reverse()) await p.stop();
  if (!ok || Deno.env.get("ZAB_TEST_LOGS") === "1") {
    for (const p of procs) console.error(`--- ${p.dir} ---\n${p.log().slice(-4000)}`);
  }
  for (const d of new Set(procs.map((p) => p.dir))) {
    await Deno.remove(d, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name:
    "zab leader: a zkt leader whose Java followers are both killed steps down with 3.8's 'Not sufficient followers synced' reason",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const procs: Proc[] = [];
    let ok = false;
    try {
      const zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
      });
      procs.push(zkt);
      const j1 = await startJavaMember(m1, plan.serverLines);
      const j2 = await startJavaMember(m2, plan.serverLines);
      procs.push(j1, j2);
      await zkt.waitEvent(
        "zkt to establish its epoch",
        (e) => e.event === "established",
        0,
        90_000,
      );
      for (const m of [m1, m2]) {
        await waitFor(
          `sid ${m.sid} to follow`,
          async () => (await modeOfPeer(m.client)) === "follower",
          90_000,
        );
      }
      const id = await zkt.write("/a", 10);
      await zkt.waitEvent("the writes to commit", (e) => e.event === "committed" && e.id === id);
      const from = zkt.events.length;
      const killedAt = performance.now();
      await j1.stop("SIGKILL");
      await j2.stop("SIGKILL");
      const done = await zkt.waitEvent("zkt to step down", (e) => e.event === "done", from, 60_000);
      console.log(`stepped down ${Math.round(performance.now() - killedAt)} ms after the kills`);
      assertEquals(done.reason, "Not sufficient followers synced, only synced with sids: [ [3] ]");
      assertEquals(done.established, true);
      await zkt.waitEvent("zkt to settle", (e) => e.event === "settled", from);
      ok = true;
    } finally {
      await cleanup(procs, ok);
    }
  },
});

Deno.test({
  name:
    "zab leader: a zkt leader whose Java followers are frozen (SIGSTOP) steps down once they are past their syncLimit deadline",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2, m3] = plan.members;
    const procs: Proc[] = [];
    let ok = false;
    try {
      // tickTime 500, syncLimit 4: a frozen learner misses its deadline after 2 s.
      const zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
        limits: [500, 20, 4],
      });
      procs.push(zkt);
      const j1 = await startJavaMember(m1, plan.serverLines);
      const j2 = await startJavaMember(m2, plan.serverLines);
      procs.push(j1, j2);
      await zkt.waitEvent(
        "zkt to establish its epoch",
        (e) => e.event === "established",
        0,
        90_000,
      );
      for (const m of [m1, m2]) {
        await waitFor(
          `sid ${m.sid} to follow`,
          async () => (await modeOfPeer(m.client)) === "follower",
          90_000,
        );
      }
      const from = zkt.events.length;
      const frozenAt = performance.now();
      j1.child.kill("SIGSTOP");
      j2.child.kill("SIGSTOP");
      const done = await zkt.waitEvent("zkt to step down", (e) => e.event === "done", from, 60_000);
      console.log(`stepped down ${Math.round(performance.now() - frozenAt)} ms after the freeze`);
      assertEquals(done.reason, "Not sufficient followers synced, only synced with sids: [ [3] ]");
      ok = true;
    } finally {
      await cleanup(procs, ok);
    }
  },
});

Deno.test({
  name:
    "zab leader: with no learner registering and a silent TCP client on the quorum port, a zkt leader gives up after initLimit ticks and closes the silent connection",
  ignore: SKIP_INTEROP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, , m3] = plan.members;
    const procs: Proc[] = [];
    let ok = false;
    let silent: Deno.Conn | null = null;
    try {
      // tickTime 500, initLimit 4: the epoch wait is bounded by 2 s.
      const zkt = await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
        limits: [500, 4, 2],
      });
      procs.push(zkt);
      // Sid 1 votes for zkt but knows a dead quorum port for it: it never registers.
      const dead = freePort();
      const lines = plan.serverLines.map((l) =>
        l.startsWith("server.3=") ? `server.3=127.0.0.1:${dead}:${m3.election}` : l
      );
      procs.push(await startJavaMember(m1, lines));
      const role = await zkt.waitEvent("zkt to lead", (e) => e.event === "role", 0, 90_000);
      const from = zkt.events.indexOf(role);
      const port = (role.ports as number[])[0];
      silent = await waitFor(
        "a connection to the quorum port",
        async () => {
          try {
            return await Deno.connect({ hostname: "127.0.0.1", port });
          } catch {
            return undefined;
          }
        },
        10_000,
        20,
      );
      const done = await zkt.waitEvent("zkt to give up", (e) => e.event === "done", from, 60_000);
      assertEquals(done.reason, "Timeout while waiting for epoch from quorum");
      assertEquals(done.established, false);
      // The silent client's socket was closed by the leader: a read sees EOF (or a reset).
      const buf = new Uint8Array(16);
      const n = await silent.read(buf).catch(() => null);
      assertEquals(n, null, "the leader closed the silent connection");
      assert(
        /Closing quorum connection to 127\.0\.0\.1:\d+/.test(zkt.log()),
        "one log line names it",
      );
      ok = true;
    } finally {
      try {
        silent?.close();
      } catch { /* closed */ }
      await cleanup(procs, ok);
    }
  },
});
