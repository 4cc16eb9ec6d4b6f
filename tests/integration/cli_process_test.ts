// The real entry point as a user runs it: exit codes and streams of main.ts.
import assert from "node:assert/strict";
import { zktProcess } from "../support/cli.ts";
import { copyFixture } from "../unit/persistence/fixture.ts";

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

Deno.test("data snapshot --parent-pid: a process whose parent is not PID stops and renames nothing into place", async () => {
  const dir = await copyFixture();
  const out = `${dir}/orphan.snap`;
  // The parent of this zkt is the test runner, not PID 1.
  const r = await zktProcess(["data", "snapshot", dir, "--out", out, "--parent-pid", "1"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /parent process 1 is gone; stopping/);
  assert.throws(() => Deno.statSync(out));
  // With its real parent's PID it writes the file.
  const ok = await zktProcess([
    "data",
    "snapshot",
    dir,
    "--out",
    out,
    "--parent-pid",
    `${Deno.pid}`,
  ]);
  assert.equal(ok.code, 0, ok.err);
  assert.ok(Deno.statSync(out).size > 0);
});
