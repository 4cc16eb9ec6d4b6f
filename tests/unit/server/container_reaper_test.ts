// ContainerManager's candidates: used-and-empty containers; expired empty TTL
// nodes only with extended types on.
import assert from "node:assert/strict";
import { DataTree } from "../../../src/data/tree.ts";
import { CONTAINER_OWNER, ttlOwner } from "../../../src/data/node_kind.ts";
import { reapCandidates } from "../../../src/server/container_reaper.ts";

function tree(extendedTypes: boolean): DataTree {
  const t = new DataTree({ extendedTypes });
  let z = 1n;
  t.createNode("/never-used", null, null, CONTAINER_OWNER, -1, z++, 1000);
  t.createNode("/used", null, null, CONTAINER_OWNER, -1, z++, 1000);
  t.createNode("/used/kid", null, null, 0n, -1, z++, 1000);
  t.createNode("/full", null, null, CONTAINER_OWNER, -1, z++, 1000);
  t.createNode("/full/kid", null, null, 0n, -1, z++, 1000);
  t.deleteNode("/used/kid", z++);
  t.createNode("/ttl-old", null, null, ttlOwner(500n), -1, z++, 1000);
  t.createNode("/ttl-new", null, null, ttlOwner(500n), -1, z++, 1400);
  return t;
}

Deno.test("reapCandidates: containers that had a child and have none; TTL nodes past their TTL", () => {
  assert.deepEqual(reapCandidates(tree(false), 1600), ["/used"]);
  assert.deepEqual(reapCandidates(tree(true), 1600), ["/used", "/ttl-old"]);
});
