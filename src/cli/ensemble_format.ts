// Renders `zkt ensemble status`: an aligned table with the verdict under it for
// people, one JSON object per refresh for programs.
import type { EnsembleStatus, StatusRow } from "../inspect/ensemble_status.ts";
import { renderTable } from "./table.ts";

const dash = <T>(v: T | null) => v === null ? "-" : v;

/** "3.8.4" for Apache ZooKeeper, "zkt 0.1.0" for zkt (its srvr says "3.8.0-zkt-0.1.0"). */
export function shortVersion(v: string | null): string {
  if (v === null || v === "") return "-";
  const zkt = v.match(/-zkt-(\S+)/);
  if (zkt) return `zkt ${zkt[1]}`;
  return v.split("-")[0];
}

function election(r: StatusRow): string {
  if (r.electionState === null) return "-";
  return `${r.electionState.toUpperCase()} ${r.electionLeader}`;
}

function lag(r: StatusRow): string | number {
  if (r.lagEpochBehind) return "old epoch";
  return dash(r.lag);
}

/** The table and the verdict lines. */
export function formatStatus(s: EnsembleStatus, at: Date): string {
  const rows = s.rows.map((r) => [
    dash(r.sid),
    dash(r.client),
    r.type === null ? "-" : r.type === "participant" ? "voter" : "observer",
    r.role.toUpperCase(),
    dash(r.epoch),
    dash(r.zxid),
    lag(r),
    dash(r.outstanding),
    dash(r.connections),
    election(r),
    shortVersion(r.version),
  ]);
  const table = renderTable(
    [
      "SID",
      "CLIENT",
      "TYPE",
      "ROLE",
      "EPOCH",
      "ZXID",
      "LAG",
      "OUTSTANDING",
      "CONNS",
      "ELECTION",
      "VERSION",
    ],
    rows,
  );
  const v = s.verdict;
  const lines = [`ensemble status at ${at.toISOString()}`, table.trimEnd()];
  const who = (r: StatusRow) => r.sid !== null ? `sid ${r.sid}` : r.client ?? "?";
  for (const r of s.rows) {
    for (const e of r.errors) lines.push(`  ${who(r)}: ${e}`);
    for (const n of r.notes) lines.push(`  ${who(r)}: ${n}`);
  }
  lines.push(
    `membership: ${v.membershipSource ?? "unknown"}`,
    v.agree
      ? `leader: ${v.leader ?? "sid unknown"} at ${v.leaderClient ?? "?"} ` +
        `(last zxid ${v.leaderZxid ?? "?"}); every peer agrees`
      : "leader: none agreed",
  );
  for (const n of v.notes) lines.push(n);
  for (const p of v.problems) lines.push(`PROBLEM: ${p}`);
  lines.push(s.exitCode === 0 ? "healthy" : "UNHEALTHY");
  return lines.join("\n") + "\n";
}

/** One JSON object (a line) per refresh. */
export function statusJson(s: EnsembleStatus, at: Date): string {
  return JSON.stringify({
    time: at.toISOString(),
    healthy: s.exitCode === 0,
    leader: s.verdict.leader,
    leaderZxid: s.verdict.leaderZxid,
    leaderClient: s.verdict.leaderClient,
    agree: s.verdict.agree,
    quorum: s.verdict.quorum,
    voters: s.verdict.voters,
    servingVoters: s.verdict.servingVoters,
    membership: s.verdict.membershipSource,
    problems: s.verdict.problems,
    notes: s.verdict.notes,
    servers: s.rows.map((r) => ({
      sid: r.sid,
      client: r.client,
      election: r.election,
      type: r.type,
      role: r.role,
      version: r.version,
      epoch: r.epoch,
      zxid: r.zxid,
      lag: r.lag,
      olderEpoch: r.lagEpochBehind,
      outstanding: r.outstanding,
      connections: r.connections,
      electionState: r.electionState,
      electionLeader: r.electionLeader,
      leaderView: r.leaderView,
      errors: r.errors,
      notes: r.notes,
    })),
  }) + "\n";
}
