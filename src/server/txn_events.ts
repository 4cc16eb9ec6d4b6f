// What a committed txn's tree events do beyond the tree: the watches they fire
// (minus watchers that may not read the node), the watch and write metrics, and
// the Java child/ephemeral orders kept in step. Pure: fires are returned for the
// caller to deliver behind the txn's durability.
import type { TreeEvent } from "../data/apply.ts";
import type { ACL } from "../jute/data.ts";
import { Perms } from "../jute/constants.ts";
import { aclAllows } from "./acl.ts";
import type { Fire, ReadContext } from "./read_ops.ts";

/** Watch event numbers by applyTxn's event type. */
const EVENT_TYPES = { created: 1, deleted: 2, dataChanged: 3, childrenChanged: 4 } as const;

/** The watch events of one txn's tree events, in DataTree's order; counts them in metrics. */
export function txnFires(
  s: Pick<ReadContext, "tree" | "watches" | "metrics" | "order">,
  events: readonly TreeEvent[],
): Fire[] {
  const fires: Fire[] = [];
  for (const ev of events) {
    const from = fires.length;
    s.watches.fire(ev, fires);
    s.metrics.watchersFired(EVENT_TYPES[ev.type], fires.length - from);
    if (ev.type !== "childrenChanged") {
      const data = ev.type === "deleted" ? null : s.tree.get(ev.path)?.data;
      s.metrics.writeStat(ev.path, data?.length ?? 0);
    }
    if (ev.acl) dropUnreadable(fires, from, ev.acl);
    s.order.track(s.tree, ev);
  }
  return fires;
}

/**
 * Drops fires (from index `from`) whose watcher lacks READ on the changed node:
 * 3.8 with the CVE-2024-23944 fix (Debian's 3.8.0-11+deb12u2, upstream 3.8.4)
 * checks the node's ACL at delivery; a one-shot watch is used up all the same.
 */
function dropUnreadable(fires: Fire[], from: number, acl: readonly ACL[]): void {
  let keep = from;
  for (let i = from; i < fires.length; i++) {
    if (aclAllows(acl, Perms.READ, fires[i].watcher.authInfo)) fires[keep++] = fires[i];
  }
  fires.length = keep;
}
