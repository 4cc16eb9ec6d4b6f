// Java-compat helpers: number parsing and the iteration orders ZooKeeper prints in.
import assert from "node:assert/strict";
import {
  javaConcurrentHashMapOrder,
  javaHashMapOrder,
  javaLongToHex,
  javaParseInt,
  javaParseLong,
  javaPropertiesOrder,
  javaStringHash,
} from "../../../src/config/java.ts";
import { parseProperties } from "../../../src/config/properties.ts";

Deno.test("javaParseInt accepts what Integer.parseInt accepts, nothing more", () => {
  assert.equal(javaParseInt("2181"), 2181);
  assert.equal(javaParseInt("+7"), 7);
  assert.equal(javaParseInt("-1"), -1);
  assert.equal(javaParseInt("007"), 7);
  assert.equal(javaParseInt("2147483647"), 2147483647);
  for (const bad of ["", " 1", "1 ", "1e3", "0x10", "2147483648", "1.0", "+", "٣"]) {
    assert.equal(javaParseInt(bad), undefined, bad);
  }
});

Deno.test("javaParseLong: decimal and hex, 64-bit range", () => {
  assert.equal(javaParseLong("9223372036854775807"), 2n ** 63n - 1n);
  assert.equal(javaParseLong("9223372036854775808"), undefined);
  assert.equal(javaParseLong("100000000", 16), 0x100000000n);
  assert.equal(javaParseLong("-1", 16), -1n);
  assert.equal(javaParseLong("8000000000000000", 16), undefined);
  assert.equal(javaLongToHex(-1n), "ffffffffffffffff");
  assert.equal(javaLongToHex(0n), "0");
});

Deno.test("javaStringHash matches String.hashCode", () => {
  assert.equal(javaStringHash(""), 0);
  // Values printed by Java 17's String.hashCode.
  assert.equal(javaStringHash("server.1"), 1379102790);
  assert.equal(javaStringHash("dataDir"), 1443169411);
  assert.equal(javaStringHash("é€"), 15587);
});

Deno.test("javaPropertiesOrder: golden order from Java 17's Properties (with two resizes)", () => {
  const keys = [
    "tickTime",
    "initLimit",
    "syncLimit",
    "dataDir",
    "clientPort",
    "clientPortAddress",
    "maxClientCnxns",
    "autopurge.snapRetainCount",
    "autopurge.purgeInterval",
    "4lw.commands.whitelist",
    "admin.enableServer",
    "server.1",
    "server.2",
    "server.3",
    "server.17",
    "server.33",
    "group.1",
    "group.2",
    "weight.1",
    "weight.17",
    "version",
    "metricsProvider.className",
    "standaloneEnabled",
    "reconfigEnabled",
    "dynamicConfigFile",
    "peerType",
    "snapCount",
  ]; // deno-fmt-ignore
  // Printed by java.util.Properties.load + entrySet() on OpenJDK 17.
  const golden = "dataDir,4lw.commands.whitelist,syncLimit,server.17,clientPortAddress," +
    "server.33,standaloneEnabled,admin.enableServer,metricsProvider.className,initLimit," +
    "clientPort,weight.17,snapCount,peerType,autopurge.purgeInterval,version," +
    "dynamicConfigFile,reconfigEnabled,weight.1,server.2,server.1," +
    "autopurge.snapRetainCount,tickTime,server.3,group.2,maxClientCnxns,group.1";
  assert.equal(javaPropertiesOrder(keys).join(","), golden);
});

Deno.test("javaHashMapOrder: golden order from Java 17's HashMap<Long, ?>", () => {
  const ids = [5, 21, 1, 17, 33, 2, 100, 16, 0, 48, 64, 3, 19, 35];
  assert.deepEqual(javaHashMapOrder(ids), [0, 64, 1, 33, 2, 3, 35, 100, 5, 16, 48, 17, 19, 21]);
});

Deno.test("parseProperties: Java .properties syntax", () => {
  const p = parseProperties(
    "# comment\n! also a comment\n  indented = value with trailing  \n" +
      "colon:sep\nspace sep\nempty=\nbare\ncont=a\\\n   b\\\r\n  c\r\nlone=cr\rnext=1\n" +
      "esc\\ key=tab\\there\nuni=\\u00e9\ndup=1\ndup=2\n# not\\\nafter=comment\n",
  );
  assert.deepEqual(Object.fromEntries(p), {
    indented: "value with trailing  ",
    colon: "sep",
    space: "sep",
    empty: "",
    bare: "",
    cont: "abc",
    lone: "cr",
    next: "1",
    "esc key": "tab\there",
    uni: "é",
    dup: "2",
    after: "comment",
  });
});

Deno.test("javaConcurrentHashMapOrder: bins by spread hash, a repeated key keeps its first place", () => {
  const order = javaConcurrentHashMapOrder(
    [3, 1, 17, 2, 1],
    (n) => String(n),
    (n) => n,
  );
  // 1 and 17 share bin 1 (table of 16), in insertion order.
  assert.deepEqual(order, [1, 17, 2, 3]);
});
