// zkt serve beside Apache ZooKeeper 3.8 with the same state (one kazoo session
// owning an ephemeral and holding two watches on each): the AdminServer JSON,
// `cons` and `mntr` of zkt have the keys and value types 3.8 gives; `zkt conns`
// lists the session on both, and the quorum side only where there is one.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startApacheZk } from "../../support/apache_zk.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { SKIP_INTEROP, SYSTEM_PYTHON } from "../../support/interop.ts";
import { TextLineStream } from "../../support/lines.ts";
import { freePorts } from "../../support/ports.ts";
import { zktProcess } from "../../support/cli.ts";
import { startZkt } from "../../support/zkt_server.ts";
import { type Shape, shapeDiff, shapeOf } from "./json_shape.ts";
import { metricBase, NOT_IN_ZKT } from "../../../src/server/metrics/server_metrics.ts";

const SAME_STATE = new URL("./same_state.py", import.meta.url).pathname;

/** The commands the issue names (resets last: they change what the others show). */
const COMMANDS = [
  "connections",
  "configuration",
  "dirs",
  "dump",
  "environment",
  "get_trace_mask",
  "hash",
  "initial_configuration",
  "is_read_only",
  "ruok",
  "server_stats",
  "stats",
  "watches",
  "watches_by_path",
  "watch_summary",
  "leader",
  "voting_view",
  "last_snapshot",
  "zabstate",
  "stat_reset",
  "connection_stat_reset",
];

/** Maps keyed by session ids, paths or times: compared by entry count and value shapes. */
const DATA_KEYED = new Set([
  ".expiry_time_to_session_ids",
  ".session_id_to_ephemeral_paths",
  ".session_id_to_watched_paths",
  ".path_to_session_ids",
  ".current_config",
]);

/** mntr keys every dashboard reads: both servers must have them, with the same types. */
const CORE_MNTR = [
  "version",
  "server_state",
  "znode_count",
  "watch_count",
  "ephemerals_count",
  "outstanding_requests",
  "num_alive_connections",
  "packets_received",
  "packets_sent",
  "min_latency",
  "avg_latency",
  "max_latency",
  "approximate_data_size",
  "global_sessions",
  "local_sessions",
  "uptime",
  "auth_failed_count",
  "open_file_descriptor_count",
  "max_file_descriptor_count",
  "avg_fsynctime",
  "min_fsynctime",
  "max_fsynctime",
  "cnt_fsynctime",
  "sum_fsynctime",
];

/**
 * zkt mntr keys that 3.8 prints only in other roles: last_proposal_size is a
 * leader's gauge in 3.8; zkt's server prints it (-1) in standalone too.
 */
const MNTR_ROLE_EXTRAS = new Set(["last_proposal_size"]);

async function adminText(port: number, name: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  return await r.text();
}

/** mntr lines → key → "long" | "double" | "string". */
function mntrTypes(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [k, v] = line.split("\t");
    if (!k?.startsWith("zk_") || v === undefined) continue;
    m.set(
      k.slice(3),
      /^-?\d+$/.test(v) ? "long" : /^-?\d+\.\d+(E-?\d+)?$/.test(v) ? "double" : "string",
    );
  }
  return m;
}

/** mntr keys whose values are the same on both servers after the same requests. */
const EXACT_MNTR =
  /^((cnt|sum|min|max)_.+_(read|write)_per_namespace|(cnt|sum)_node_\w+_watch_count|cnt_updatelatency|connection_request_count)$/;

/** mntr lines → key → value text. */
function mntrValues(text: string): Map<string, string> {
  return new Map(
    text.split("\n").filter((l) => l.startsWith("zk_")).map((l) => {
      const [k, v] = l.split("\t");
      return [k.slice(3), v];
    }),
  );
}

/**
 * dump's expiry_time_to_session_ids without its empty buckets. 3.8's
 * ExpiryQueue leaves the bucket a session moved out of in the map, empty, until
 * that bucket's time passes; how many there are depends on which tick
 * boundaries the session's requests and pings happened to cross, which
 * nothing in the test fixes. The buckets that hold sessions are compared.
 */
function withoutEmptyBuckets(s: Shape): Shape {
  if (typeof s === "string" || !("object" in s)) return s;
  return {
    object: s.object.map(([k, v]) =>
      k === "expiry_time_to_session_ids" && typeof v !== "string" && "object" in v
        ? [k, {
          object: v.object.filter(([, ids]) =>
            !(typeof ids !== "string" && "array" in ids && ids.array === null)
          ),
        }]
        : [k, v]
    ),
  };
}

