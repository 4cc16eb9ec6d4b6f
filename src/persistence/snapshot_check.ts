// Checks a snapshot as it streams by: checksum, digest and structure (parents
// before children, cversion/pzxid consistent with the children present,
// ephemeral owners among the file's sessions, no children under ephemerals).
// Fed one record at a time, so dump and verify share one pass over the file.
import { addDigest } from "../data/digest.ts";
import { nodeKind, TOOLS_EXTENDED_TYPES } from "../data/node_kind.ts";
import type { SnapEntry, SnapHeader, SnapTrailer } from "./snapshot.ts";
import { SNAP_VERSION } from "./snapshot.ts";

/** The outcome of comparing the stored digest with the nodes. */
export type DigestStatus =
  | { state: "ok"; digest: bigint }
  | { state: "mismatch"; stored: bigint; computed: bigint; zxid: bigint }
  | { state: "fuzzy"; zxid: bigint } // recorded after later txns; needs the logs to check
  | { state: "absent" };

/** Totals for the summary line. */
export interface SnapSummary {
  header: SnapHeader | null;
  nodes: number;
  dataBytes: number;
  sessions: number;
  acls: number;
  /** Highest czxid/mzxid/pzxid among the nodes. */
  highestZxid: bigint;
  checksumOk: boolean | null;
  digest: DigestStatus;
  ephemeralsBySession: Map<bigint, number>;
  trailer: SnapTrailer | null;
}

interface NodeInfo {
  cversion: number;
  pzxid: bigint;
  owner: bigint;
  children: number;
  maxChildCzxid: bigint;
}

const MAX_PROBLEMS = 50;

/** Accumulates a snapshot's records into a summary and a list of problems. */
export class SnapshotChecker {
  readonly problems: string[] = [];
  private readonly sessions = new Set<bigint>();
  private readonly aclRefs = new Set<bigint>();
  private readonly nodes = new Map<string, NodeInfo>();
  private digest = 0n;
  readonly summary: SnapSummary = {
    header: null,
    nodes: 0,
    dataBytes: 0,
    sessions: 0,
    acls: 0,
    highestZxid: 0n,
    checksumOk: null,
    digest: { state: "absent" },
    ephemeralsBySession: new Map(),
    trailer: null,
  };

  /**
   * @param file the snapshot's path (for messages)
   * @param fileZxid the zxid in its name
   * @param structure track structure (parents, cversion) — costs memory per node
   */
  constructor(readonly file: string, readonly fileZxid: bigint, readonly structure = true) {}

  private problem(msg: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(msg);
  }

  /** Feeds one record. */
  add(e: SnapEntry): void {
    const s = this.summary;
    switch (e.kind) {
      case "header":
        s.header = e.header;
        if (e.header.version !== SNAP_VERSION) {
          this.problem(`header: version ${e.header.version}, expected ${SNAP_VERSION}`);
        }
        return;
      case "session":
        s.sessions++;
        if (this.sessions.has(e.id)) this.problem(`session 0x${e.id.toString(16)} listed twice`);
        this.sessions.add(e.id);
        return;
      case "acl":
        s.acls++;
        this.aclRefs.add(e.ref);
        return;
      case "node":
        this.node(e);
        return;
      case "end":
        this.end(e.trailer);
    }
  }

