// Whether a connect request may have a session, and on what terms: 3.8's
// ZooKeeperServer.processConnectRequest rules, in its order. Pure: the server
// acts on the answer (closes, creates a session, or checks it is alive).
import type { ConnectReq } from "./codec.ts";
import { hexId, sessionPassword } from "./session_id.ts";

/** What the server is, as the admission rules see it. */
export interface AdmissionState {
  lastZxid: bigint;
  minSessionTimeout: number;
  maxSessionTimeout: number;
}

/** The answer: refuse (close, logging `why`), a new session, or a reconnect. */
export type Admission =
  | { kind: "refuse"; why: string }
  | { kind: "new"; timeout: number }
  | { kind: "reconnect"; timeout: number; sessionId: bigint; passwordOk: boolean };

/** Applies the connect rules to a request from `remote`. */
export function admit(req: ConnectReq, s: AdmissionState, remote: string): Admission {
  if (req.lastZxidSeen > s.lastZxid) {
    return {
      kind: "refuse",
      why: `Refusing session request for client ${remote} as it has seen zxid ` +
        `${hexId(req.lastZxidSeen)} our last zxid is ${hexId(s.lastZxid)} ` +
        `client must try another server`,
    };
  }
  const timeout = Math.min(Math.max(req.timeOut, s.minSessionTimeout), s.maxSessionTimeout);
  if (req.sessionId === 0n) return { kind: "new", timeout };
  const pw = sessionPassword(req.sessionId);
  const passwordOk = req.passwd.length === pw.length && req.passwd.every((b, i) => b === pw[i]);
  return { kind: "reconnect", timeout, sessionId: req.sessionId, passwordOk };
}
