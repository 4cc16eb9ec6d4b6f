// A test-only ZabHost for a zkt leader: it builds the txns the tests propose
// (a session, creates) and answers what Java learners forward (createSession,
// closeSession, sync; any other write gets an UNIMPLEMENTED error txn), with
// each txn's TxnDigest taken from a shadow tree that applies every proposal
// at once — the leader's own tree changes only at commit, so the digest a
// proposal carries is the tree as it will be after that txn.
import type { ACL } from "../../src/jute/data.ts";
import { OpCode } from "../../src/jute/constants.ts";
import type { TxnHeader } from "../../src/jute/txn.ts";
import type { Txn } from "../../src/jute/txn_body.ts";
import { Writer } from "../../src/jute/writer.ts";
import { applyTxn } from "../../src/data/apply.ts";
import { DIGEST_VERSION } from "../../src/data/digest.ts";
import type { DataTree } from "../../src/data/tree.ts";
import { encodeTxnEntry } from "../../src/persistence/records.ts";
import type { LeaderShell, ZabHost } from "../../src/zab/leader_shell.ts";
import type { ForwardedRequest } from "../../src/zab/packets.ts";

const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
/** KeeperException.Code.UNIMPLEMENTED. */
const UNIMPLEMENTED = -6;

/** Builds and proposes txns through a LeaderShell, keeping the shadow tree in step. */
export class TestLeaderHost implements ZabHost {
  /** Committed txns seen, and the last committed zxid. */
  committed = 0;
  lastCommitted = 0n;
  /** Called after each commit (the peer prints events from it). */
  onCommitted?: (zxid: bigint) => void;
  private cxid = 0;

  constructor(
    private readonly shell: LeaderShell,
    /** A tree equal to the leader's at its last logged zxid; it runs ahead by every proposal. */
    private readonly shadow: DataTree,
  ) {}

  commit(txn: { zxid: bigint }): void {
    this.committed++;
    this.lastCommitted = txn.zxid;
    this.onCommitted?.(txn.zxid);
  }

  submit(sid: bigint, r: ForwardedRequest): void {
    switch (r.type) {
      case OpCode.createSession: {
        // The follower made the id and sends the timeout as the whole body.
        const timeOut = new DataView(r.body.buffer, r.body.byteOffset, r.body.byteLength)
          .getInt32(0);
        this.propose(r.sessionId, r.cxid, { type: OpCode.createSession, record: { timeOut } });
        break;
      }
      case OpCode.closeSession: {
        const owned = [...(this.shadow.ephemerals.get(r.sessionId) ?? [])].sort();
        this.propose(r.sessionId, r.cxid, {
          type: OpCode.closeSession,
          record: { paths2Delete: owned },
        });
        break;
      }
      case OpCode.sync:
        this.shell.sync(sid);
        break;
      default:
        this.propose(r.sessionId, r.cxid, { type: OpCode.error, record: { err: UNIMPLEMENTED } });
    }
  }

  /** A new session owned by this leader (id from the leader's sid, as 3.8 makes them). */
  createSession(sessionId: bigint, timeOut = 30_000): bigint {
    return this.propose(sessionId, 0, { type: OpCode.createSession, record: { timeOut } });
  }

  /** Creates `path` (persistent, open ACL) in `session`. */
  create(session: bigint, path: string, data: Uint8Array | null): bigint {
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    const p = this.shadow.get(parent);
    if (!p) throw new Error(`no parent for ${path} in the shadow tree`);
    return this.propose(session, ++this.cxid, {
      type: OpCode.create,
      record: {
        path,
        data,
        acl: OPEN_ACL,
        ephemeral: false,
        parentCVersion: p.stat.cversion + 1,
      },
    });
  }

  /** Proposes one txn: the shadow applies it, its digest goes in the entry. */
  propose(clientId: bigint, cxid: number, txn: Txn): bigint {
    return this.shell.propose((zxid) => {
      const header: TxnHeader = { clientId, cxid, zxid, time: Date.now(), type: txn.type };
      applyTxn(this.shadow, header, txn);
      // 3.8 writes no digest after an error txn.
      const digest = txn.type === OpCode.error
        ? null
        : { version: DIGEST_VERSION, treeDigest: this.shadow.digest };
      const w = new Writer(256);
      encodeTxnEntry(w, header, txn, digest);
      return w.toBytes();
    });
  }
}
