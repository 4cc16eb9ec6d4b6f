// The server's storage in ensemble mode: the Zab log (FileZabLog) is the one
// writer of the txn log, the snapshots and the epoch files, and the one owner
// of the tree. The client-port server sees it through ServerDatabase: it reads
// the tree (a getter: a SNAP or a reload swaps the tree under it) and never
// writes the log itself — in an ensemble every txn is logged by the Zab shell
// of the role, so commit() refuses. Standalone keeps server/database.ts.
import type { DataTree } from "../data/tree.ts";
import { DIGEST_VERSION } from "../data/digest.ts";
import type { TxnDigest } from "../jute/txn.ts";
import type { LoggedTxn, ServerDatabase } from "../server/database.ts";
import type { FileZabLog } from "../zab/file_zab_log.ts";

/** ServerDatabase over a FileZabLog (ensemble mode). */
export class ZabDatabase implements ServerDatabase {
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

  /** Never used in ensemble mode: the role's Zab shell logs every txn. */
  commit(_batch: LoggedTxn[]): Promise<void> {
    return Promise.reject(
      new Error("in an ensemble the txn log is written by Zab, not the server"),
    );
  }

  digestRecord(): TxnDigest {
    return { version: DIGEST_VERSION, treeDigest: this.zabLog.tree.digest };
  }

  /** The Zab log rolls and snapshots on its own (snapCount). */
  requestSnapshot(): boolean {
    return false;
  }

  close(): Promise<void> {
    return this.zabLog.close();
  }
}
