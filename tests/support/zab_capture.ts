// Records real Zab traffic between Apache ZooKeeper 3.8 peers (zab-3.8.md §14
// scenario 25): a 3-peer ensemble on loopback where follower 1's server.3 line
// points the leader's quorum port at a recording proxy. Three connections of
// follower 1 are captured:
//   1. fresh start: FOLLOWERINFO .. empty DIFF .. NEWLEADER/ACK/UPTODATE, then a
//      session moved onto follower 1 (REVALIDATE), writes through it (REQUEST
//      with authinfo, PROPOSAL/ACK/COMMIT, SYNC, an error txn), writes on the
//      leader, PINGs both ways with a touch table;
//   2. after a kill -9 and writes on the leader: DIFF with PROPOSAL/COMMIT pairs;
//   3. after a kill -9 and a wiped data dir: SNAP + snapshot body + BenWasHere;
// plus observer 4's whole connection (its server.3 line points at a second
// proxy): OBSERVERINFO, INFORM for every write, a REQUEST it forwards.
// and a TRUNC: its followers' links cut, leader 3 logs a txn it cannot commit and
// is killed, 1 and 2 elect 2, and 3 rejoins through a third proxy to sid 2.
// Sid 3 leads first: with empty data dirs the greatest voting sid wins.
import type { ApacheZk } from "./apache_zk.ts";
import { fourLetter, modeOf } from "./four_letter.ts";
import { SYSTEM_PYTHON } from "./interop.ts";
import { TextLineStream } from "./lines.ts";
import { joined, type RecordedConn, startRecordingProxy } from "./recording_proxy.ts";
import { waitFor } from "./wait.ts";
import { parseStream } from "./zab_golden.ts";
import { type Member, planEnsemble, startZkMember } from "../interop/election_ensemble.ts";
import { PacketType } from "../../src/zab/packet_types.ts";
import { readTxnLog } from "../../src/persistence/txnlog.ts";

/** One captured connection: learner→leader and leader→learner bytes. */
export interface CapturedConn {
  /** What the connection shows. */
  label: "fresh-diff" | "diff-history" | "snap" | "observer" | "trunc";
  learner: Uint8Array;
  leader: Uint8Array;
}

/** A finished capture. */
export interface ZabCapture {
  conns: CapturedConn[];
  /** Facts of the run the bytes should show. */
  facts: {
    learnerSid: number;
    leaderSid: number;
    observerSid: number;
    /** The TRUNC connection: old leader 3 rejoining new leader 2. */
    truncLearnerSid: number;
    truncLeaderSid: number;
    /** The session moved onto follower 1 (REVALIDATE), as 0x hex. */
    movedSession: string;
    /** Creates on the leader before connection 2. */
    leaderWritesBeforeDiff: number;
  };
}

