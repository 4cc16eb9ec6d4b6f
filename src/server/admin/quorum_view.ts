// What a quorum peer shows operators about its links: the election connections
// (QuorumCnxManager), the Zab learner links and its current vote. A QuorumPeer
// implements QuorumView; the AdminServer's quorum_connections, election,
// leader, voting_view and zabstate commands and `zkt conns` read it. A
// standalone server has none, and those commands answer as 3.8 does for one.

/** FLE's peer states, as lower-case words (the wire codes 0..3). */
export type VoteState = "looking" | "following" | "leading" | "observing";

/** A vote: whom a peer backs and on what evidence. */
export interface VoteView {
  /** The sid voted for. */
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
  /** The voter's state when it cast or sent the vote. */
  state: VoteState;
}

/** A notification sent or received on an election connection, and when. */
export interface NotificationView extends VoteView {
  /** Wall-clock time (ms since the epoch). */
  atMs: number;
}

/** This peer's election connection to one other sid. */
export interface ElectionLinkView {
  sid: bigint;
  /** The peer's election address ("host:port"), when known. */
  address: string;
  /** Whether a connection is open now. */
  up: boolean;
  /** Who opened the open (or last) connection: this peer, the other one, or never connected. */
  initiator: "self" | "peer" | null;
  /** Messages waiting to be sent to sid. */
  sendQueue: number;
  lastSent: NotificationView | null;
  lastReceived: NotificationView | null;
}

/** One Zab link: on a leader, each learner handler; on a learner, its link to the leader. */
export interface LearnerLinkView {
  sid: bigint;
  /** The role of the far end: "follower" or "observer" (on a leader), "leader" (on a learner). */
  role: "follower" | "observer" | "leader";
  /** The far end's quorum address ("host:port"). */
  address: string;
  /** Zab phase of the link: "synchronization", "broadcast", ... */
  state: string;
  /** The last zxid the far end acknowledged (a leader's view) or we acknowledged (a learner's). */
  lastAckedZxid: bigint;
  /** Packets queued to go out on this link. */
  queued: number;
  /** Round trip of the last ping, in ms; null before the first. */
  pingLatencyMs: number | null;
}

/** A leader's connection to one learner, as 3.8's LearnerHandler.getLearnerHandlerInfo shows it. */
export interface LearnerHandlerView {
  sid: bigint;
  observer: boolean;
  /** Synced with the leader (UPTODATE sent). */
  upToDate: boolean;
  /** Forwarded to since its sync began: what 3.8 counts as synced (its observers list too). */
  forwarding: boolean;
  /** "/host:port", as Java prints a socket address. */
  remoteSocketAddress: string;
  /** When the connection registered (wall clock, ms). */
  established: number;
  queuedPackets: number;
  queuedPacketsSize: number;
  packetsReceived: number;
  packetsSent: number;
  /** Forwarded client requests received. */
  requests: number;
  /** The zxid of the last packet sent with one (-1 before any). */
  lastZxid: bigint;
}

/** One voting member as voting_view lists it. */
export interface QuorumServerView {
  sid: bigint;
  serverAddresses: string[];
  electionAddresses: string[];
  clientAddress: string;
  learnerType: "participant" | "observer";
}

/** Everything the quorum side of the AdminServer and `zkt conns` read. */
export interface QuorumView {
  myid: bigint;
  /** The current vote (after an election: the leader this peer follows or is). */
  currentVote: VoteView;
  /** The leader's sid, or null while looking. */
  leaderId: bigint | null;
  /** The leader's quorum address ("host:port"), or "" while unknown. */
  leaderAddress: string;
  isLeader: boolean;
  /** QuorumPeer.ZabState in lower case: "election", "discovery", "synchronization", "broadcast". */
  zabState: string;
  /** Whether this peer is a voting member at its configured addresses. */
  voting: boolean;
  quorumAddress: string;
  electionAddress: string;
  clientAddress: string;
  /** The voting members of the current config. */
  votingView: QuorumServerView[];
  /** Election connections, one per known sid (not this peer). */
  electionLinks: ElectionLinkView[];
  /** Zab learner links; empty while looking or in a role without them. */
  learnerLinks: LearnerLinkView[];
  /** A serving leader's learner connections (the observers command); empty otherwise. */
  learnerHandlers?: LearnerHandlerView[];
  /** Election time of the last election in ms (election_time), if one finished. */
  lastElectionTimeMs?: number;
}
