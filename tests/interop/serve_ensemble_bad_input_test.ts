// Garbage and a burst of a thousand connects on a zkt peer's election port, and
// garbage on its client port, while its ensemble elects:
// each bad connection is closed on its own, logged in one line, and the three
// zkt processes still agree on one leader.
import assert from "node:assert/strict";
import { SKIP_INTEROP } from "../support/interop.ts";
import { waitFor } from "../support/wait.ts";
import { planEnsemble } from "./election_ensemble.ts";
import { roleOf, startZktMember, type ZktMember } from "./serve_ensemble.ts";

function be(...parts: (bigint | number | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p instanceof Uint8Array) out.push(...p);
    else if (typeof p === "bigint") {
      for (let i = 7; i >= 0; i--) {
        out.push(Number((BigInt.asUintN(64, p) >> BigInt(8 * i)) & 0xffn));
      }
    } else for (let i = 3; i >= 0; i--) out.push((p >>> (8 * i)) & 0xff);
  }
  return new Uint8Array(out);
}

/** Sends bytes and reports whether the peer closed the connection (EOF or reset). */
async function closedAfter(port: number, bytes: Uint8Array): Promise<boolean> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await c.write(bytes).catch(() => 0);
    const buf = new Uint8Array(1024);
    for (let i = 0; i < 1000; i++) {
      const n = await c.read(buf).catch(() => null);
      if (n === null) return true;
    }
    return false;
  } finally {
    try {
      c.close();
    } catch { /* closed */ }
  }
}

const V1 = -65536n;
const V2 = -65535n;

Deno.test({
  name:
    "serve ensemble: garbage on the election and client ports closes those connections only; the peers still elect",
  ignore: SKIP_INTEROP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { members, serverLines } = planEnsemble([1, 2, 3]);
    const zkts: ZktMember[] = [];
    const stalled: Deno.Conn[] = [];
    try {
      zkts.push(await startZktMember(members[0], serverLines));
      const e = members[0].election;
      const bad: [string, Uint8Array][] = [
        ["unknown protocol version", be(-7n, 9n)],
        ["huge address length (v1)", be(V1, 9n, 0x7fffffff)],
        ["huge address length (v2)", be(V2, 9n, 600 * 1024)],
        ["negative address length", be(V1, 9n, -1)],
        ["address that is not host:port", be(V2, 9n, 5, new TextEncoder().encode("abcde"))],
        ["truncated initial message", be(V1, 9n)],
        ["legacy sid then an oversize frame", be(9n, 0x7fffffff)],
      ];
      for (const [what, bytes] of bad) {
        assert.ok(await closedAfter(e, bytes), `election port kept the connection: ${what}`);
      }
      // A thousand connects in a burst (bounded batches): half hang up at once, half
      // send a truncated initial message first.
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 100 }, async (_, i) => {
          const c = await Deno.connect({ hostname: "127.0.0.1", port: e });
          if (i % 2) await c.write(be(V1).subarray(0, 3)).catch(() => 0);
          c.close();
        }));
      }
      // A connection that stalls mid-handshake stays open but must not hold anything up.
      const s = await Deno.connect({ hostname: "127.0.0.1", port: e });
      await s.write(be(V1).subarray(0, 5));
      stalled.push(s);
      // The client port of a LOOKING peer: an oversize frame and a short connect request.
      const cp = members[0].client;
      assert.ok(await closedAfter(cp, be(0x7fffffff, 0)), "client port kept an oversize frame");
      assert.ok(await closedAfter(cp, be(8, 0, 0)), "client port kept a short ConnectRequest");

      for (const m of members.slice(1)) zkts.push(await startZktMember(m, serverLines));
      let modes = "";
      await waitFor(
        "one leader, two followers on the AdminServer",
        async () => {
          modes = (await Promise.all(zkts.map(roleOf))).join();
          return modes.split(",").sort().join() === "follower,follower,leader";
        },
        30_000,
        50,
      ).catch((err) => {
        throw new Error(`${err.message}; last: ${modes}`);
      });
      const log = zkts[0].log();
      for (
        const pat of [
          /Initial message parsing error .*unrecognized protocol version -7/,
          /Initial message parsing error .*unreasonable buffer length: 2147483647/,
          /Initial message parsing error .*unreasonable buffer length: -1/,
          /Initial message parsing error .*badly formed address: abcde/,
          /Initial message parsing error .*no data within \d+ ms/,
          /closing connection to sid 9: .*frame length 2147483647 exceeds the limit 524288/,
          /Len error\. A message from .* advertised length of 2147483647/,
        ]
      ) assert.match(log, pat);
      const burstLines = log.split("\n").filter((l) => /Initial message parsing error/.test(l));
      // Every burst connection was logged (once), besides the bad handshakes above.
      assert.ok(burstLines.length >= 1000, `only ${burstLines.length} parsing-error lines`);
      // One line per bad connection, no stack traces.
      assert.doesNotMatch(log, /^\s+at /m);
    } catch (err) {
      let msg = (err as Error).stack ?? String(err);
      for (const z of zkts) {
        msg += `\n--- zkt ${z.sid} ---\n${z.log().split("\n").slice(-40).join("\n")}`;
      }
      throw new Error(msg);
    } finally {
      for (const s of stalled) {
        try {
          s.close();
        } catch { /* closed */ }
      }
      for (const z of zkts) await z.stop("SIGKILL").catch(() => {});
    }
  },
});
