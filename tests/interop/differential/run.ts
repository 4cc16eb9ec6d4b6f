// Runs one seeded op sequence against Apache ZooKeeper 3.8 and zkt in lock
// step (one request in flight at a time, across all sessions, so the order is
// the same on both) and stops at the first divergence with a report.
import { fourLetter } from "../../support/four_letter.ts";
import { startApacheZk } from "../../support/apache_zk.ts";
import { freePort } from "../../support/ports.ts";
import { startZkt } from "../../support/zkt_server.ts";
import { aclTable, digestId, Driver } from "./driver.ts";
import { describeOp, generate, type Op } from "./gen.ts";

/** Events are compared after a round trip on every session, every this many ops. */
export const CHECKPOINT_EVERY = 25;

/** Thrown at the first difference between the servers. */
export class Divergence extends Error {}

// Settings both servers get: same tickTime, TTL nodes on, every 4lw, no fsync
// (durability is not under test here), container reaping out of the picture.
async function sharedCfg(): Promise<string[]> {
  return [
    "tickTime=2000",
    "extendedTypesEnabled=true",
    "forceSync=no",
    "4lw.commands.whitelist=*",
    `DigestAuthenticationProvider.superDigest=${await digestId("super:secret")}`,
  ];
}

function report(
  seed: number,
  ops: Op[],
  i: number,
  what: string,
  zk: string,
  zkt: string,
  after = 0,
): string {
  const from = Math.max(0, i - 8);
  const lines = ops.slice(from, i + 1 + after).map((o, j) => `    #${from + j} ${describeOp(o)}`);
  const recent = lines.join("\n");
  return [
    `differential divergence (replay: ZKT_DIFF_SEED=${seed} ZKT_DIFF_OPS=${ops.length})`,
    `  at op #${i}: ${i < ops.length ? describeOp(ops[i]) : "(end of sequence)"}`,
    `  ${what}`,
    `  zookeeper: ${zk}`,
    `  zkt:       ${zkt}`,
    `  ops around it:\n${recent}`,
  ].join("\n");
}

/** Compares event logs session by session; returns a report of the first difference or null. */
function diffEvents(seed: number, ops: Op[], a: Driver, b: Driver): string | null {
  const bySession = (d: Driver) => {
    const m = new Map<string, { line: string; op: number }[]>();
    for (const e of d.eventLines()) {
      const label = e.line.slice(0, e.line.indexOf(" "));
      m.set(label, [...(m.get(label) ?? []), e]);
    }
    return m;
  };
  const ma = bySession(a);
  const mb = bySession(b);
  const labels = [...new Set([...ma.keys(), ...mb.keys()])].sort((x, y) => x.localeCompare(y));
  let first: { at: number; text: string } | null = null;
  for (const l of labels) {
    const sa = ma.get(l) ?? [];
    const sb = mb.get(l) ?? [];
    for (let k = 0; k < Math.max(sa.length, sb.length); k++) {
      if (sa[k]?.line === sb[k]?.line) continue;
      const at = Math.max(Math.min(sa[k]?.op ?? Infinity, sb[k]?.op ?? Infinity), 0);
      if (!first || at < first.at) {
        first = {
          at,
          text: report(
            seed,
            ops,
            at,
            `watch event #${k} of session ${l} differs (tagged by the op whose reply preceded it)`,
            sa[k]?.line ?? "(no event)",
            sb[k]?.line ?? "(no event)",
            CHECKPOINT_EVERY,
          ),
        };
      }
      break;
    }
  }
  return first?.text ?? null;
}

/** Result of one run. */
export interface RunResult {
  ops: number;
  events: number;
  znodes: number;
}

/** Runs `count` ops of `seed` on fresh servers; throws Divergence with a report on the first difference. */
export async function runDifferential(seed: number, count: number): Promise<RunResult> {
  const ops = generate(seed, count);
  const cfg = await sharedCfg();
  const acls = await aclTable();
  const zk = await startApacheZk({
    clientPort: freePort(),
    cfg,
    jvmProps: {
      "zookeeper.extendedTypesEnabled": "true",
      "znode.container.checkIntervalMs": "3600000",
    },
  });
  let zkt;
  try {
    zkt = await startZkt({ cfg: [...cfg, "znode.container.checkIntervalMs=3600000"] });
  } catch (e) {
    await zk.stop();
    throw e;
  }
  const a = new Driver("zookeeper", zk.clientPort, acls);
  const b = new Driver("zkt", zkt.port, acls);
  // ZKT_DIFF_TRACE=file: every op and ZooKeeper's reply, plus both event logs, for debugging.
  const traceFile = Deno.env.get("ZKT_DIFF_TRACE");
  const trace: string[] | undefined = traceFile ? [] : undefined;
  try {
    const oa = await a.openAll();
    const ob = await b.openAll();
    for (let k = 0; k < oa.length; k++) {
      if (oa[k] !== ob[k]) {
        throw new Divergence(report(seed, ops, 0, "opening sessions", oa[k], ob[k]));
      }
    }
    for (let i = 0; i < ops.length; i++) {
      const ra = await a.exec(ops[i], i);
      const rb = await b.exec(ops[i], i);
      trace?.push(`#${i} ${describeOp(ops[i])} => ${ra}`);
      if (ra !== rb) throw new Divergence(report(seed, ops, i, "replies differ", ra, rb));
      if ((i + 1) % CHECKPOINT_EVERY === 0 || i === ops.length - 1) {
        await a.settle(i);
        await b.settle(i);
        const d = diffEvents(seed, ops, a, b);
        if (d) throw new Divergence(d);
      }
    }
    const wa = await a.fourLetterWords();
    const wb = await b.fourLetterWords();
    for (let k = 0; k < Math.max(wa.length, wb.length); k++) {
      if (wa[k] !== wb[k]) {
        throw new Divergence(
          report(
            seed,
            ops,
            ops.length,
            "four-letter words differ",
            wa[k] ?? "(none)",
            wb[k] ?? "(none)",
          ),
        );
      }
    }
    const ta = await a.dumpTree();
    const tb = await b.dumpTree();
    for (let k = 0; k < Math.max(ta.length, tb.length); k++) {
      if (ta[k] !== tb[k]) {
        throw new Divergence(
          report(seed, ops, ops.length, "final trees differ", ta[k] ?? "(none)", tb[k] ?? "(none)"),
        );
      }
    }
    return { ops: ops.length, events: a.eventLines().length, znodes: ta.length };
  } finally {
    if (traceFile && trace) {
      const ev = (d: Driver) => d.eventLines().map((e) => `${d.name} op#${e.op} ${e.line}`);
      const w = [
        `--- zookeeper wchc\n${await fourLetter(a.port, "wchc").catch(String)}`,
        `--- zkt wchc\n${await fourLetter(b.port, "wchc").catch(String)}`,
      ];
      await Deno.writeTextFile(traceFile, [...trace, ...ev(a), ...ev(b), ...w].join("\n") + "\n");
    }
    await a.closeAll().catch(() => {});
    await b.closeAll().catch(() => {});
    await zk.stop();
    await zkt.stop("SIGKILL");
    await Deno.remove(zk.dir, { recursive: true }).catch(() => {});
    await Deno.remove(zkt.dir, { recursive: true }).catch(() => {});
  }
}
