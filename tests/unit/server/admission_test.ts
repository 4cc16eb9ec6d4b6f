// The connect rules in 3.8's order: a zxid the server
// has not reached, then the timeout clamp; a reconnect's password is checked.
import assert from "node:assert/strict";
import { admit } from "../../../src/server/admission.ts";
import type { ConnectReq } from "../../../src/server/codec.ts";
import { sessionPassword } from "../../../src/server/session_id.ts";

const server = {
  lastZxid: 10n,
  minSessionTimeout: 4000,
  maxSessionTimeout: 40000,
};
const req = (r: Partial<ConnectReq>): ConnectReq => ({
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 30000,
  sessionId: 0n,
  passwd: new Uint8Array(16),
  readOnly: false,
  ...r,
});

Deno.test("admit: new sessions get the timeout clamped into [min, max]", () => {
  assert.deepEqual(admit(req({ timeOut: 100 }), server, "c"), { kind: "new", timeout: 4000 });
  assert.deepEqual(admit(req({ timeOut: 99999 }), server, "c"), { kind: "new", timeout: 40000 });
  assert.deepEqual(admit(req({}), server, "c"), { kind: "new", timeout: 30000 });
});

Deno.test("admit: refuses a client ahead of the server", () => {
  const ahead = admit(req({ lastZxidSeen: 11n }), server, "1.2.3.4:5");
  assert.equal(ahead.kind, "refuse");
  assert.match((ahead as { why: string }).why, /has seen zxid 0xb our last zxid is 0xa/);
});

Deno.test("admit: a reconnect carries its id and whether the password is the session's", () => {
  const id = 0x100000000000001n;
  assert.deepEqual(admit(req({ sessionId: id, passwd: sessionPassword(id) }), server, "c"), {
    kind: "reconnect",
    timeout: 30000,
    sessionId: id,
    passwordOk: true,
  });
  const bad = admit(req({ sessionId: id, passwd: new Uint8Array(16) }), server, "c");
  assert.equal(bad.kind === "reconnect" && bad.passwordOk, false);
});
