// Live version of tests/unit/zab/golden_capture_test.ts: records Zab traffic
// between Apache ZooKeeper 3.8 peers now (a recording proxy on follower 1's
// quorum link) and checks that quorum_stream parses it and re-encodes it byte
// for byte, with the fields zab-3.8.md describes. Guards the fixtures too: if
// this passes and the fixture test fails, regenerate with scripts/gen-zab-golden.
import { SKIP_INTEROP } from "../support/interop.ts";
import { captureZab } from "../support/zab_capture.ts";
import { checkFields, checkReencoding, parseCapture } from "../support/zab_golden_check.ts";

Deno.test({
  name:
    "Zab traffic captured live from a ZooKeeper 3.8 ensemble parses and re-encodes byte for byte",
  ignore: SKIP_INTEROP,
  async fn() {
    const cap = await captureZab();
    const conns = await parseCapture(cap);
    for (const c of conns) checkReencoding(c);
    checkFields(conns, cap);
  },
});
