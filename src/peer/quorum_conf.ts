// The conf lines a quorum peer adds to the standalone ones, in 3.8's order
// (QuorumZooKeeperServer.dumpConf): limits, election algorithm, this peer's
// election and quorum ports, its learner type, then the membership block.
import type { ZkConfig } from "../config/types.ts";

/** conf entries for a quorum peer; the last one is the verbatim membership block. */
export function quorumConfLines(cfg: ZkConfig): [string, string | number | null][] {
  const me = cfg.myid === undefined ? undefined : cfg.servers.get(cfg.myid);
  const ports = (hp: { port: number }[] | undefined) => (hp ?? []).map((a) => a.port).join("|");
  const lines: [string, string | number | null][] = [
    ["initLimit", cfg.initLimit],
    ["syncLimit", cfg.syncLimit],
    ["electionAlg", cfg.electionAlg],
    ["electionPort", ports(me?.electionAddrs)],
    ["quorumPort", ports(me?.addrs)],
    // LearnerType's ordinal: PARTICIPANT 0, OBSERVER 1.
    ["peerType", me?.type === "observer" ? 1 : 0],
  ];
  // "membership: " and the verifier's toString, which ends without a newline.
  if (cfg.quorumVerifier) {
    lines.push([`membership: \n${cfg.quorumVerifier.toConfigString()}`, null]);
  }
  return lines;
}
