// A session's auth ids iterate as 3.8's ConcurrentHashMap-backed set does, so an
// `auth` ACL expands in the same order (found by tests/interop/differential).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { generateDigest } from "../../../src/server/acl.ts";
import { startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";

const SUPER = "super:lK75jTNcA+U9vtVEw5vB51mj/w4=";
const USER1 = "user1:GMJqCvSAmNfv41XqBotWHO0HsNc=";
const USER2 = "user2:bpD4uPzrrsGNcJsBFLRErJIlBog=";

Deno.test("an auth ACL expands to a super session's ids in 3.8's set order", async () => {
  const s = await startInProc([], { superDigest: SUPER });
  const c = await ZkClient.connect(s.port);
  try {
    assertEquals(generateDigest("super:secret"), SUPER);
    for (const a of ["super:secret", "user1:pw1", "user2:pw2"]) {
      assertEquals(await c.addAuth("digest", a), 0);
    }
    const creator = [{ perms: 31, id: { scheme: "auth", id: "" } }];
    assertEquals((await c.create("/n", "", 0, creator)).err, 0);
    // Debian's 3.8.0 answers this order for the same logins.
    assertEquals((await c.getACL("/n")).acl.map((a) => a.id.id), [USER2, SUPER, USER1]);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});
