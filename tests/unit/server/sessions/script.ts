// Runs a session-tracker script (the step language of SessionOracle.java) against zkt's
// trackers, one result line per step, so the same script can be checked against a table of
// expected lines and against Apache ZooKeeper 3.8's own trackers.
import { ErrorCode } from "../../../../src/jute/constants.ts";
import type { SessionOwner } from "../../../../src/server/session_tracker.ts";
import { serverIdOfSession } from "../../../../src/server/sessions/ids.ts";
import {
  LeaderSessionTracker,
  LOCAL_OWNER,
} from "../../../../src/server/sessions/leader_tracker.ts";
import { LearnerSessionTracker } from "../../../../src/server/sessions/learner_tracker.ts";

const TICK_MS = 2000; // SessionOracle.java builds its trackers with tickTime 2000

/** A Java long from a script word: 0x... unsigned hex or signed decimal. */
export function javaLong(w: string): bigint {
  return BigInt.asIntN(64, BigInt(w));
}

/** The exception name SessionOracle.java prints for a KeeperException, "ok" for none. */
function outcome(err: number): string {
  switch (err) {
    case ErrorCode.Ok:
      return "ok";
    case ErrorCode.SessionExpired:
      return "SessionExpired";
    case ErrorCode.SessionMoved:
      return "SessionMoved";
    case ErrorCode.UnknownSession:
      return "UnknownSession";
    default:
      return `error ${err}`;
  }
}

/** Runs the steps in order against fresh trackers; one output line per step. */
export function runScript(steps: readonly string[]): string[] {
  const aliases = new Map<string, bigint>();
  let leader: LeaderSessionTracker | null = null;
  let learner: LearnerSessionTracker | null = null;
  let now = 1_000_000;
  const session = (w: string) => aliases.get(w) ?? javaLong(w);
  const owner = (w: string): SessionOwner => w === "me" ? LOCAL_OWNER : `owner:${w}`;
  const name = (id: bigint) => [...aliases].find(([, v]) => v === id)?.[0] ?? String(id);
  const lead = () => {
    if (!leader) throw new Error("step needs a leader tracker");
    return leader;
  };
  const learn = () => {
    if (!learner) throw new Error("step needs a learner tracker");
    return learner;
  };
  const out: string[] = [];
  for (const line of steps) {
    const w = line.trim().split(/ +/);
    const t = leader ?? learner;
    now += 1;
    const to = Number(w[2]);
    let r: string;
    switch (w[0]) {
      case "new": {
        aliases.clear();
        const opts = {
          tickMs: TICK_MS,
          serverId: BigInt(w[2]),
          now,
          localSessionsEnabled: w[3] === "1",
          sessions: w.slice(4).map((kv) => {
            const [id, timeout] = kv.split(":");
            return [javaLong(id), Number(timeout)] as const;
          }),
        };
        leader = w[1] === "leader" ? new LeaderSessionTracker(opts) : null;
        learner = w[1] === "leader" ? null : new LearnerSessionTracker(opts);
        r = "ok";
        break;
      }
      case "create": {
        const id = t!.createSession(to, now);
        aliases.set(w[1], id);
        r = `sid=${serverIdOfSession(id)}`;
        break;
      }
      case "track":
        r = String(leader ? leader.trackSession(session(w[1]), to, now) : false);
        break;
      case "commit":
        r = String(t!.commitSession(session(w[1]), to));
        break;
      case "touch":
        r = String(t!.touchSession(session(w[1]), to, now));
        break;
      case "check":
        r = outcome(t!.checkSession(session(w[1]), owner(w[2])));
        break;
      case "checkGlobal":
        r = outcome(lead().checkGlobalSession(session(w[1]), owner(w[2])));
        break;
      case "setOwner":
        r = outcome(t!.setOwner(session(w[1]), owner(w[2])));
        break;
      case "prepCreate":
        r = outcome(lead().prepCreateSession(session(w[1]), to, owner(w[3]), now));
        break;
      case "revalidate":
        r = String(lead().revalidate(session(w[1]), to, owner(w[3]), now));
        break;
      case "reconnect":
        r = String(lead().reconnect(session(w[1]), to, now));
        break;
      case "closing":
        t!.setSessionClosing(session(w[1]));
        r = "ok";
        break;
      case "remove":
        t!.removeSession(session(w[1]));
        r = "ok";
        break;
      case "upgrade":
        r = String(t!.upgradeSession(session(w[1]), now));
        break;
      case "isLocal":
        r = String(t!.isLocalSession(session(w[1])));
        break;
      case "isGlobal":
        r = String(t!.isGlobalSession(session(w[1])));
        break;
      case "isUpgrading":
        r = String(t!.isUpgradingSession(session(w[1])));
        break;
      case "isTracking":
        r = String(t!.isTrackingSession(session(w[1])));
        break;
      case "snapshot":
        r = learn().snapshot()
          .map((e) => [name(e.sessionId), e.timeout] as const)
          .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
          .map(([n, v]) => `${n}:${v}`)
          .join(",");
        break;
      case "end":
        r = "end";
        break;
      default:
        throw new Error(`unknown step: ${line}`);
    }
    out.push(r);
  }
  return out;
}
