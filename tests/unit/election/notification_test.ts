// The FLE notification codec: 3.8's layout round-trips, the older 28- and
// 40-byte forms are read as 3.8 reads them, and malformed messages are one
// DecodeError (ZOOKEEPER-3769: a bad notification must not kill the receiver).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeNotification,
  encodeNotification,
  encodeNotification40,
} from "../../../src/election/notification.ts";
import { DecodeError } from "../../../src/jute/errors.ts";

const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

Deno.test("notification: 3.8 layout round-trips (state, leader, zxid, epochs, version 2, config)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      long,
      long,
      long,
      long,
      fc.string({ maxLength: 300 }),
      (state, leader, zxid, electionEpoch, peerEpoch, config) => {
        const bytes = encodeNotification({ state, leader, zxid, electionEpoch, peerEpoch, config });
        const n = decodeNotification(bytes);
        assert.deepEqual(n, {
          state,
          leader,
          zxid,
          electionEpoch,
          peerEpoch,
          version: 2,
          config: new TextDecoder().decode(new TextEncoder().encode(config)),
        });
      },
    ),
  );
});

Deno.test("notification: byte layout of 3.8 buildMsg (44-byte header, config length, text)", () => {
  const b = encodeNotification({
    state: 2,
    leader: 3n,
    zxid: 0x100000005n,
    electionEpoch: 7n,
    peerEpoch: 1n,
    config: "version=0",
  });
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  assert.equal(
    hex,
    "00000002" + "0000000000000003" + "0000000100000005" + "0000000000000007" +
      "0000000000000001" + "00000002" + "00000009" + "76657273696f6e3d30",
  );
});

Deno.test("notification: 28-byte form takes the peer epoch from the zxid", () => {
  const b = encodeNotification40({
    state: 0,
    leader: 2n,
    zxid: 0x500000009n,
    electionEpoch: 4n,
    peerEpoch: 99n,
  }).slice(0, 28);
  const n = decodeNotification(b);
  assert.equal(n.peerEpoch, 5n);
  assert.equal(n.version, 0);
  assert.equal(n.config, null);
});

Deno.test("notification: 40-byte form has a peer epoch and no config", () => {
  const n = decodeNotification(
    encodeNotification40({ state: 1, leader: 2n, zxid: 9n, electionEpoch: 4n, peerEpoch: 3n }),
  );
  assert.deepEqual(n, {
    state: 1,
    leader: 2n,
    zxid: 9n,
    electionEpoch: 4n,
    peerEpoch: 3n,
    version: 0,
    config: null,
  });
});

Deno.test("notification: version 1 carries no config (pre-reconfig)", () => {
  const b = new Uint8Array(44);
  new DataView(b.buffer).setInt32(36, 1);
  const n = decodeNotification(b);
  assert.equal(n.version, 1);
  assert.equal(n.config, null);
});

Deno.test("zookeeper_3769: malformed notifications are a DecodeError, never a crash or huge allocation", () => {
  const bad = (mut: (v: DataView) => void, len = 60) => {
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setInt32(36, 2);
    mut(v);
    return b;
  };
  assert.throws(() => decodeNotification(new Uint8Array(27)), DecodeError);
  assert.throws(() => decodeNotification(new Uint8Array(32)), DecodeError);
  assert.throws(() => decodeNotification(bad((v) => v.setInt32(40, -1))), DecodeError);
  assert.throws(() => decodeNotification(bad((v) => v.setInt32(40, 0x7fffffff))), DecodeError);
  assert.throws(() => decodeNotification(bad((v) => v.setInt32(40, 50))), DecodeError);
  assert.throws(() => decodeNotification(bad(() => {}, 42)), DecodeError);
  // Any bytes: decoded or one DecodeError.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      try {
        decodeNotification(b);
      } catch (e) {
        assert.ok(e instanceof DecodeError);
      }
    }),
  );
});
