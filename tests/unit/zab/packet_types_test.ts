import assert from "node:assert/strict";
import {
  counterOf,
  epochOf,
  isKnownPacketType,
  makeZxid,
  packetName,
  PacketType,
  zxidHex,
} from "../../../src/zab/packet_types.ts";

Deno.test("packet names follow Leader.java and unknown types print as LearnerHandler does", () => {
  assert.equal(packetName(PacketType.FOLLOWERINFO), "FOLLOWERINFO");
  assert.equal(packetName(PacketType.ACKEPOCH), "ACKEPOCH");
  assert.equal(packetName(0), "UNKNOWN0");
  assert.ok(isKnownPacketType(19) && isKnownPacketType(1));
  assert.ok(!isKnownPacketType(0) && !isKnownPacketType(20) && !isKnownPacketType(-1));
});

Deno.test("zxid = epoch<<32 | counter, UPTODATE's -1 prints as unsigned hex", () => {
  const z = makeZxid(5, 7);
  assert.equal(z, 0x500000007n);
  assert.equal(epochOf(z), 5n);
  assert.equal(counterOf(z), 7n);
  assert.equal(zxidHex(-1n), "0xffffffffffffffff");
});
