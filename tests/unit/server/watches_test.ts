// Watches over the wire: every event arrives before the reply that reflects the
// change, one-shot vs persistent vs persistent-recursive, setWatches on
// reconnect, removeWatches/checkWatches.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startInProc } from "../../support/zkt_inproc.ts";
import { type Event, ZkClient } from "../../support/zk_client.ts";

const NodeCreated = 1, NodeDeleted = 2, NodeDataChanged = 3, NodeChildrenChanged = 4;

async function pair(f: (a: ZkClient, b: ZkClient, port: number) => Promise<void>): Promise<void> {
  const s = await startInProc();
  const a = await ZkClient.connect(s.port);
  const b = await ZkClient.connect(s.port);
  try {
    await f(a, b, s.port);
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
    await s.stop();
  }
}

const kinds = (es: Event[]) => es.map((e) => `${e.type}:${e.path}`);

Deno.test("the watcher's event arrives before its own reply to the change", async () => {
  await pair(async (a) => {
    await a.create("/w", "1");
    await a.getData("/w", true);
    const before = a.arrivals.length;
    await a.setData("/w", "2");
    // arrivals: the NodeDataChanged event, then the setData reply.
    assertEquals(a.arrivals.slice(before).map((x) => x.split(":")[0]), ["event", "reply"]);
  });
});

Deno.test("one-shot watches fire once; data, exists and child watches", async () => {
  await pair(async (a, b) => {
    await a.create("/o", "");
    await b.getData("/o", true);
    await b.exists("/o/new", true);
    await b.getChildren("/o", true);
    await a.create("/o/new", "");
    await a.setData("/o", "x");
    await a.setData("/o", "y");
    await b.exists("/"); // a round trip: every earlier event is in
    assertEquals(kinds(b.events), [
      `${NodeCreated}:/o/new`,
      `${NodeChildrenChanged}:/o`,
      `${NodeDataChanged}:/o`,
    ]);
  });
});

Deno.test("persistent watch: data and child events at its path, many times", async () => {
  await pair(async (a, b) => {
    await a.create("/p", "");
    assertEquals(await b.addWatch("/p", 0), 0);
    await a.create("/p/1", "");
    await a.setData("/p/1", "z"); // not at /p: no event
    await a.setData("/p", "1");
    await a.setData("/p", "2");
    await b.exists("/");
    assertEquals(kinds(b.events), [
      `${NodeChildrenChanged}:/p`,
      `${NodeDataChanged}:/p`,
      `${NodeDataChanged}:/p`,
    ]);
  });
});

Deno.test("persistent-recursive watch sees the whole subtree but no child-list events", async () => {
  await pair(async (a, b) => {
    await a.create("/r", "");
    assertEquals(await b.addWatch("/r", 1), 0);
    await a.create("/r/x", "");
    await a.create("/r/x/y", "");
    await a.setData("/r/x/y", "v");
    await a.delete("/r/x/y");
    await a.create("/other", "");
    await b.exists("/");
    assertEquals(kinds(b.events), [
      `${NodeCreated}:/r/x`,
      `${NodeCreated}:/r/x/y`,
      `${NodeDataChanged}:/r/x/y`,
      `${NodeDeleted}:/r/x/y`,
    ]);
  });
});

Deno.test("removeWatches drops a watch; checkWatches then says NoWatcher", async () => {
  await pair(async (a, b) => {
    await a.create("/rw", "");
    await b.getData("/rw", true);
    assertEquals(await b.removeWatches("/rw", 2, true), 0);
    assertEquals(await b.removeWatches("/rw", 2), 0);
    assertEquals(await b.removeWatches("/rw", 2, true), -121);
    await a.setData("/rw", "x");
    await b.exists("/");
    assertEquals(b.events, []);
  });
});

Deno.test("setWatches on reconnect fires what changed since relativeZxid and re-arms the rest", async () => {
  await pair(async (a, b, port) => {
    await a.create("/s1", "");
    await a.create("/s2", "");
    const seen = (await a.getData("/s2")).zxid;
    await a.setData("/s1", "changed"); // after `seen`
    await a.delete("/s2");
    const c = await ZkClient.connect(port);
    assertEquals(
      await c.setWatches(seen, { data: ["/s1", "/s2"], exist: ["/s3"], child: ["/"] }),
      0,
    );
    assertEquals(kinds(c.events), [
      `${NodeDataChanged}:/s1`,
      `${NodeDeleted}:/s2`,
      `${NodeChildrenChanged}:/`,
    ]);
    await a.create("/s3", "");
    await c.waitEvent((e) => e.path === "/s3" && e.type === NodeCreated);
    await c.close();
    void b;
  });
});

Deno.test("a closed connection's watches are forgotten (wchs counts them)", async () => {
  const s = await startInProc();
  try {
    const a = await ZkClient.connect(s.port);
    await a.exists("/x", true);
    await a.addWatch("/", 1);
    // The exists watch and the recursive watch's data half (wchs counts data watches).
    assertEquals(s.server.fourLetterView().watchSummary.watches, 2);
    await a.close();
    assertEquals(s.server.fourLetterView().watchSummary, { watchers: 0, paths: 0, watches: 0 });
  } finally {
    await s.stop();
  }
});

Deno.test("setWatches (v1, as kazoo and older clients send it) re-arms data, exist and child watches", async () => {
  await pair(async (a, _b, port) => {
    await a.create("/v1", "");
    const zxid = (await a.getData("/v1")).zxid;
    const c = await ZkClient.connect(port);
    const rep = await c.call(101, (w) => {
      w.long(zxid);
      w.vector(["/v1"], (x, s) => x.ustring(s));
      w.vector(["/v1new"], (x, s) => x.ustring(s));
      w.vector(["/v1"], (x, s) => x.ustring(s));
    }, -8);
    assertEquals([rep.xid, rep.err], [-8, 0]);
    await a.setData("/v1", "x");
    await a.create("/v1new", "");
    await a.create("/v1/kid", "");
    await c.exists("/");
    assertEquals(kinds(c.events), [
      `${NodeDataChanged}:/v1`,
      `${NodeCreated}:/v1new`,
      `${NodeChildrenChanged}:/v1`,
    ]);
    await c.close();
  });
});
