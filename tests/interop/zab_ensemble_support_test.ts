// The ensemble harness's own claims (tests/support/ensemble.ts), so a green
// acceptance row means what it says: member configs name observers as
// ZooKeeper 3.8 reads them, tree comparison sees every difference but the
// per-peer /zookeeper/config mtime, and the cut proxy really moves a client.
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/load.ts";
import { startCutProxy } from "../support/cut_proxy.ts";
import {
  comparable,
  type EnsembleMember,
  memberCfg,
  parseSpec,
  treeDiff,
} from "../support/ensemble.ts";

function members(specs: string[]): EnsembleMember[] {
  return specs.map((s, i) => ({
    sid: i + 1,
    ...parseSpec(s as "zk"),
    client: 20001 + i,
    quorum: 21001 + i,
    election: 22001 + i,
    dir: `/tmp/e/m${i + 1}`,
    child: null,
    proxy: null,
  }));
}

Deno.test("memberCfg: an observer row gives ':observer' lines everywhere and peerType=observer on the observer", () => {
  const all = members(["zk", "zkt", "zk", "zkt:observer"]);
  for (const self of all) {
    const cfg = parseConfig(memberCfg(self, all, {}), {
      readFile: (p) => {
        if (p === `${self.dir}/data/myid`) return `${self.sid}\n`;
        throw new Error(`no file ${p}`);
      },
    });
    assert.equal(cfg.myid, self.sid);
    assert.equal(cfg.peerType, self.observer ? "observer" : "participant");
    assert.deepEqual([...cfg.servers.keys()], [1, 2, 3, 4]);
    assert.equal(cfg.servers.get(4)!.type, "observer");
    assert.equal(cfg.servers.get(2)!.type, "participant");
    assert.equal(cfg.standalone, false);
  }
  assert.throws(() => parseSpec("zkx" as "zk"), /unknown member kind/);
});

Deno.test("treeDiff: reports changed, missing and extra nodes; comparable drops only /zookeeper/config's mtime", () => {
  const a = new Map([["/a", { v: 1 }], ["/b", { v: 1 }]]);
  const b = new Map([["/a", { v: 2 }], ["/c", { v: 1 }]]);
  assert.deepEqual(treeDiff(a, a), []);
  assert.deepEqual(treeDiff(a, b), [
    '/a: {"v":1} != {"v":2}',
    "/b: only in the first",
    "/c: only in the second",
  ]);
  assert.deepEqual(comparable("/zookeeper/config", { mtime: 5, data: "x" }), { data: "x" });
  assert.deepEqual(comparable("/app", { mtime: 5, data: "x" }), { mtime: 5, data: "x" });
});

Deno.test({
  name:
    "cut proxy: forwards, cut() resets the connection and refuses new ones, heal() accepts again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const echo = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serving = (async () => {
      for await (const c of echo) {
        (async () => {
          const buf = new Uint8Array(100);
          try {
            for (;;) {
              const n = await c.read(buf);
              if (n === null) break;
              await c.write(buf.subarray(0, n));
            }
          } catch { /* reset */ }
          c.close();
        })();
      }
    })().catch(() => {});
    const p = startCutProxy((echo.addr as Deno.NetAddr).port);
    const roundTrip = async (c: Deno.Conn) => {
      await c.write(new Uint8Array([7]));
      const b = new Uint8Array(1);
      return await c.read(b) === 1 ? b[0] : null;
    };
    try {
      const c1 = await Deno.connect({ hostname: "127.0.0.1", port: p.port });
      assert.equal(await roundTrip(c1), 7);
      assert.equal(p.active, 1);
      p.cut();
      assert.equal(p.active, 0);
      assert.equal(await c1.read(new Uint8Array(1)).catch(() => null), null, "cut connection ends");
      c1.close();
      const c2 = await Deno.connect({ hostname: "127.0.0.1", port: p.port });
      assert.equal(await c2.read(new Uint8Array(1)).catch(() => null), null, "refused while cut");
      c2.close();
      p.heal();
      const c3 = await Deno.connect({ hostname: "127.0.0.1", port: p.port });
      assert.equal(await roundTrip(c3), 7);
      c3.close();
    } finally {
      await p.close();
      echo.close();
      await serving;
    }
  },
});
