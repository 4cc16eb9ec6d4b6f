// The real entry point as a user runs it: exit codes and streams of main.ts.
import assert from "node:assert/strict";
import { zktProcess } from "../support/cli.ts";

Deno.test("main.ts --version exits 0 with the version on stdout", async () => {
  const r = await zktProcess(["--version"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^zkt \d+\.\d+\.\d+ /);
});

Deno.test("main.ts with an unknown command exits 2 with usage on stderr only", async () => {
  const r = await zktProcess(["definitely-not-a-command"]);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /unknown command 'definitely-not-a-command'/);
});
