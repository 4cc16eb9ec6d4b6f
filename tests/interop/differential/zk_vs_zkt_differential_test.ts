// Issue 5's differential proof: the same seeded op sequence (several sessions,
// failing ops, ACLs, multi, watches, session close/reopen) against Apache
// ZooKeeper 3.8 standalone and `zkt serve` gives the same replies, error codes,
// stats (apart from times), sequential names and watch events.
// Replay one seed: ZKT_DIFF_SEED=1234 [ZKT_DIFF_OPS=3000] deno test -A tests/interop/differential
import { SKIP_INTEROP } from "../../support/interop.ts";
import { Divergence, runDifferential } from "./run.ts";

const env = (k: string) => Deno.env.get(k);
const SEEDS = env("ZKT_DIFF_SEED")?.split(",").map(Number) ?? [1, 2, 3, 4];
const OPS = Number(env("ZKT_DIFF_OPS") ?? 1500);

for (const seed of SEEDS) {
  Deno.test({
    name:
      `zkt answers a seeded op sequence exactly as ZooKeeper 3.8 does (seed ${seed}, ${OPS} ops)`,
    ignore: SKIP_INTEROP,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      try {
        const r = await runDifferential(seed, OPS);
        console.log(
          `seed ${seed}: ${r.ops} ops, ${r.events} watch events, ${r.znodes} znodes agree`,
        );
      } catch (e) {
        if (e instanceof Divergence) console.error(e.message);
        throw e;
      }
    },
  });
}
