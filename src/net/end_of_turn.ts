// Where a connection's writer waits before writing what is queued: until the
// event loop has run every callback ready now (node's setImmediate), not just
// the microtasks of this one. A leader's PROPOSALs and COMMITs, a learner's
// ACKs and a batch of client replies come out of separate socket reads and
// fsync completions in the same turn; waiting one microtask gave each its own
// send() syscall, the largest cost of a write in an ensemble.
import { setImmediate } from "node:timers";

/** Resolves once the callbacks ready in this turn of the event loop have run. */
export function endOfTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
