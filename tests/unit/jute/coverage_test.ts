// Guards that the round-trip, fuzz and truncation tests reach every codec
// src/jute exports: a record added to src/jute without a table entry in
// records.ts fails here instead of going untested. Also covers the two
// readers that are helpers rather than records (readACLs, readCreateTxnOrV0).
import assert from "node:assert/strict";
import fc from "fast-check";
import * as jute from "../../../src/jute/mod.ts";
import { acls, buf, int, RECORDS, str } from "./records.ts";

const exported = jute as unknown as Record<string, unknown>;
const readers = Object.keys(exported).filter((k) => /^read[A-Z]/.test(k));
// Readers that are not records of their own; each is tested below.
const HELPERS = new Set(["readACLs", "readCreateTxnOrV0"]);

Deno.test("every exported readX has a writeX", () => {
  const missing = readers.filter((k) => typeof exported[`write${k.slice(4)}`] !== "function");
  assert.deepEqual(missing.filter((k) => !HELPERS.has(k)), []);
});

Deno.test("every exported record reader is in the round-trip table, under its own name", () => {
  const inTable = new Set(RECORDS.map((r) => r.read));
  const untested = readers.filter((k) => !HELPERS.has(k) && !inTable.has(exported[k] as never));
  assert.deepEqual(untested, [], "add these to tests/unit/jute/records.ts");
  for (const r of RECORDS) {
    assert.equal(exported[`read${r.name}`], r.read, `read${r.name}`);
    assert.equal(exported[`write${r.name}`], r.write, `write${r.name}`);
  }
});

Deno.test("readACLs/writeACLs round-trip any ACL vector, null included", () => {
  fc.assert(
    fc.property(acls, (v) => {
      const bytes = jute.encode(jute.writeACLs, v);
      const r = new jute.Reader(bytes);
      assert.deepEqual(jute.readACLs(r), v);
      assert.ok(r.done);
    }),
  );
});

const createTxnV0 = fc.record({ path: str, data: buf, acl: acls, ephemeral: fc.boolean() });

Deno.test("readCreateTxnOrV0 reads a CreateTxn whole, and a CreateTxnV0 with parentCVersion -1", () => {
  fc.assert(
    fc.property(createTxnV0, int, (v0, parentCVersion) => {
      const full = { ...v0, parentCVersion };
      const r = new jute.Reader(jute.encode(jute.writeCreateTxn, full));
      assert.deepEqual(jute.readCreateTxnOrV0(r), full);
      assert.ok(r.done);
      const r0 = new jute.Reader(jute.encode(jute.writeCreateTxnV0, v0));
      assert.deepEqual(jute.readCreateTxnOrV0(r0), { ...v0, parentCVersion: -1 });
      assert.ok(r0.done);
    }),
  );
});

Deno.test("readCreateTxnOrV0 on a body cut inside parentCVersion is a DecodeError, not a V0", () => {
  const bytes = jute.encode(jute.writeCreateTxn, {
    path: "/a",
    data: null,
    acl: [],
    ephemeral: false,
    parentCVersion: 3,
  });
  for (let cut = 1; cut < 4; cut++) {
    assert.throws(
      () => jute.readCreateTxnOrV0(new jute.Reader(bytes.subarray(0, bytes.length - cut))),
      jute.DecodeError,
    );
  }
});

Deno.test("any bytes fed to readACLs or readCreateTxnOrV0 give a value or a DecodeError", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(jute.readACLs, jute.readCreateTxnOrV0),
      fc.uint8Array({ maxLength: 64 }),
      (read, bytes) => {
        try {
          read(new jute.Reader(bytes));
        } catch (e) {
          if (!(e instanceof jute.DecodeError)) throw e;
        }
      },
    ),
    { numRuns: 500 },
  );
});
