// `scripts/bench snap-tools`: zkt's snapshot tools against Apache ZooKeeper's
// SnapshotFormatter on one large snapshot that ZooKeeper itself wrote. zkt builds
// a data dir of N znodes, ZooKeeper loads it and writes its own snapshot at
// startup (ZooKeeperServer.loadData takes one), then each tool reads that file
// under /usr/bin/time for wall-clock seconds and peak RSS.
import { freePort } from "../tests/support/ports.ts";
import { parseArgs } from "node:util";
import { DataTree } from "../src/data/tree.ts";
import { writeSnapshot } from "../src/persistence/snapshot.ts";
import { killAll, type LaunchOptions, startServer, stopServer } from "./servers.ts";
import { renderTable } from "../src/cli/table.ts";

const ZK_CLASSPATH = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
const OPEN_ACL = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

const USAGE = `usage: scripts/bench snap-tools [--nodes N] [--json] [--bundle] [--keep]
  --nodes N  znodes in the snapshot (default 1000000)
  --json     one JSON document instead of the table
  --bundle   run zkt from dist/zkt.js
  --keep     keep the temp dir (its path is printed)`;

/** One tool run: wall-clock seconds and peak RSS. */
export interface ToolRun {
  seconds: number;
  peakMiB: number;
}

/** Parses what `/usr/bin/time -f "%e %M"` appends to stderr: seconds and KiB. */
export function parseTimeOutput(stderr: string): ToolRun {
  const lines = stderr.trim().split("\n");
  const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(lines[lines.length - 1] ?? "");
  if (!m) throw new Error(`cannot read /usr/bin/time's figures from: ${lines.at(-1)}`);
  return { seconds: Number(m[1]), peakMiB: Number(m[2]) / 1024 };
}

/** Runs argv under /usr/bin/time with stdout discarded; fails when the tool fails. */
async function timed(argv: string[]): Promise<ToolRun> {
  const r = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", ...argv],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${err.slice(-500)}`);
  return parseTimeOutput(err);
}

/** A tree of `n` znodes under 1000 parents, 32 bytes of data each. */
function buildTree(n: number): DataTree {
  const tree = new DataTree();
  const parents = Math.min(1000, Math.max(1, Math.floor(n / 1000)));
  let zxid = 0n;
  const time = 1_700_000_000_000;
  const data = (i: number) => new TextEncoder().encode(`value-${i}`.padEnd(32, "."));
  for (let p = 0; p < parents; p++) {
    tree.createNode(`/d${p}`, data(p), OPEN_ACL, 0n, -1, ++zxid, time);
  }
  for (let i = parents; i < n; i++) {
    tree.createNode(`/d${i % parents}/n${i}`, data(i), OPEN_ACL, 0n, -1, ++zxid, time);
  }
  tree.lastProcessedZxid = zxid;
  return tree;
}

/** Has ZooKeeper write its own snapshot of `dataDir` (loadData snapshots at startup). */
async function zookeeperSnapshot(dir: string, opts: LaunchOptions): Promise<string> {
  const snapDir = `${dir}/data/version-2`;
  const before = new Map<string, number>();
  for await (const e of Deno.readDir(snapDir)) {
    before.set(e.name, (await Deno.stat(`${snapDir}/${e.name}`)).mtime!.getTime());
  }
  const port = await freePort();
  const s = await startServer("zk", dir, port, opts, 600_000);
  await stopServer(s, "SIGTERM");
  let newest: { name: string; mtime: number } | null = null;
  for await (const e of Deno.readDir(snapDir)) {
    if (!e.name.startsWith("snapshot.")) continue;
    const mtime = (await Deno.stat(`${snapDir}/${e.name}`)).mtime!.getTime();
    if (before.get(e.name) === mtime) continue; // still the file zkt wrote
    if (!newest || mtime > newest.mtime) newest = { name: e.name, mtime };
  }
  if (!newest) throw new Error("ZooKeeper did not write a snapshot at startup");
  return `${snapDir}/${newest.name}`;
}

/** Runs the comparison; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        nodes: { type: "string", default: "1000000" },
        json: { type: "boolean", default: false },
        bundle: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`bench snap-tools: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5_000_000) {
    console.error(`bench snap-tools: --nodes: want 1..5000000, got ${values.nodes}\n${USAGE}`);
    return 2;
  }
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const opts: LaunchOptions = { bundle: values.bundle, root, jvmHeap: "-Xmx4g" };
  const dir = await Deno.makeTempDir({ prefix: "zkt-bench-snap-" });
  const stop = () => {
    killAll();
    if (!values.keep) Deno.removeSync(dir, { recursive: true });
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  try {
    const log = (s: string) => console.error(`bench snap-tools: ${s}`);
    log(`building ${nodes} znodes with zkt`);
    const tree = buildTree(nodes);
    await Deno.mkdir(`${dir}/data/version-2`, { recursive: true });
    await writeSnapshot(
      `${dir}/data/version-2/snapshot.${tree.lastProcessedZxid.toString(16)}`,
      tree,
    );
    log("Apache ZooKeeper loads it and writes its own snapshot");
    const file = await zookeeperSnapshot(dir, opts);
    const size = (await Deno.stat(file)).size;
    const zkt = opts.bundle
      ? [Deno.execPath(), "run", "-A", "--quiet", `${root}/dist/zkt.js`]
      : [Deno.execPath(), "run", "-A", "--quiet", `${root}/main.ts`];
    const java = ["java", "-cp", ZK_CLASSPATH, "org.apache.zookeeper.server.SnapshotFormatter"];
    const pairs: [string, string[], string[]][] = [
      ["dump (text)", [...zkt, "snap", "dump", file], [...java, file]],
      ["dump --json / -json", [...zkt, "snap", "dump", "--json", file], [...java, "-json", file]],
      ["dump with data / -d", [...zkt, "snap", "dump", "--data", file], [...java, "-d", file]],
      ["verify / formatter", [...zkt, "snap", "verify", file], [...java, file]],
    ];
    const results: { name: string; zkt: ToolRun; zk: ToolRun }[] = [];
    for (const [name, a, b] of pairs) {
      log(`${name}: SnapshotFormatter`);
      const zk = await timed(b);
      log(`${name}: zkt`);
      const z = await timed(a);
      results.push({ name, zkt: z, zk });
    }
    if (values.json) {
      console.log(JSON.stringify({ nodes, file, bytes: size, results }, null, 2));
    } else {
      console.log(
        `Snapshot of ${nodes} znodes written by Apache ZooKeeper 3.8 (${
          (size / 1048576).toFixed(1)
        } MiB); stdout to /dev/null; /usr/bin/time wall clock and peak RSS.`,
      );
      const rows = results.map((r) => [
        r.name,
        r.zkt.seconds.toFixed(2),
        r.zk.seconds.toFixed(2),
        `${(r.zk.seconds / r.zkt.seconds).toFixed(2)}x`,
        r.zkt.peakMiB.toFixed(0),
        r.zk.peakMiB.toFixed(0),
      ]);
      console.log(
        renderTable(
          ["zkt vs SnapshotFormatter", "zkt s", "ZK s", "zkt faster by", "zkt MiB", "ZK MiB"],
          rows,
        ),
      );
    }
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    killAll();
    if (values.keep) console.error(`bench snap-tools: kept ${dir}`);
    else await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
