// A batch that cannot be made durable leaves the tree ahead of the log: the
// server must answer nothing more and end the process (exit 1, as 3.8's
// SyncThread does), never acknowledge the write.
import assert from "node:assert/strict";
import { setFatalExit } from "../../../src/log/fatal.ts";
import { setLogSink } from "../../../src/log/logger.ts";
import type { Database } from "../../../src/server/database.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { fourLetter } from "../../support/four_letter.ts";

Deno.test("a failed txn log write is never acknowledged: the server exits 1 and answers no one", async () => {
  const exits: number[] = [];
  const lines: string[] = [];
  const prevExit = setFatalExit((code) => exits.push(code));
  const prevSink = setLogSink((l) => lines.push(l));
  const p = await startInProc(["snapCount=100000"]);
  try {
    const c = await ZkClient.connect(p.port);
    assert.equal((await c.create("/ok", "1")).err, 0);
    const db = p.server.db as Database;
    db.commit = () => Promise.reject(new Error("Input/output error (os error 5)"));
    const r = await c.create("/lost", "2").then((r) => `reply ${r.err}`, (e) => `${e.message}`);
    assert.equal(r, "connection closed by the server");
    assert.deepEqual(exits, [1]);
    assert.match(
      lines.at(-1)!,
      / - ERROR \[.*\] - Severe unrecoverable error, exiting: txn log write failed: Input\/output error/,
    );
    // Nothing answers any more, not even a new client or a four-letter word.
    const d = await ZkClient.connect(p.port).then(() => "connected", () => "refused");
    assert.equal(d, "refused");
    const ruok = await fourLetter(p.port, "ruok", "127.0.0.1", 2000).catch(() => "");
    assert.equal(ruok, "");
  } finally {
    await p.stop();
    setLogSink(prevSink);
    setFatalExit(prevExit);
  }
});