/** The key list of each cons line that carries a session. */
function consKeys(text: string): string[][] {
  return text.split("\n").map((l) => l.match(/\((.*)\)$/)?.[1]).filter((x) => x?.includes("sid="))
    .map((inner) => inner!.split(",").map((kv) => kv.split("=")[0]));
}

Deno.test({
  name:
    "AdminServer, cons and mntr of zkt have Apache ZooKeeper 3.8's keys and types for the same state",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const [zkPort, zkAdmin, zktAdmin] = freePorts(3);
    const zk = await startApacheZk({
      clientPort: zkPort,
      cfg: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${zkAdmin}`,
      ],
      jvmProps: { "zookeeper.admin.enableServer": "true" },
    });
    let zkt: Awaited<ReturnType<typeof startZkt>> | undefined;
    let py: Deno.ChildProcess | undefined;
    try {
      zkt = await startZkt({
        cfg: [
          "admin.enableServer=true",
          "admin.serverAddress=127.0.0.1",
          `admin.serverPort=${zktAdmin}`,
        ],
      });
      py = new Deno.Command(SYSTEM_PYTHON, {
        args: [SAME_STATE, `127.0.0.1:${zkPort}`, `127.0.0.1:${zkt.port}`],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = py.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      ).getReader();
      const ids: string[] = JSON.parse((await reader.read()).value ?? "[]");
      reader.releaseLock();
      assertEquals(ids.length, 2);

      const problems: string[] = [];
      // Same requests, same numbers: the measurements that do not depend on
      // timing (bytes per namespace, watchers fired, updates) agree with 3.8.
      // Read before the resets below.
      const av = mntrValues(await fourLetter(zkPort, "mntr"));
      const bv = mntrValues(await fourLetter(zkt.port, "mntr"));
      const exact = [...av.keys()].filter((k) => EXACT_MNTR.test(k));
      assert(exact.some((k) => k.endsWith("_read_per_namespace")), [...av.keys()].join(" "));
      for (const k of exact) {
        if (bv.get(k) !== av.get(k)) {
          problems.push(`mntr: ${k} is ${bv.get(k)} in zkt, ${av.get(k)} in 3.8`);
        }
      }
      for (const name of COMMANDS) {
        const a = withoutEmptyBuckets(shapeOf(await adminText(zkAdmin, name)));
        const b = withoutEmptyBuckets(shapeOf(await adminText(zktAdmin, name)));
        for (const d of shapeDiff(a, b, DATA_KEYED)) problems.push(`${name}: ${d}`);
      }

      // monitor: every key zkt prints is one 3.8 prints, with the same JSON type,
      // and the core keys are there.
      const monitorOf = async (port: number) => {
        const s = shapeOf(await adminText(port, "monitor")) as { object: [string, Shape][] };
        return new Map(s.object);
      };
      const am = await monitorOf(zkAdmin);
      const bm = await monitorOf(zktAdmin);
      for (const [k, s] of bm) {
        if (MNTR_ROLE_EXTRAS.has(k)) continue;
        if (!am.has(k)) problems.push(`monitor: zkt has ${k}, 3.8 does not`);
        else if (am.get(k) !== s) {
          problems.push(`monitor: ${k} is ${s} in zkt, ${am.get(k)} in 3.8`);
        }
      }
      for (const k of CORE_MNTR) {
        if (!am.has(k) || !bm.has(k)) problems.push(`monitor: core key ${k} missing`);
      }
      const leftOutJson = new Set(Object.values(NOT_IN_ZKT).flat());
      const claimedJson = new Set([...bm.keys()].map(metricBase));
      for (const k of am.keys()) {
        if (k === "command" || k === "error") continue;
        const base = metricBase(k);
        if (claimedJson.has(base) ? !bm.has(k) : !leftOutJson.has(base)) {
          problems.push(`monitor: 3.8 has ${k}, zkt neither has it nor documents leaving it out`);
        }
      }

      // The 4lw forms of the same: mntr types, cons fields per session line.
      const at = mntrTypes(await fourLetter(zkPort, "mntr"));
      const bt = mntrTypes(await fourLetter(zkt.port, "mntr"));
      for (const [k, t] of bt) {
        if (MNTR_ROLE_EXTRAS.has(k)) continue;
        if (at.get(k) !== t) problems.push(`mntr: ${k} is ${t} in zkt, ${at.get(k)} in 3.8`);
      }
      for (const k of CORE_MNTR) if (!bt.has(k)) problems.push(`mntr: core key ${k} missing`);
      // Every key 3.8 prints is either one zkt prints too (same type), or one of
      // a metric zkt documents it leaves out (NOT_IN_ZKT); zkt's metrics print
      // all their keys (a summary's five, an advanced one's p50..p999, every
      // namespace of a set).
      const leftOut = new Set(Object.values(NOT_IN_ZKT).flat());
      const claimed = new Set([...bt.keys()].map(metricBase));
      for (const [k, t] of at) {
        const base = metricBase(k);
        if (claimed.has(base)) {
          if (!bt.has(k)) problems.push(`mntr: 3.8 prints ${k} (${t}), zkt does not`);
        } else if (!leftOut.has(base)) {
          problems.push(`mntr: 3.8 prints ${k}, neither printed by zkt nor documented as left out`);
        }
      }
      for (const base of leftOut) {
        if (claimed.has(base)) {
          problems.push(`mntr: ${base} is both printed and listed as left out`);
        }
      }
      const ac = consKeys(await fourLetter(zkPort, "cons"));
      const bc = consKeys(await fourLetter(zkt.port, "cons"));
      assertEquals(bc.length, 1);
      if (JSON.stringify(ac) !== JSON.stringify(bc)) {
        problems.push(`cons: ${JSON.stringify(ac)} vs ${JSON.stringify(bc)}`);
      }
      assertEquals(problems, []);

      // Unknown commands: the same error body (zkt answers 404, 3.8.0 200).
      const unknown = await fetch(`http://127.0.0.1:${zktAdmin}/commands/nope`);
      assertEquals(unknown.status, 404);
      assertEquals(await unknown.text(), await adminText(zkAdmin, "nope"));
    } finally {
      if (py) {
        await py.stdin.close().catch(() => {});
        await py.status;
      }
      await zkt?.stop();
      await zk.stop();
    }
  },
});

