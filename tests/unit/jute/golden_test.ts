// Golden bytes written by Apache ZooKeeper 3.8's own record classes: decoding
// them must give exactly the expected value (golden_values.ts), and encoding
// that value must give exactly the bytes.
import assert from "node:assert/strict";
import * as proto from "../../../src/jute/proto.ts";
import { Reader } from "../../../src/jute/reader.ts";
import * as txn from "../../../src/jute/txn.ts";
import { encode } from "../../../src/jute/writer.ts";
import { CREATE_TXN, golden, GOLDEN_DIR, GOLDENS, OPEN, UNICODE_PATH } from "./golden_values.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

for (const c of GOLDENS) {
  Deno.test(`golden ${c.name}: ZooKeeper's bytes decode to the expected value and re-encode identically`, () => {
    const bytes = golden(c.name);
    const r = new Reader(bytes);
    assert.deepEqual(c.read(r), c.value);
    assert.equal(r.pos, bytes.length, "bytes left after the record");
    assert.deepEqual(encode(c.write, c.value), bytes);
  });
}

Deno.test("golden: every fixture file has an expected value here (and the other way round)", () => {
  const files = [...Deno.readDirSync(GOLDEN_DIR)]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".hex"))
    .map((n) => n.slice(0, -4))
    .sort();
  assert.deepEqual(files, GOLDENS.map((c) => c.name).sort());
});

Deno.test("golden CreateTxnV0: a pre-3.3 create body reads as CreateTxn with parentCVersion -1", () => {
  const v = txn.readCreateTxnOrV0(new Reader(golden("CreateTxnV0")));
  assert.deepEqual(v, {
    path: "/v0",
    data: new Uint8Array(0),
    acl: [OPEN],
    ephemeral: false,
    parentCVersion: -1,
  });
  assert.deepEqual(txn.readCreateTxnOrV0(new Reader(golden("CreateTxn"))), CREATE_TXN);
});

Deno.test("golden ConnectRequest: an old client's request (no readOnly byte) gets no readOnly back", () => {
  const req = proto.readConnectRequest(new Reader(golden("ConnectRequest")));
  assert.equal("readOnly" in req, false);
  const rsp = proto.readConnectResponse(new Reader(golden("ConnectResponse")));
  assert.equal("readOnly" in rsp, false);
  // With the byte present, it is read and written back.
  const ro = proto.readConnectRequest(new Reader(golden("ConnectRequestReadOnly")));
  assert.equal(ro.readOnly, true);
});

Deno.test("golden GetDataRequest: a non-BMP character is written as ZooKeeper writes it (two 3-byte surrogates)", () => {
  const bytes = golden("GetDataRequest");
  const tail = [...bytes.subarray(bytes.length - 7, bytes.length - 1)];
  assert.deepEqual(tail, [0xed, 0xa0, 0xbe, 0xed, 0xb6, 0x80]);
  // Standard 4-byte UTF-8 (what kazoo and the C client send) reads as the same string.
  const w = encode((x, p: string) => x.buffer(utf8(p)).boolean(true), UNICODE_PATH);
  assert.deepEqual(proto.readGetDataRequest(new Reader(w)), { path: UNICODE_PATH, watch: true });
});
