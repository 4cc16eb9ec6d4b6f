// The server's storage on an ensemble peer: the one ZabLog that Zab's shells
// also drive, seen through the ServerDatabase interface the client-port
// server reads its tree from. The tree is read through on every access, since
// a SNAP, TRUNC or reload replaces it; snapshots are the ZabLog's own (it rolls
// the log every snapCount txns), so requestSnapshot() asks for none.
import { DIGEST_VERSION } from "../data/digest.ts";
import type { DataTree } from "../data/tree.ts";
import type { TxnDigest } from "../jute/txn.ts";
import { bytesOf } from "../jute/writer.ts";
import { encodeTxnEntry } from "../persistence/records.ts";
import type { LoggedTxn, ServerDatabase } from "../server/database.ts";
import type { FileZabLog } from "../zab/file_zab_log.ts";

/** A ServerDatabase over a FileZabLog (commit() appends through the ZabLog's group commit). */
export class ZabServerDatabase implements ServerDatabase {
  constructor(readonly zabLog: FileZabLog) {}

  get tree(): DataTree {
    return this.zabLog.tree;
  }

  get snapDir(): string {
    return this.zabLog.snapDir;
  }

  get logDir(): string {
    return this.zabLog.logDir;
  }

  /** Appends a batch of prepared txns as txn-log entries and resolves once durable. */
  commit(batch: LoggedTxn[]): Promise<void> {
    return this.zabLog.append(batch.map((t) => ({
      zxid: t.header.zxid,
      entry: bytesOf((w) => encodeTxnEntry(w, t.header, t.txn, t.digest)),
    })));
  }

  digestRecord(): TxnDigest {
    return { version: DIGEST_VERSION, treeDigest: this.zabLog.tree.digest };
  }

  requestSnapshot(): boolean {
    return false;
  }

  close(): Promise<void> {
    return this.zabLog.close();
  }
}
