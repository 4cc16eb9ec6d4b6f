// Health checks poll ruok, srvr and mntr every few seconds, Prometheus
// scrapes: none of them may stall the one event loop with a blocking
// file-system call (3.8 lists its data dirs in the command's own thread; zkt
// reads dir sizes and descriptor counts from a cache refreshed in the background).
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCommand } from "../../../src/server/admin/commands.ts";
import type { ClientCnxn } from "../../../src/server/cnxn.ts";
import { startInProc } from "../../support/zkt_inproc.ts";

Deno.test("srvr, mntr, dirs, conf and the AdminServer's monitor make no blocking file-system call", async () => {
  const s = await startInProc();
  const sync = [
    "readDirSync",
    "statSync",
    "readTextFileSync",
    "readFileSync",
    "lstatSync",
  ] as const;
  const saved = sync.map((k) => [k, Deno[k]] as const);
  const calls: string[] = [];
  try {
    for (const k of sync) {
      // deno-lint-ignore no-explicit-any
      (Deno as any)[k] = () => {
        calls.push(k);
        throw new Error(`blocking ${k} on the request path`);
      };
    }
    const cnxn = { remote: "/127.0.0.1:1" } as ClientCnxn;
    for (const w of ["ruok", "srvr", "stat", "mntr", "dirs", "conf", "wchs"]) {
      s.server.fourLetter(w, cnxn);
    }
    const src = { view: () => s.server.fourLetterView() };
    for (const c of ["monitor", "server_stats", "stats", "dirs"]) await runCommand(c, src);
    assertEquals(calls, []);
  } finally {
    for (const [k, f] of saved) {
      // deno-lint-ignore no-explicit-any
      (Deno as any)[k] = f;
    }
    await s.stop();
  }
  // The cache does fill: mntr shows descriptor counts once a sample is in.
  const t = await startInProc();
  try {
    const cnxn = { remote: "/127.0.0.1:1" } as ClientCnxn;
    const deadline = Date.now() + 10_000;
    let mntr = "";
    while (Date.now() < deadline) {
      mntr = t.server.fourLetter("mntr", cnxn);
      if (/^zk_open_file_descriptor_count\t\d+$/m.test(mntr)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert(/^zk_open_file_descriptor_count\t\d+$/m.test(mntr), mntr);
  } finally {
    await t.stop();
  }
});