/** Runs the ensemble and returns the three captured connections. */
export async function captureZab(log: (msg: string) => void = () => {}): Promise<ZabCapture> {
  const plan = planEnsemble([1, 2, 3, 4]);
  const [m1, m2, m3, m4] = plan.members;
  const serverLines = plan.serverLines.map((l) => l.startsWith("server.4=") ? `${l}:observer` : l);
  const proxy = startRecordingProxy(m3.quorum);
  const observerProxy = startRecordingProxy(m3.quorum);
  // Follower 2's link to leader 3, only to be able to cut it (TRUNC below).
  const sideProxy = startRecordingProxy(m3.quorum);
  const proxies = [proxy, observerProxy, sideProxy];
  const via = (port: number) =>
    serverLines.map((l) =>
      l.startsWith("server.3=") ? `server.3=127.0.0.1:${port}:${m3.election}` : l
    );
  const proxiedLines = via(proxy.port);
  const peers: ApacheZk[] = [];
  let clients: Deno.ChildProcess | null = null;
  let peer1: ApacheZk | null = null;
  const dir1 = await Deno.makeTempDir({ prefix: "zkt-zab-capture-1-" });
  try {
    // Sids 3 and 1 alone: a quorum whose only possible leader is 3, and sid 1
    // is in its first sync (a learner joining after the epoch started gets a
    // SNAP: the leader's zxid is then makeZxid(e,0), past the learner's 0).
    peers.push(await startZkMember(m3, serverLines));
    peer1 = await startZkMember(m1, proxiedLines, { dir: dir1 });
    await waitForModes([[m3, "leader"], [m1, "follower"]], [...peers, peer1]);
    peers.push(await startZkMember(m2, via(sideProxy.port)));
    const observerPeer = await startZkMember(m4, via(observerProxy.port), {
      cfg: ["peerType=observer"],
    });
    peers.push(observerPeer);
    await waitForModes([[m2, "follower"], [m4, "observer"]], [...peers, peer1]);
    log("ensemble up: sid 3 leads, sid 1 follows and sid 4 observes through proxies");
    await waitForConn(proxy.conns, 1, "UPTODATE");
    await waitForConn(observerProxy.conns, 1, "UPTODATE");

    clients = new Deno.Command(SYSTEM_PYTHON, {
      args: [
        new URL("./zab_clients.py", import.meta.url).pathname,
        `127.0.0.1:${m3.client}`,
        `127.0.0.1:${m1.client}`,
        `127.0.0.1:${m2.client}`,
        `127.0.0.1:${m4.client}`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env: { PYTHONDONTWRITEBYTECODE: "1" },
    }).spawn();
    const say = commander(clients);
    const moved = await say("revalidate") as { session: string };
    await say("follower-writes");
    await say("observer-writes");
    await say("leader-writes 2");
    // PINGs both ways, with the moved session in a learner's touch table.
    await waitFor(
      "a PING reply with a touch table on connection 1",
      async () => {
        const up = await parseStream(joined(proxy.conns[0].up), "learner", false);
        return up.packets.some((p) =>
          p.packet.type === PacketType.PING && (p.packet.data?.length ?? 0) > 0
        );
      },
      30_000,
      200,
    );
    log("connection 1 captured");

    await peer1.stop("SIGKILL");
    await waitFor("connection 1 to close", () => proxy.conns[0].done, 30_000, 50);
    await say("leader-writes 3");
    peer1 = await startZkMember(m1, proxiedLines, { dir: dir1 });
    await waitForModes([[m1, "follower"]], [peer1]);
    await waitForConn(proxy.conns, 2, "UPTODATE");
    log("connection 2 (DIFF with history) captured");

    await peer1.stop("SIGKILL");
    await waitFor("connection 2 to close", () => proxy.conns[1].done, 30_000, 50);
    await Deno.remove(`${dir1}/data/version-2`, { recursive: true });
    peer1 = await startZkMember(m1, proxiedLines, { dir: dir1 });
    await waitForModes([[m1, "follower"]], [peer1]);
    await waitForConn(proxy.conns, 3, "UPTODATE");
    log("connection 3 (SNAP) captured");

    // TRUNC: the links to followers 1 and 2 cut, the leader logs a txn it
    // cannot commit and dies; 1 and 2 elect 2; sid 3 comes back through a proxy
    // to sid 2 with that txn in its log, past the new leader's last committed zxid.
    // An empty touch table too (0 bytes, not null): a ping with no client activity between.
    await waitFor(
      "an empty PING reply from the observer",
      async () => {
        const up = await parseStream(joined(observerProxy.conns[0].up), "observer", false);
        return up.packets.some((p) =>
          p.packet.type === PacketType.PING && p.packet.data?.length === 0
        );
      },
      30_000,
      200,
    );
    const truncProxy = startRecordingProxy(m2.quorum);
    proxies.push(truncProxy);
    const oldLeader = peers[0];
    proxy.muteTarget = true;
    sideProxy.muteTarget = true;
    await say("leader-write-async");
    await waitFor("the leader to log /lost", () => logHas(`${oldLeader.dir}/data`, "/lost"));
    await oldLeader.stop("SIGKILL");
    await waitForModes([[m2, "leader"], [m1, "follower"]], [...peers, peer1]);
    const via2 = serverLines.map((l) =>
      l.startsWith("server.2=") ? `server.2=127.0.0.1:${truncProxy.port}:${m2.election}` : l
    );
    peers.push(await startZkMember(m3, via2, { dir: oldLeader.dir }));
    await waitForModes([[m3, "follower"]], peers);
    await waitForConn(truncProxy.conns, 1, "UPTODATE");
    log("connection 4 (TRUNC) captured");

    await say("exit");
    await clients.status;
    clients = null;
    // The old leader is gone: connection 3 and the observer's have ended.
    await waitFor("connection 3 to close", () => proxy.conns[2].done, 30_000, 50);
    await waitFor("the observer's connection to close", () => observerProxy.conns[0].done);
    await peers.at(-1)!.stop("SIGKILL");
    await waitFor("the TRUNC connection to close", () => truncProxy.conns[0].done);
    const labels = ["fresh-diff", "diff-history", "snap", "observer", "trunc"] as const;
    const recorded = [...proxy.conns.slice(0, 3), observerProxy.conns[0], truncProxy.conns[0]];
    return {
      conns: recorded.map((c, i) => ({
        label: labels[i],
        learner: joined(c.up),
        leader: joined(c.down),
      })),
      facts: {
        learnerSid: 1,
        leaderSid: 3,
        observerSid: 4,
        movedSession: moved.session,
        leaderWritesBeforeDiff: 3,
        truncLearnerSid: 3,
        truncLeaderSid: 2,
      },
    };
  } finally {
    if (clients) {
      try {
        clients.kill("SIGKILL");
      } catch { /* exited */ }
      await clients.status;
    }
    for (const p of [peer1, ...peers]) await p?.stop("SIGKILL");
    for (const p of proxies) await p.close();
    for (const p of [dir1, ...peers.map((p) => p.dir)]) {
      await Deno.remove(p, { recursive: true }).catch(() => {});
    }
  }
}

/** Sends one command line to zab_clients.py and returns its JSON reply. */
function commander(child: Deno.ChildProcess): (cmd: string) => Promise<unknown> {
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream())
    .getReader();
  return async (cmd: string) => {
    await writer.write(new TextEncoder().encode(cmd + "\n"));
    if (cmd === "exit") {
      await writer.close();
      return null;
    }
    const r = await lines.read();
    if (r.done) throw new Error(`zab_clients.py exited during "${cmd}"`);
    return JSON.parse(r.value);
  };
}