  private node(e: Extract<SnapEntry, { kind: "node" }>): void {
    const s = this.summary;
    const st = e.stat;
    s.nodes++;
    s.dataBytes += e.data?.length ?? 0;
    for (const z of [st.czxid, st.mzxid, st.pzxid]) if (z > s.highestZxid) s.highestZxid = z;
    this.digest = addDigest(this.digest, e.digest); // computed from the record bytes
    const kind = nodeKind(st.ephemeralOwner, TOOLS_EXTENDED_TYPES);
    if (kind === "ephemeral") {
      s.ephemeralsBySession.set(
        st.ephemeralOwner,
        (s.ephemeralsBySession.get(st.ephemeralOwner) ?? 0) + 1,
      );
      // A node created after the snapshot began (fuzzy) may belong to a session
      // that was written out before it existed.
      if (
        this.structure && !this.sessions.has(st.ephemeralOwner) && st.czxid <= this.fileZxid
      ) {
        this.problem(
          `${e.path}: ephemeral owner 0x${
            BigInt.asUintN(64, st.ephemeralOwner).toString(16)
          } is not a session in the file`,
        );
      }
    }
    if (e.acl !== -1n && !this.aclRefs.has(e.acl)) {
      this.problem(`${e.path}: ACL reference ${e.acl} is not in the ACL cache`);
    }
    if (!this.structure) return;
    if (this.nodes.has(e.path)) {
      this.problem(`${e.path} (offset ${e.offset}): node appears twice`);
      return;
    }
    this.nodes.set(e.path, {
      cversion: st.cversion,
      pzxid: st.pzxid,
      owner: st.ephemeralOwner,
      children: 0,
      maxChildCzxid: 0n,
    });
    if (e.path === "") return;
    if (!e.path.startsWith("/") || (e.path.length > 1 && e.path.endsWith("/"))) {
      this.problem(`${e.path} (offset ${e.offset}): malformed path`);
      return;
    }
    const parentPath = e.path.substring(0, e.path.lastIndexOf("/"));
    const parent = this.nodes.get(parentPath);
    if (!parent) {
      this.problem(
        `${e.path} (offset ${e.offset}): parent ${parentPath || "/"} does not come before it`,
      );
      return;
    }
    // Children created after the snapshot began (a fuzzy snapshot) may postdate
    // their parent's serialized stat, so only earlier ones bind its counters.
    if (st.czxid <= this.fileZxid) {
      parent.children++;
      if (st.czxid > parent.maxChildCzxid) parent.maxChildCzxid = st.czxid;
    }
    if (nodeKind(parent.owner, TOOLS_EXTENDED_TYPES) === "ephemeral") {
      this.problem(`${e.path}: its parent ${parentPath} is ephemeral`);
    }
  }

  private end(t: SnapTrailer): void {
    const s = this.summary;
    s.trailer = t;
    s.checksumOk = t.checksum.ok && (t.digestChecksum?.ok ?? true);
    if (!t.checksum.ok) {
      this.problem(
        `checksum mismatch: stored 0x${BigInt.asUintN(64, t.checksum.stored).toString(16)}, ` +
          `computed 0x${t.checksum.computed.toString(16)}`,
      );
    } else if (t.digestChecksum && !t.digestChecksum.ok) {
      this.problem("the checksum after the digest does not match");
    }
    if (t.trailingBytes > 0) this.problem(`${t.trailingBytes} unexpected bytes after the end`);
    if (t.digest === null || t.digest.zxid === 0n) s.digest = { state: "absent" };
    else if (t.digest.digest === this.digest) s.digest = { state: "ok", digest: this.digest };
    else if (t.digest.zxid > this.fileZxid) s.digest = { state: "fuzzy", zxid: t.digest.zxid };
    else {
      s.digest = {
        state: "mismatch",
        stored: t.digest.digest,
        computed: this.digest,
        zxid: t.digest.zxid,
      };
      this.problem(
        `digest mismatch at zxid 0x${t.digest.zxid.toString(16)}: stored ${t.digest.digest}, ` +
          `nodes hash to ${this.digest}`,
      );
    }
    if (this.structure) this.checkCounts();
  }

  private checkCounts(): void {
    for (const [path, n] of this.nodes) {
      // /zookeeper and its children are maintained outside txns (cversion stays 0).
      if (path === "/zookeeper" || path.startsWith("/zookeeper/")) continue;
      const own = path === "" ? n.children - (this.nodes.has("/zookeeper") ? 1 : 0) : n.children;
      if (n.cversion < own) {
        this.problem(
          `${
            path || "/"
          }: cversion ${n.cversion} is lower than its ${own} children (each create raises it)`,
        );
      }
      if (n.maxChildCzxid > n.pzxid) {
        this.problem(
          `${path || "/"}: pzxid 0x${n.pzxid.toString(16)} is older than a child created at ` +
            `0x${n.maxChildCzxid.toString(16)}`,
        );
      }
    }
  }
}
