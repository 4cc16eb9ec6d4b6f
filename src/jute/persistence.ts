// Records of zookeeper.jute's module org.apache.zookeeper.server.persistence.
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** The header of snapshot and txn-log files. */
export interface FileHeader {
  /** "ZKSN" for snapshots, "ZKLG" for txn logs, as a big-endian int. */
  magic: number;
  version: number;
  dbid: bigint;
}

/** Magic of snapshot files ("ZKSN"). */
export const SNAP_MAGIC = 0x5a4b534e;
/** Magic of txn-log files ("ZKLG"). */
export const TXNLOG_MAGIC = 0x5a4b4c47;

/** Reads a FileHeader. */
export function readFileHeader(r: Reader): FileHeader {
  return { magic: r.int(), version: r.int(), dbid: r.long() };
}

/** Writes a FileHeader. */
export function writeFileHeader(w: Writer, h: FileHeader): void {
  w.int(h.magic).int(h.version).long(h.dbid);
}