async function waitForModes(want: [Member, string][], peers: ApacheZk[]): Promise<void> {
  let seen = "";
  try {
    await waitFor(
      `modes ${want.map(([m, mode]) => `${m.sid}=${mode}`).join(" ")}`,
      async () => {
        const modes = await Promise.all(want.map(async ([m]) => {
          const srvr = await fourLetter(m.client, "srvr", "127.0.0.1", 2000).catch(() => "");
          return modeOf(srvr);
        }));
        seen = want.map(([m], i) => `${m.sid}=${modes[i] ?? "down"}`).join(" ");
        return want.every(([, mode], i) => modes[i] === mode);
      },
      90_000,
      200,
    );
  } catch (e) {
    const logs = peers.map((p) => `--- ${p.dir} ---\n${p.log().slice(-2500)}`).join("\n");
    throw new Error(`${(e as Error).message} (last seen: ${seen})\n${logs}`);
  }
}

/** Waits until connection n exists and its leader->learner side holds a packet of a type. */
async function waitForConn(conns: RecordedConn[], n: number, type: keyof typeof PacketType) {
  await waitFor(
    `connection ${n} to carry ${type}`,
    async () => {
      const c = conns[n - 1];
      if (!c) return false;
      const down = await parseStream(joined(c.down), "leader", false);
      return down.packets.some((p) => p.packet.type === PacketType[type]);
    },
    60_000,
    100,
  );
}

/** Whether a data dir's txn logs hold a create of `path`. */
async function logHas(dataDir: string, path: string): Promise<boolean> {
  const dir = `${dataDir}/version-2`;
  for await (const f of Deno.readDir(dir)) {
    if (!f.name.startsWith("log.")) continue;
    for await (const e of readTxnLog(`${dir}/${f.name}`)) {
      if (e.kind === "txn" && e.txn.type === 1 && e.txn.record.path === path) return true;
    }
  }
  return false;
}
