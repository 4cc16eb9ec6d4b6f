// The server side of an ensemble peer's roles (QuorumPeer's RoleHost): which
// Zab shell runs a role the election gives, whether clients are served, and
// the leave actions of the run loop in its order — stop Zab, drain the one
// log writer, fast-forward memory to the log, drop the overlay, close clients.
import type { ZkConfig } from "../config/types.ts";
import { logger } from "../log/logger.ts";
import type { ZkServer } from "../server/zk_server.ts";
import type { FileZabLog } from "../zab/file_zab_log.ts";
import { LeaderRole } from "./leader_role.ts";
import type { QuorumPeer, RoleHost } from "./quorum_peer.ts";
import type { Role } from "./run_loop.ts";

const log = logger("QuorumPeer");

/** The roles of one peer over its Zab log and client-port server. */
export class PeerRoles {
  private peer: QuorumPeer | null = null;
  private leader: LeaderRole | null = null;
  /** What QuorumPeer calls at each step of the run loop. */
  readonly host: RoleHost;

  constructor(
    private readonly cfg: ZkConfig,
    private readonly zabLog: FileZabLog,
    private readonly server: () => ZkServer,
  ) {
    this.host = {
      startRole: (role, leader, roleId) => this.startRole(role, leader, roleId),
      stopZab: () => this.stopZab(),
      drainLog: () => this.zabLog.drain(),
      fastForward: async () => void await this.zabLog.fastForward(),
      dropOutstanding: () => this.server().currentChain.overlay.clear(),
      closeClients: () => this.server().closeClients(),
    };
  }

  /** The peer whose run loop this serves (set before it starts). */
  attach(peer: QuorumPeer): void {
    this.peer = peer;
  }

  /** Whether client requests are served: the role's Zab has said so. */
  serving(): boolean {
    return this.leader?.serving ?? false;
  }

  /** The role's extra mntr lines (a leader's learners and syncs). */
  monitorLines(): [string, number][] {
    return this.leader?.monitorLines() ?? [];
  }

  private startRole(role: Role, _leader: bigint, roleId: number): boolean {
    if (role !== "leading") return false;
    const peer = this.peer!;
    const l = new LeaderRole({
      cfg: this.cfg,
      zabLog: this.zabLog,
      server: this.server(),
      established: (epoch) => peer.updateElectionVote(epoch),
      ended: (reason, why) => {
        if (peer.roleId === roleId) log.warn(`${why}; looking again`);
        peer.lostRole(reason, roleId);
      },
    });
    this.leader = l;
    l.start();
    return true;
  }

  private async stopZab(): Promise<void> {
    const l = this.leader;
    this.leader = null;
    if (l) await l.stop("the peer leaves the LEADING role");
  }
}
