// The I/O shell of `zkt ensemble status`: asks every server concurrently, each
// with its own timeout: srvr (always whitelisted in 3.8) and conf on the client
// port, the AdminServer's zabstate/voting_view when conf is refused, and the
// election port (probe-election's core, passed in by the cli). A server that does not answer becomes a fact
// ("cannot connect ..."), never an exception.
import { parseDynamicConfig } from "../config/quorum_verifier.ts";
import type { HostPort, QuorumServer, QuorumVerifier } from "../config/types.ts";
import { isWildcard, sameHost } from "../config/ports.ts";
import { formatHostPort } from "../config/server_spec.ts";
import { MajorityQuorum } from "../config/quorum_verifier.ts";
import { parseHostPort, sendFourLetter } from "../net/four_letter_client.ts";
import { type AdminReply, fetchAdmin } from "./admin_client.ts";
import type { EnsembleConfig } from "./ensemble_config.ts";
import {
  type ConfInfo,
  type ElectionAnswer,
  parseConf,
  parseSrvr,
  type PeerFacts,
  type StatusInput,
} from "./ensemble_status.ts";

/** What to ask. */
export interface GatherOptions {
  config: EnsembleConfig | null;
  /** Client addresses given on the command line. */
  addresses: { hostname: string; port: number }[];
  /** Per request (srvr, conf, one election probe, one AdminServer call). */
  timeoutMs: number;
  /** The AdminServer port to try when conf is refused (default: zoo.cfg's, else 8080). */
  adminPort?: number;
  /** What earlier refreshes learnt (--watch): a peer that stops serving stops answering conf. */
  memory?: GatherMemory;
  /** The election probe (the cli passes probe-election's core: inspect does not speak election). */
  askElection: ElectionProbe;
}

/** Identities and membership learnt once, kept across refreshes. */
export interface GatherMemory {
  /** Client address → the sid and election port it said it has. */
  identity: Map<string, { sid: number; electionPort: number | null }>;
  membership: { verifier: QuorumVerifier; from: string } | null;
}

/** An empty memory for a run of refreshes. */
export function newGatherMemory(): GatherMemory {
  return { identity: new Map(), membership: null };
}

type SrvrFact = NonNullable<PeerFacts["srvr"]>;

/** One client address asked: srvr, and who it is (conf, else AdminServer). */
interface ClientProbe {
  addr: { hostname: string; port: number };
  srvr: SrvrFact;
  /** From conf or zabstate. */
  sid: number | null;
  electionPort: number | null;
  membership: { text: string; from: string } | null;
  /** The AdminServer's voting_view, when conf gave no membership. */
  adminMembers: QuorumServer[] | null;
  notes: string[];
}

const msg = (e: unknown) => (e as Error).message ?? String(e);
const addrText = (a: { hostname: string; port: number }) =>
  formatHostPort({ host: a.hostname, port: a.port });

async function askSrvr(a: ClientProbe["addr"], timeoutMs: number): Promise<SrvrFact> {
  try {
    const info = parseSrvr(await sendFourLetter(a.hostname, a.port, "srvr", timeoutMs));
    return info === null ? { notServing: true } : { info };
  } catch (e) {
    return { error: `srvr: ${msg(e)}` };
  }
}

async function askConf(a: ClientProbe["addr"], timeoutMs: number): Promise<ConfInfo | string> {
  try {
    const c = parseConf(await sendFourLetter(a.hostname, a.port, "conf", timeoutMs));
    return c ?? "conf: not serving";
  } catch (e) {
    return `conf: ${msg(e)}`;
  }
}

