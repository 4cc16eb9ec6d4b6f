// Pure cores of the client-port server: path rules, session ids and passwords,
// tick-bucket expiry, ACL checks. Golden values come from Apache ZooKeeper 3.8.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { isValidPath, parentOf, pathProblem } from "../../../src/server/path_utils.ts";
import { hexId, initialSessionId, sessionPassword } from "../../../src/server/session_id.ts";
import { SessionTracker } from "../../../src/server/session_tracker.ts";
import {
  aclAllows,
  authenticate,
  clientInfos,
  fixupAcl,
  generateDigest,
  ipMatches,
} from "../../../src/server/acl.ts";

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test("path rules match PathUtils.validatePath", () => {
  const table: [string, boolean][] = [
    ["/", true],
    ["/a", true],
    ["/a/b-c_d.e", true],
    ["/a/..b", true],
    ["/a/.b", true],
    ["", false],
    ["a", false],
    ["/a/", false],
    ["//a", false],
    ["/a//b", false],
    ["/a/.", false],
    ["/a/./b", false],
    ["/a/..", false],
    ["/a/../b", false],
    ["/a\u0000b", false],
    ["/a\u0001", false],
    ["/a\u007f", false],
    ["/a\ud800", false],
    ["/a\ufff0", false],
    ["/zookeeper", true],
  ];
  for (const [p, ok] of table) assertEquals(isValidPath(p), ok, JSON.stringify(p));
  assertEquals(
    pathProblem("/a//b"),
    'Invalid path string "/a//b" caused by empty node name specified @3',
  );
  assertEquals(parentOf("/a"), "/");
  assertEquals(parentOf("/a/b"), "/a");
});

Deno.test("session password equals ZooKeeper's generatePasswd (java.util.Random)", () => {
  // Golden values printed by Java: new Random(id ^ 0xB3415C00L).nextBytes(16 bytes).
  assertEquals(hex(sessionPassword(72057594037927937n)), "054cc74a37327db215e702e20c73f005");
  assertEquals(hex(sessionPassword(-5n)), "d47144b5e45e45c49c3b7fdcd66257ba");
});

Deno.test("first session id carries the server id in the high byte and time bits below", () => {
  // Java: ((t << 24) >>> 8) | (sid << 56)
  assertEquals(initialSessionId(1, 1790000000123), 117309440008060928n);
  assertEquals(initialSessionId(255, 1790000000123), -26805748067794944n);
  assertEquals(hexId(-1n), "0xffffffffffffffff");
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.nat(), (id, t) => {
    const sid = initialSessionId(id, t);
    return Number(BigInt.asUintN(64, sid) >> 56n) === id;
  }));
});

Deno.test("sessions expire in tick buckets and a touch keeps them alive", () => {
  const t = new SessionTracker(1000, 1, 10_000);
  t.add(1n, 4000, 10_000); // deadline rounds up to 15_000
  t.add(2n, 4000, 10_500); // also 15_000
  assertEquals(t.get(1n)?.expiresAt, 15_000);
  assertEquals(t.poll(14_999), []);
  assert(t.touch(2n, 12_000)); // moves to 17_000
  assertEquals(t.poll(15_000), [1n]);
  assert(!t.touch(1n, 15_001), "an expiring session cannot be touched alive");
  assertEquals(t.poll(16_999), []);
  assertEquals(t.poll(17_000), [2n]);
  assertEquals(t.waitTime(17_000), 1000);
});

Deno.test("a removed session never expires", () => {
  const t = new SessionTracker(100, 0, 0);
  t.add(7n, 200, 0);
  t.remove(7n);
  assertEquals(t.poll(10_000), []);
  assertEquals(t.size, 0);
});

Deno.test("digest ids equal DigestAuthenticationProvider.generateDigest", () => {
  assertEquals(generateDigest("super:test"), "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
  assertEquals(generateDigest("alice:p:w"), "alice:MYkDlhgP3QYE0BAAjqjoYj4hcQA=");
});

Deno.test("super digest grants super; other digests only their own id", () => {
  const sup = authenticate(
    "digest",
    new TextEncoder().encode("super:test"),
    "127.0.0.1",
    "super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
  );
  assert(sup.ok);
  assertEquals(sup.ids.map((i) => i.scheme), ["super", "digest"]);
  const bob = authenticate(
    "digest",
    new TextEncoder().encode("bob:x"),
    "127.0.0.1",
    "super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
  );
  assert(bob.ok);
  assertEquals(bob.ids.length, 1);
  assertEquals(authenticate("kerberos", new Uint8Array(), "1.2.3.4", null).ok, false);
  assertEquals(clientInfos(bob.ids), [{ authScheme: "digest", user: "bob" }]);
});

Deno.test("ACL checks: world, digest, ip masks, super", () => {
  const alice = { scheme: "digest", id: generateDigest("alice:pw") };
  const acl = [
    { perms: 1, id: { scheme: "world", id: "anyone" } },
    { perms: 31, id: alice },
    { perms: 2, id: { scheme: "ip", id: "10.1.0.0/16" } },
  ];
  const ip = { scheme: "ip", id: "127.0.0.1" };
  assert(aclAllows(acl, 1, [ip]));
  assert(!aclAllows(acl, 2, [ip]));
  assert(aclAllows(acl, 2, [{ scheme: "ip", id: "10.1.200.3" }]));
  assert(aclAllows(acl, 16, [ip, alice]));
  assert(aclAllows(acl, 16, [{ scheme: "super", id: "" }]));
  assert(aclAllows([], 16, [ip]), "an empty ACL allows everything");
  assert(ipMatches("192.168.1.77", "192.168.1.0/24"));
  assert(!ipMatches("192.168.2.77", "192.168.1.0/24"));
  assert(ipMatches("1.2.3.4", "0.0.0.0/0"));
});

Deno.test("fixupACL: auth expands to authenticated ids, bad ids are InvalidACL (null)", () => {
  const alice = { scheme: "digest", id: generateDigest("alice:pw") };
  const ip = { scheme: "ip", id: "127.0.0.1" };
  assertEquals(fixupAcl([{ perms: 31, id: { scheme: "auth", id: "" } }], [ip, alice]), [
    { perms: 31, id: alice },
  ]);
  assertEquals(fixupAcl([{ perms: 31, id: { scheme: "auth", id: "" } }], [ip]), null);
  assertEquals(fixupAcl([], [ip]), null);
  assertEquals(fixupAcl([{ perms: 31, id: { scheme: "digest", id: "nocolon" } }], [ip]), null);
  assertEquals(fixupAcl([{ perms: 31, id: { scheme: "ip", id: "300.1.1.1" } }], [ip]), null);
  assertEquals(fixupAcl([{ perms: 31, id: { scheme: "world", id: "someone" } }], [ip]), null);
  const dup = { perms: 1, id: { scheme: "world", id: "anyone" } };
  assertEquals(fixupAcl([dup, dup], [ip]), [dup]);
});
