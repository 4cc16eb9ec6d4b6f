// The documentation ships with the repository and names what is in it: the
// README once sent readers to a design file outside the repository, which no
// user of zkt has. Every file the README and docs/ARCHITECTURE.md name must
// exist here, so a rename or a removal shows up as a failing test.
import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "../.."));

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function filesUnder(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

/** The .ts and .md files a document names, in `code` or as a link target. */
function namedFiles(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/`([^`\s]+\.(?:ts|md))`|\]\(([^)\s]+\.md)\)/g)) {
    names.add(m[1] ?? m[2]);
  }
  return [...names];
}

/** Where a name points: from the root, from src/, or (a bare file name) one file of src/ or tests/. */
async function resolves(name: string, all: string[]): Promise<boolean> {
  if (name.startsWith("/") || name.startsWith("..")) return false; // outside the repository
  if (await exists(join(ROOT, name)) || await exists(join(ROOT, "src", name))) return true;
  if (name.includes("/")) return all.some((f) => f.endsWith("/" + name));
  return all.filter((f) => f.endsWith("/" + name)).length === 1;
}

for (const doc of ["README.md", "docs/ARCHITECTURE.md"]) {
  Deno.test(`${doc} names only files that exist in this repository`, async () => {
    const all = [
      ...await filesUnder(join(ROOT, "src")),
      ...await filesUnder(join(ROOT, "tests")),
    ];
    const text = await Deno.readTextFile(join(ROOT, doc));
    const missing = [];
    for (const n of namedFiles(text)) if (!await resolves(n, all)) missing.push(n);
    assert.deepEqual(missing, []);
  });
}
