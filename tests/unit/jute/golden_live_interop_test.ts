// Interop: runs scripts/gen-golden against the installed Apache ZooKeeper 3.8
// now, into a temp dir, and checks it writes exactly the committed
// fixtures/golden (so the fixtures are ZooKeeper's bytes, not hand edits).
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../../support/interop.ts";
import { GOLDEN_DIR } from "./golden_values.ts";

const ROOT = `${import.meta.dirname}/../../..`;

function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(dir)) out.set(e.name, Deno.readTextFileSync(`${dir}/${e.name}`));
  return out;
}

Deno.test({
  name:
    "interop: gen-golden run live against ZooKeeper 3.8 reproduces fixtures/golden byte for byte",
  ignore: SKIP_INTEROP,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "zkt-golden-" });
    try {
      const out = await new Deno.Command(`${ROOT}/scripts/gen-golden`, {
        args: [tmp],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `gen-golden failed: ${err}`);
      const live = listing(tmp);
      const committed = listing(GOLDEN_DIR);
      assert.deepEqual([...live.keys()].sort(), [...committed.keys()].sort());
      for (const [name, text] of committed) assert.equal(live.get(name), text, name);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