function hostPortOf(v: unknown): HostPort | null {
  if (typeof v !== "string") return null;
  try {
    // "host:port", Java's "name/ip:port", or several '|'-separated: the first.
    const { hostname, port } = parseHostPort(v.split("|")[0].replace(/^[^/]*\//, ""));
    return { host: hostname, port };
  } catch {
    return null;
  }
}

/** voting_view's current_config → server records (enough for a majority verifier). */
function membersFromVotingView(r: AdminReply): QuorumServer[] | null {
  const cc = r.current_config;
  if (cc === null || typeof cc !== "object") return null;
  const out: QuorumServer[] = [];
  for (const [sid, v] of Object.entries(cc as Record<string, Record<string, unknown>>)) {
    if (!/^\d+$/.test(sid)) continue;
    const list = (x: unknown) =>
      (Array.isArray(x) ? x : []).map(hostPortOf).filter((h): h is HostPort => h !== null);
    const qs: QuorumServer = {
      id: Number(sid),
      addrs: list(v.server_addresses),
      electionAddrs: list(v.election_addresses),
      type: v.learner_type === "observer" ? "observer" : "participant",
    };
    const c = hostPortOf(v.client_address);
    if (c) qs.clientAddr = c;
    out.push(qs);
  }
  return out.length > 0 ? out : null;
}

/** Who answers at a client address, from its AdminServer (when conf is refused or not serving). */
async function askAdmin(
  a: ClientProbe["addr"],
  adminPort: number,
  timeoutMs: number,
  p: ClientProbe,
): Promise<void> {
  const h = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
  const base = `http://${h}:${adminPort}`;
  let z: AdminReply;
  try {
    z = await fetchAdmin(base, "zabstate", timeoutMs);
  } catch (e) {
    p.notes.push(msg(e).replace(/ \(check admin\.enableServer.*$/, ""));
    return;
  }
  // Several peers on one host share no admin port: accept it only if it is this peer's.
  const client = hostPortOf(z.client_address);
  if (client && client.port !== a.port) {
    p.notes.push(`the AdminServer at ${base} belongs to the peer at client port ${client.port}`);
    return;
  }
  const myid = z.myid;
  if (typeof myid === "number" || typeof myid === "bigint") p.sid = Number(myid);
  const el = hostPortOf(z.election_address);
  if (el) p.electionPort = el.port;
  try {
    p.adminMembers = membersFromVotingView(await fetchAdmin(base, "voting_view", timeoutMs));
  } catch { /* zabstate was enough to name it */ }
}

async function askClient(
  addr: ClientProbe["addr"],
  o: GatherOptions,
  withAdmin: boolean,
): Promise<ClientProbe> {
  const [srvr, conf] = await Promise.all([
    askSrvr(addr, o.timeoutMs),
    askConf(addr, o.timeoutMs),
  ]);
  const p: ClientProbe = {
    addr,
    srvr,
    sid: null,
    electionPort: null,
    membership: null,
    adminMembers: null,
    notes: [],
  };
  if (typeof conf !== "string") {
    p.sid = conf.serverId;
    p.electionPort = conf.electionPort;
    if (conf.membership) {
      p.membership = { text: conf.membership, from: `conf of ${addrText(addr)}` };
    }
  } else if (!("error" in srvr)) {
    const adminPort = o.adminPort ?? o.config?.adminPort ?? 8080;
    if (withAdmin) await askAdmin(addr, adminPort, o.timeoutMs, p);
    if (p.sid === null) p.notes.unshift(`identity unknown: ${conf}`);
  }
  const key = addrText(addr);
  const known = o.memory?.identity.get(key);
  if (p.sid !== null) o.memory?.identity.set(key, { sid: p.sid, electionPort: p.electionPort });
  else if (known) {
    p.sid = known.sid;
    p.electionPort = known.electionPort;
    p.notes = [`sid ${known.sid} as it said in an earlier refresh (${conf})`];
  }
  return p;
}

/** Asks one election port whom it votes for or follows (probe-election); never throws. */
export type ElectionProbe = (
  where: HostPort,
  timeoutMs: number,
) => Promise<{ answer: ElectionAnswer } | { error: string }>;

/** A usable host: a wildcard bind address is reached at `fallback`. */
function reach(host: string, fallback: string | undefined): string | undefined {
  return isWildcard(host) ? fallback : host;
}

/** The membership from the probes: the highest config version that parses. */
function membershipFromProbes(probes: ClientProbe[]): {
  verifier: QuorumVerifier;
  from: string;
} | null {
  let best: { verifier: QuorumVerifier; from: string } | null = null;
  for (const p of probes) {
    if (p.membership) {
      try {
        const v = parseDynamicConfig(p.membership.text);
        if (!best || v.version > best.verifier.version) {
          best = { verifier: v, from: p.membership.from };
        }
      } catch (e) {
        p.notes.push(`its membership does not parse: ${msg(e)}`);
      }
    }
  }
  if (best) return best;
  for (const p of probes) {
    if (p.adminMembers) {
      return {
        verifier: new MajorityQuorum(p.adminMembers),
        from: `voting_view of the AdminServer of ${addrText(p.addr)} (voters only)`,
      };
    }
  }
  return null;
}

/** Asks every server once and returns the facts for ensembleStatus. */
/** One member of the membership while its facts are gathered. */
interface MemberWork {
  server: QuorumServer;
  /** The listed address that said (or was matched to) this sid. */
  listed?: ClientProbe;
  /** A client address from zoo.cfg, checked against conf's serverId where conf answers. */
  fromConfig?: HostPort;
  election?: HostPort;
  asked?: ClientProbe;
  vote?: NonNullable<PeerFacts["vote"]>;
  notes: string[];
}

/**
 * The client addresses zoo.cfg gives servers without a ";clientPort" part:
 * clientPort is the myid server's own; on another server's host it is a guess
 * (the usual layout), unless that host is shared, where one port cannot serve two.
 */
export function derivedClients(cfg: EnsembleConfig, qv: QuorumVerifier): Map<number, HostPort> {
  const out = new Map<number, HostPort>();
  if (!cfg.clientPort) return out;
  const port = cfg.clientPort;
  const hostOf = (s: QuorumServer) => reach(s.addrs[0]?.host ?? "", undefined);
  const mine = cfg.myid === undefined ? undefined : qv.allMembers.get(cfg.myid);
  if (mine && !mine.clientAddr) {
    const own = cfg.clientPortAddress && !isWildcard(cfg.clientPortAddress)
      ? cfg.clientPortAddress
      : hostOf(mine);
    if (own) out.set(mine.id, { host: own, port });
  }
  const guesses = [...qv.allMembers.values()].filter((s) => s !== mine && !s.clientAddr);
  for (const s of guesses) {
    const h = hostOf(s);
    if (!h) continue;
    const shared = [...qv.allMembers.values()].some((o) =>
      o !== s && !o.clientAddr && o.addrs.some((a) => sameHost(a.host, h))
    );
    if (!shared) out.set(s.id, { host: h, port });
  }
  return out;
}

/** Asks every server once and returns the facts for ensembleStatus. */
export async function gatherFacts(o: GatherOptions): Promise<StatusInput> {
  const listed = await Promise.all(o.addresses.map((a) => askClient(a, o, true)));
  const cfg = o.config;
  let fromProbes = cfg ? null : membershipFromProbes(listed);
  if (!cfg && o.memory) {
    if (fromProbes) o.memory.membership = fromProbes;
    else if (o.memory.membership) {
      const m = o.memory.membership;
      fromProbes = { verifier: m.verifier, from: `${m.from} (an earlier refresh)` };
    }
  }
  const verifier = cfg?.verifier ?? fromProbes?.verifier ?? null;
  const membershipSource = cfg ? `zoo.cfg ${cfg.path}` : fromProbes?.from ?? null;

  const work = new Map<number, MemberWork>();
  let unnamed = listed;
  if (verifier) {
    const derived = cfg ? derivedClients(cfg, verifier) : new Map<number, HostPort>();
    for (const [sid, s] of verifier.allMembers) {
      const w: MemberWork = { server: s, notes: [] };
      w.listed = listed.find((p) => p.sid === sid);
      if (!w.listed && s.clientAddr) {
        const host = reach(s.clientAddr.host, s.addrs[0]?.host);
        if (host && !isWildcard(host)) w.fromConfig = { host, port: s.clientAddr.port };
      }
      if (!w.listed && !w.fromConfig) w.fromConfig = derived.get(sid);
      const el = s.electionAddrs[0];
      const elHost = el ? reach(el.host, s.addrs[0]?.host ?? w.fromConfig?.host) : undefined;
      if (el && elHost && !isWildcard(elHost)) w.election = { host: elHost, port: el.port };
      work.set(sid, w);
    }
    unnamed = listed.filter((p) => p.sid === null || work.get(p.sid)?.listed !== p);
    // A client address from zoo.cfg that a listed address already covers is not asked twice.
    for (const w of work.values()) {
      const f = w.fromConfig;
      const dup = f &&
        unnamed.find((p) =>
          p.sid === null && p.addr.port === f.port && sameHost(p.addr.hostname, f.host)
        );
      if (dup) {
        w.listed = dup;
        w.fromConfig = undefined;
        unnamed = unnamed.filter((p) => p !== dup);
      }
    }
    await Promise.all([...work.values()].map(async (w) => {
      const [asked, vote] = await Promise.all([
        w.fromConfig
          ? askClient({ hostname: w.fromConfig.host, port: w.fromConfig.port }, o, false)
          : undefined,
        w.election ? o.askElection(w.election, o.timeoutMs) : undefined,
      ]);
      w.asked = asked;
      w.vote = vote;
    }));
    matchUnnamed(unnamed, work);
    unnamed = unnamed.filter((p) => ![...work.values()].some((w) => w.listed === p));
  }

  const peers: PeerFacts[] = [...work.values()].map(memberFacts);
  // Addresses that are not (known) members: a row each, election port from their conf.
  peers.push(
    ...await Promise.all(unnamed.map(async (p) => {
      const election = p.electionPort !== null
        ? { host: p.addr.hostname, port: p.electionPort }
        : undefined;
      const f: PeerFacts = {
        sid: p.sid,
        client: addrText(p.addr),
        election: election ? formatHostPort(election) : null,
        type: null,
        srvr: p.srvr,
        notes: [...p.notes],
      };
      if (election) f.vote = await o.askElection(election, o.timeoutMs);
      else f.notes.push("election port unknown (conf not answered)");
      return f;
    })),
  );
  const out: StatusInput = { peers, verifier, membershipSource };
  const leaders = peers.filter((p) => p.srvr && "info" in p.srvr && p.srvr.info.mode === "leader");
  if (leaders.length === 1 && leaders[0].client) {
    const mntr = await askMntr(leaders[0].client, o.timeoutMs);
    if (mntr) out.leaderMntr = mntr;
  }
  return out;
}

/**
 * Gives listed addresses that did not say their sid (conf refused, no
 * AdminServer) to members with no client address: the one whose srvr says
 * leader is the member whose election port says it leads; a last one left on
 * the last member's host is that member.
 */
function matchUnnamed(unnamed: ClientProbe[], work: Map<number, MemberWork>): void {
  const open = () => [...work.values()].filter((w) => !w.listed && !w.fromConfig);
  const left = () =>
    unnamed.filter((p) => p.sid === null && ![...work.values()].some((w) => w.listed === p));
  const give = (p: ClientProbe, w: MemberWork, how: string) => {
    w.listed = p;
    w.notes.push(
      `${addrText(p.addr)} matched to sid ${w.server.id} ${how} (it did not say its sid)`,
    );
  };
  const leaderAddr = left().filter((p) => "info" in p.srvr && p.srvr.info.mode === "leader");
  const leading = open().filter((w) =>
    w.vote && "answer" in w.vote && w.vote.answer.state === "leading"
  );
  if (leaderAddr.length === 1 && leading.length === 1) {
    give(leaderAddr[0], leading[0], "as the one leader");
  }
  const l = left();
  const m = open();
  if (
    l.length === 1 && m.length === 1 &&
    m[0].server.addrs.some((a) => sameHost(a.host, l[0].addr.hostname))
  ) {
    give(l[0], m[0], "by elimination");
  }
}

/** One member's facts from what was asked. */
function memberFacts(w: MemberWork): PeerFacts {
  const sid = w.server.id;
  const notes = [...w.notes];
  const probe = w.listed ?? w.asked;
  const client = w.listed
    ? { host: w.listed.addr.hostname, port: w.listed.addr.port }
    : w.fromConfig;
  let srvr = probe?.srvr;
  if (w.asked && w.asked.sid !== null && w.asked.sid !== sid) {
    srvr = { error: `${formatHostPort(client!)} answers as sid ${w.asked.sid}, not ${sid}` };
  }
  if (w.listed) notes.push(...w.listed.notes);
  else if (w.asked) notes.push(...w.asked.notes.filter((n) => !n.startsWith("identity unknown")));
  if (!client) {
    notes.push("client address unknown: list its HOST:PORT, or give its server line a ;clientPort");
  }
  const f: PeerFacts = {
    sid,
    client: client ? formatHostPort(client) : null,
    election: w.election ? formatHostPort(w.election) : null,
    type: w.server.type,
    notes,
  };
  if (srvr) f.srvr = srvr;
  if (w.vote) f.vote = w.vote;
  else notes.push("election address unknown");
  return f;
}

/** The leader's mntr as key → value; undefined when refused or unanswered (it is optional). */
async function askMntr(
  client: string,
  timeoutMs: number,
): Promise<Map<string, string> | undefined> {
  try {
    const { hostname, port } = parseHostPort(client);
    const text = await sendFourLetter(hostname, port, "mntr", timeoutMs);
    const m = new Map<string, string>();
    for (const line of text.split("\n")) {
      const tab = line.indexOf("\t");
      if (tab > 0) m.set(line.slice(0, tab), line.slice(tab + 1).trim());
    }
    return m;
  } catch {
    return undefined;
  }
}
