// The standalone chain's own cost, with no socket and no log: setData or
// create requests prepared over the overlay and run through prep → sync (a
// sink that writes nothing) → commit → final, in batches of --batch, against
// `--mode bare`: the same requests prepared against the tree and applied at
// once with the digest read after each (apply-at-prep, the least a write
// costs). The difference is what the pipeline adds per write. Prints CPU
// µs/op (median of --rounds); --cpu-prof FILE writes a V8 profile. A measurement, not a limit:
//   deno run -A bench/chain_cpu.ts --op setData --mode chain
import process from "node:process";
import { parseArgs } from "node:util";
import { applyTxn } from "../src/data/apply.ts";
import { DataTree } from "../src/data/tree.ts";
import { standaloneChain } from "../src/server/pipeline/standalone.ts";
import {
  prepareWrite,
  type PrepContext,
  type TreeView,
  type WriteRequest,
} from "../src/server/prep.ts";
import { startProfiler } from "./profile.ts";
import { payload } from "./workloads.ts";

const { values } = parseArgs({
  options: {
    op: { type: "string", default: "setData" },
    mode: { type: "string", default: "chain" },
    ops: { type: "string", default: "100000" },
    batch: { type: "string", default: "8" },
    rounds: { type: "string", default: "5" },
    /** Writes a V8 CPU profile of the measured rounds (a .cpuprofile) here. */
    "cpu-prof": { type: "string" },
  },
});
const nOps = Number(values.ops), batch = Number(values.batch);
const data = payload(100);
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const ctx: PrepContext = {
  sessionId: 1n,
  authInfo: [{ scheme: "ip", id: "127.0.0.1" }],
  sessionState: 0,
  extendedTypes: false,
};

const enc = new TextEncoder(), dec = new TextDecoder();
/** A path as the server decodes one off the wire (a flat string, not a template's cons string). */
const wire = (path: string) => dec.decode(enc.encode(path));
const setPaths = Array.from({ length: 8 }, (_, k) => enc.encode(`/b/c${k}`));

function request(i: number, round: number): WriteRequest {
  return values.op === "create"
    ? { type: 1, path: wire(`/b/c${i % 8}/r${round}n${i}`), data, acl: OPEN, flags: 0 }
    : { type: 5, path: dec.decode(setPaths[i % 8]), data, version: -1 };
}

function freshTree(): DataTree {
  const tree = new DataTree();
  let z = 0n;
  const mk = (path: string) =>
    applyTxn(tree, { clientId: 1n, cxid: 0, zxid: ++z, time: 1, type: 1 }, {
      type: 1,
      record: { path, data, acl: OPEN, ephemeral: false, parentCVersion: -1 },
    });
  mk("/b");
  for (let k = 0; k < 8; k++) mk(`/b/c${k}`);
  return tree;
}

/** The chain: prep over the overlay, group commit, commit, final. */
async function chainRound(round: number): Promise<number> {
  const tree = freshTree();
  let zxid = tree.lastProcessedZxid;
  const chain = standaloneChain({
    tree,
    ephemerals: () => [],
    sink: { commit: () => Promise.resolve() },
    nextZxid: () => ++zxid,
    now: () => 1_000_000,
    fire: () => {},
    after: () => {},
    mismatch: () => {
      throw new Error("digest mismatch");
    },
    fatal: (e) => {
      throw e;
    },
  });
  let answered = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < nOps; i += batch) {
    for (let k = i; k < i + batch && k < nOps; k++) {
      const t = prepareWrite(chain.overlay, request(k, round), ctx);
      const ct = chain.prep.submit(ctx.sessionId, k, t);
      chain.final.awaitCommit(ctx.sessionId, ct.header.zxid, () => answered++);
    }
    await chain.sync.drain();
  }
  const c1 = process.cpuUsage(c0);
  if (answered !== nOps) throw new Error(`answered ${answered} of ${nOps}`);
  return (c1.user + c1.system) / nOps;
}

/** Apply-at-prep: prepare against the tree, apply at once, read the digest for the log. */
async function bareRound(round: number): Promise<number> {
  const tree = freshTree();
  let zxid = tree.lastProcessedZxid;
  const view: TreeView = {
    node(path) {
      const n = tree.get(path);
      if (!n) return undefined;
      const s = n.stat;
      return {
        version: s.version,
        cversion: s.cversion,
        aversion: s.aversion,
        ephemeralOwner: s.ephemeralOwner,
        acl: tree.aclOf(n),
        numChildren: n.numChildren,
      };
    },
    ephemerals: () => [],
  };
  const logged: unknown[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < nOps; i += batch) {
    for (let k = i; k < i + batch && k < nOps; k++) {
      const t = prepareWrite(view, request(k, round), ctx);
      const header = {
        clientId: ctx.sessionId,
        cxid: k,
        zxid: ++zxid,
        time: 1_000_000,
        type: t.type,
      };
      applyTxn(tree, header, t);
      logged.push({ header, txn: t, digest: tree.digest });
    }
    await Promise.resolve();
    logged.length = 0;
  }
  const c1 = process.cpuUsage(c0);
  return (c1.user + c1.system) / nOps;
}

const run = values.mode === "bare" ? bareRound : chainRound;
await run(-1); // warm-up (JIT)
const profiler = values["cpu-prof"] ? await startProfiler() : null;
const us: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) us.push(await run(r));
if (profiler) await Deno.writeTextFile(values["cpu-prof"]!, JSON.stringify(await profiler()));
us.sort((a, b) => a - b);
console.log(
  `${values.op} ${values.mode}: ${us[us.length >> 1].toFixed(2)} µs CPU/op ` +
    `(median of ${us.length}, ${us.map((u) => u.toFixed(2)).join(" ")})`,
);
