// Session ids per server, as each 3.8 server makes them: its myid in the high byte and the
// clock bits at start below it, then +1 per session. Ids of different servers never collide,
// so a learner picks an id without asking the leader, and a leader accepts ids of any sid.
import { initialSessionId } from "../session_id.ts";

/** The sid a session id was made by (3.8's getServerIdFromSessionId: the signed high byte). */
export function serverIdOfSession(id: bigint): bigint {
  return BigInt.asIntN(64, id) >> 56n;
}

/** Hands out one server's session ids in order (3.8's nextSessionId.getAndIncrement). */
export class SessionIdGenerator {
  private next: bigint;

  /** Starts at `initialSessionId(serverId, nowMs)`. */
  constructor(serverId: number | bigint, nowMs: number) {
    this.next = initialSessionId(serverId, nowMs);
  }

  /** The next id (a Java long: wraps to negative past 2^63 - 1, as a 255 high byte is). */
  allocate(): bigint {
    const id = this.next;
    this.next = BigInt.asIntN(64, this.next + 1n);
    return id;
  }
}
