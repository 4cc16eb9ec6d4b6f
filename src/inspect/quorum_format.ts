// Text for the quorum side of `zkt conns`: the peer's vote, its election
// connections and its Zab learner links. Pure: `now` comes from the caller.
import type { QuorumInfo, VoteInfo } from "./admin_client.ts";

/** "3.2s ago", "5m ago" — how long since a notification. */
function age(t: number | undefined, nowMs: number): string {
  if (t === undefined) return "";
  const s = Math.max(0, (nowMs - t) / 1000);
  if (s < 60) return `${s.toFixed(1)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

/** One vote or notification in a cell: "leading 3 0x100000005 e2/1 (1.0s ago)". */
export function voteText(v: VoteInfo | null, nowMs: number): string {
  if (!v) return "-";
  const when = age(v.time, nowMs);
  return `${v.state} ${v.leader} ${v.zxid} e${v.electionEpoch}/${v.peerEpoch}` +
    (when ? ` (${when})` : "");
}

/** Renders rows as left-aligned columns (two spaces apart). */
function columns(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n";
  return line(header) + rows.map(line).join("");
}

/** The quorum section of the table output. */
export function formatQuorum(q: QuorumInfo, nowMs: number): string {
  if (q.myId === null) {
    return `quorum: none (${q.serverState || "standalone"} server)\n`;
  }
  let s = `quorum: myid ${q.myId}, ${q.serverState}, zab ${q.zabState || "-"}, ` +
    `leader ${q.leaderId ?? "-"}, vote ${voteText(q.currentVote, nowMs)}`;
  if (q.votingMembers.length > 0) s += `, voters ${q.votingMembers.join(",")}`;
  s += "\n\nelection connections:\n";
  s += q.election.length === 0 ? "  (none)\n" : columns(
    ["SID", "ADDRESS", "STATE", "INITIATOR", "SENDQ", "LAST-SENT", "LAST-RECEIVED"],
    q.election.map((l) => [
      l.sid,
      l.address,
      l.state,
      l.initiator ?? "-",
      String(l.sendQueue),
      voteText(l.lastSent, nowMs),
      voteText(l.lastReceived, nowMs),
    ]),
  );
  const up = q.election.filter((l) => l.state === "up").length;
  s += `total: ${up}/${q.election.length} election connections up, ` +
    `${q.election.reduce((a, l) => a + l.sendQueue, 0)} queued\n`;
  s += "\nlearner links:\n";
  s += q.learners.length === 0 ? "  (none)\n" : columns(
    ["SID", "ROLE", "ADDRESS", "STATE", "LAST-ACK", "QUEUED", "PING-MS"],
    q.learners.map((l) => [
      l.sid,
      l.role,
      l.address,
      l.state,
      l.lastAckedZxid,
      String(l.queued),
      l.pingLatencyMs === null ? "-" : String(l.pingLatencyMs),
    ]),
  );
  return s;
}
