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
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { startJavaMember } from "../support/zab_learner_check.ts";
import { startZktLeader } from "../support/zab_leader_peer.ts";
import {
  startZktLeaderOfJava,
  waitLeadsFollowers,
  zabInteropTest,
} from "../support/zab_interop.ts";
import { planEnsemble } from "./election_ensemble.ts";

zabInteropTest(
  "zab leader: a zkt leader whose Java followers are both killed steps down with 3.8's 'Not sufficient followers synced' reason",
  4000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2] = plan.members;
    const { zkt, j1, j2 } = await startZktLeaderOfJava(plan, procs);
    await waitLeadsFollowers(zkt, [m1, m2]);
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
  },
);

zabInteropTest(
  "zab leader: a zkt leader whose Java followers are frozen (SIGSTOP) steps down once they are past their syncLimit deadline",
  4000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, m2] = plan.members;
    // tickTime 500, syncLimit 4: a frozen learner misses its deadline after 2 s.
    const { zkt, j1, j2 } = await startZktLeaderOfJava(plan, procs, [500, 20, 4]);
    await waitLeadsFollowers(zkt, [m1, m2]);
    const from = zkt.events.length;
    const frozenAt = performance.now();
    j1.child.kill("SIGSTOP");
    j2.child.kill("SIGSTOP");
    const done = await zkt.waitEvent("zkt to step down", (e) => e.event === "done", from, 60_000);
    console.log(`stepped down ${Math.round(performance.now() - frozenAt)} ms after the freeze`);
    assertEquals(done.reason, "Not sufficient followers synced, only synced with sids: [ [3] ]");
  },
);

zabInteropTest(
  "zab leader: with no learner registering and a silent TCP client on the quorum port, a zkt leader gives up after initLimit ticks and closes the silent connection",
  4000,
  async (procs) => {
    const plan = planEnsemble([1, 2, 3]);
    const [m1, , m3] = plan.members;
    let silent: Deno.Conn | null = null;
    procs.atEnd(() => {
      try {
        silent?.close();
      } catch { /* closed */ }
    });
    // tickTime 500, initLimit 4: the epoch wait is bounded by 2 s.
    const zkt = procs.add(
      await startZktLeader({
        sid: 3,
        clientPort: m3.client,
        serverLines: plan.serverLines,
        limits: [500, 4, 2],
      }),
    );
    // Sid 1 votes for zkt but knows a dead quorum port for it: it never registers.
    const dead = freePort();
    const lines = plan.serverLines.map((l) =>
      l.startsWith("server.3=") ? `server.3=127.0.0.1:${dead}:${m3.election}` : l
    );
    procs.add(await startJavaMember(m1, lines));
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
  },
);
