// Divergences from ZooKeeper 3.8 found by tests/interop/differential: inside a
// multi, a create runs as the op its flags name (3.8's Op.create), not as its
// wire op code.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type MultiOp, readMultiResponse, writeMultiRequest } from "../../../src/jute/proto.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { createOp, OP, OPEN_ACL, ZkClient } from "../../support/zk_client.ts";

function create(type: 1 | 15 | 19, path: string, flags: number): MultiOp {
  return { type, request: { path, data: new Uint8Array(0), acl: OPEN_ACL, flags } };
}

async function withClient(
  f: (c: ZkClient, lastZxid: () => bigint, reap: () => Promise<void>) => Promise<void>,
) {
  const s = await startInProc(["extendedTypesEnabled=true"], { containerCheckMs: 0 });
  const c = await ZkClient.connect(s.port);
  try {
    await f(c, () => s.server.lastZxid, () => s.server.checkContainers());
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
}

Deno.test("multi: a create with CONTAINER flags makes a container and answers path+stat", async () => {
  await withClient(async (c, _z, reap) => {
    const r = await c.multi([create(OP.create, "/box", 4)]);
    assertEquals(r, { err: 0, results: [{ type: OP.create2, err: 0 }] });
    assertEquals((await c.create("/box/kid")).err, 0);
    assertEquals(await c.delete("/box/kid"), 0);
    await reap();
    assertEquals((await c.exists("/box")).err, -101, "reaped once emptied: it is a container");
  });
});

Deno.test("multi: a create2 with plain flags answers like create (path only)", async () => {
  await withClient(async (c) => {
    const r = await c.multi([create(OP.create2, "/p", 0), createOp("/q")]);
    assertEquals(r, {
      err: 0,
      results: [{ type: OP.create, err: 0 }, { type: OP.create, err: 0 }],
    });
  });
});

Deno.test("multi: a TTL create mode without a TTL record fails the whole multi with MarshallingError", async () => {
  await withClient(async (c, lastZxid) => {
    const before = lastZxid();
    const r = await c.multi([createOp("/first"), create(OP.create, "/t", 5)]);
    assertEquals(r, { err: -5, results: [] });
    assertEquals(lastZxid(), before + 1n, "the error txn takes a zxid");
    assertEquals((await c.exists("/first")).err, -101, "nothing of the multi was applied");
    // An earlier failure wins: per-op results as usual.
    const r2 = await c.multi([createOp("/nope/x"), create(OP.create, "/t", 5)]);
    assertEquals(r2, { err: 0, results: [{ type: -1, err: -101 }, { type: -1, err: -2 }] });
  });
});

Deno.test("multi: each sub-op answers with its node's stat as it was right after that sub-op", async () => {
  await withClient(async (c) => {
    await c.create("/m", "");
    const rep = await c.call(OP.multi, (w) =>
      writeMultiRequest(w, [
        setData("/m", "x"),
        setData("/m", "yy"),
        create(OP.create2, "/m/k", 0),
        setData("/m", "z"),
      ]));
    const stats = readMultiResponse(rep.r).map((r) =>
      "response" in r && "stat" in r.response
        ? [r.response.stat.version, r.response.stat.dataLength, r.response.stat.numChildren]
        : null
    );
    // create2 answers as create (path only) inside a multi.
    assertEquals(stats, [[1, 1, 0], [2, 2, 0], null, [3, 1, 1]]);
  });
});

function setData(path: string, data: string): MultiOp {
  return { type: OP.setData, request: { path, data: new TextEncoder().encode(data), version: -1 } };
}