Deno.test({
  name:
    "zkt conns lists the test's sessions on Apache ZooKeeper (--admin too) and on zkt, quorum side only on zkt",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const [zkPort, zkAdmin, zktAdmin] = freePorts(3);
    const zk = await startApacheZk({
      clientPort: zkPort,
      cfg: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${zkAdmin}`,
      ],
      jvmProps: { "zookeeper.admin.enableServer": "true" },
    });
    let zkt: Awaited<ReturnType<typeof startZkt>> | undefined;
    let py: Deno.ChildProcess | undefined;
    try {
      zkt = await startZkt({
        cfg: [
          "admin.enableServer=true",
          "admin.serverAddress=127.0.0.1",
          `admin.serverPort=${zktAdmin}`,
        ],
      });
      py = new Deno.Command(SYSTEM_PYTHON, {
        args: [SAME_STATE, `127.0.0.1:${zkPort}`, `127.0.0.1:${zkt.port}`],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = py.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      ).getReader();
      const [zkId, zktId]: string[] = JSON.parse((await reader.read()).value ?? "[]");
      reader.releaseLock();
      const sessions = (out: string) =>
        JSON.parse(out).connections.map((c: { sessionId?: string }) => c.sessionId)
          .filter((x: string | undefined) => x !== undefined);

      // Apache ZooKeeper by its client port: cons only, no quorum section.
      const a = await zktProcess(["conns", `127.0.0.1:${zkPort}`, "--json"]);
      assertEquals(a.code, 0, a.err);
      assertEquals(sessions(a.out), [zkId]);
      assertEquals(JSON.parse(a.out).quorum, null);

      // Apache ZooKeeper's AdminServer: connections from JSON, the quorum side is not there.
      const b = await zktProcess(["conns", "--admin", `http://127.0.0.1:${zkAdmin}`, "--json"]);
      assertEquals(b.code, 0, b.err);
      assertEquals(sessions(b.out), [zkId]);
      assert(/not a zkt peer/.test(JSON.parse(b.out).note), b.out);

      // zkt by its client port: the AdminServer is found from conf; standalone has no quorum links.
      const c = await zktProcess(["conns", `127.0.0.1:${zkt.port}`, "--json"]);
      assertEquals(c.code, 0, c.err);
      const doc = JSON.parse(c.out);
      assertEquals(sessions(c.out), [zktId]);
      assertEquals(doc.admin, `http://127.0.0.1:${zktAdmin}`);
      assertEquals([doc.quorum.myId, doc.quorum.election, doc.quorum.learners], [null, [], []]);
      const t = await zktProcess(["conns", `127.0.0.1:${zkt.port}`]);
      assertEquals(t.code, 0, t.err);
      assert(t.out.includes(zktId) && t.out.includes("quorum: none (standalone server)"), t.out);
    } finally {
      if (py) {
        await py.stdin.close().catch(() => {});
        await py.status;
      }
      await zkt?.stop();
      await zk.stop();
    }
  },
});
