// The rooms of src/ import each other down the layers of docs/ARCHITECTURE.md:
// cli → inspect/peer → server/zab/election → persistence → data → config →
// jute/net → log (files at the top of src/ are below everything). Guards
// against what zkt once had: a circle in src/config (types ↔ quorum_verifier),
// src/data reading the decoded txn from src/persistence, and src/inspect (the
// tools' client side) importing the server's JSON helper.
import assert from "node:assert/strict";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = normalize(join(dirname(fileURLToPath(import.meta.url)), "../../src"));

/** Each room's level: an import may go to its own room or to a higher number. */
const LEVEL: Record<string, number> = {
  cli: 0,
  inspect: 1,
  peer: 1,
  server: 2,
  zab: 2,
  election: 2,
  persistence: 3,
  data: 4,
  config: 5,
  jute: 6,
  net: 6,
  log: 7,
  ".": 8,
};
/** Rooms the tools' client side may use: it reads a live peer, it is not one. */
const INSPECT_MAY_NOT = new Set(["server", "peer", "zab", "election"]);

const IMPORT = /(?:import|export)\s[^'"]*?from\s+["'](\.[^"']+)["']|import\s+["'](\.[^"']+)["']/g;

async function sources(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await sources(p, out);
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

function room(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0] : ".";
}

/** Every file of src/ and the files of src/ it imports. */
async function graph(): Promise<Map<string, string[]>> {
  const g = new Map<string, string[]>();
  for (const f of await sources(SRC)) {
    const text = await Deno.readTextFile(f);
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => normalize(join(dirname(f), m[1] ?? m[2])))
      .filter((t) => t.startsWith(SRC) && t.endsWith(".ts"));
    g.set(f, [...new Set(targets)]);
  }
  return g;
}

Deno.test("every import in src/ points to its own room or further down the layers", async () => {
  const wrong: string[] = [];
  for (const [from, targets] of await graph()) {
    for (const to of targets) {
      const a = room(from), b = room(to);
      assert.ok(a in LEVEL, `${a}: a room of src/ without a layer`);
      if (a !== b && LEVEL[b] <= LEVEL[a]) {
        wrong.push(`${relative(SRC, from)} -> ${relative(SRC, to)}`);
      }
      if (a === "inspect" && INSPECT_MAY_NOT.has(b)) {
        wrong.push(`${relative(SRC, from)} -> ${relative(SRC, to)} (inspect is client-side)`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("no circle of imports in src/", async () => {
  const g = await graph();
  const circles: string[] = [];
  // Depth-first search; a back edge to a file still on the path closes a circle.
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    path.push(f);
    for (const t of g.get(f) ?? []) {
      if (state.get(t) === "open") {
        circles.push(path.slice(path.indexOf(t)).map((p) => relative(SRC, p)).join(" -> "));
      } else if (!state.has(t)) visit(t);
    }
    path.pop();
    state.set(f, "done");
  };
  for (const f of g.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(circles, []);
});
