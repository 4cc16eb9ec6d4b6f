// What a serving learner asks of the leader's host (zab-3.8.md §6): the
// sessions its PING reply touched, forwarded client requests and syncs, and
// session revalidations (answered once the host has decided).
import { OpCode } from "../jute/constants.ts";
import { logger } from "../log/logger.ts";
import type { ZabHost } from "./leader_host.ts";
import type { Link } from "./leader_links.ts";
import { PacketType } from "./packet_types.ts";
import {
  parseRequest,
  parseRevalidate,
  parseTouches,
  type QuorumPacket,
  revalidateReplyPacket,
} from "./packets.ts";
import type { ZabLog } from "./zab_log.ts";

const log = logger("Leader");

/** What learner requests need from the leader shell. */
export interface RequestsContext {
  zabLog: ZabLog;
  host?: ZabHost;
  /** Answers a forwarded sync (no host to submit it to). */
  sync(sid: bigint): void;
  /** Sends an answer to l if it is still connected. */
  reply(l: Link, p: QuorumPacket): void;
}

/** Hands a PING reply, REQUEST or REVALIDATE to the host; false for any other packet. */
export function learnerRequest(c: RequestsContext, l: Link, p: QuorumPacket): boolean {
  switch (p.type) {
    case PacketType.PING:
      c.host?.touch?.(l.sid, parseTouches(p));
      return true;
    case PacketType.REQUEST: {
      l.requests++;
      const req = parseRequest(p);
      if (c.host?.submit) c.host.submit(l.sid, req);
      else if (req.type === OpCode.sync) c.sync(l.sid);
      else log.warn(`Dropping a forwarded request type ${req.type} from sid ${l.sid}: no host`);
      return true;
    }
    case PacketType.REVALIDATE: {
      const { sessionId, timeout } = parseRevalidate(p);
      const host = c.host?.revalidate;
      const answer = host ? host(l.sid, sessionId, timeout) : c.zabLog.tree.sessions.has(sessionId);
      Promise.resolve(answer).then(
        (valid) => c.reply(l, revalidateReplyPacket(sessionId, valid)),
        (e) => log.warn(`revalidating 0x${sessionId.toString(16)}: ${(e as Error).message}`),
      );
      return true;
    }
    default:
      return false;
  }
}
