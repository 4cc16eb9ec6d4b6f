// A data dir shaped like those an Apache ZooKeeper 3.8.0 follower leaves when it
// rejoins under writes: one log that runs up to a zxid and then starts again at
// the epoch's first txn, the repeated txns identical to the first ones.
import { applyTxn } from "../../../src/data/apply.ts";
import { DataTree } from "../../../src/data/tree.ts";
import { OpCode } from "../../../src/jute/constants.ts";
import type { TxnHeader } from "../../../src/jute/txn.ts";
import type { Txn } from "../../../src/jute/txn_body.ts";
import { writeSnapshot } from "../../../src/persistence/snapshot.ts";
import { logFileName, snapshotFileName, TxnLogWriter } from "../../../src/persistence/txnlog.ts";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const enc = new TextEncoder();

/** One logged txn. */
export interface Logged {
  header: TxnHeader;
  txn: Txn;
}

/**
 * Txns 1..8 as a leader would log them (parent cversions taken from the tree
 * they were made against): creates, a delete, setData with versions.
 */
export function firstTxns(): Logged[] {
  const tree = new DataTree();
  const out: Logged[] = [];
  const cv = (p: string) => tree.get(p)!.stat.cversion + 1;
  const create = (path: string, data: string, parent: string): Txn => ({
    type: OpCode.create,
    record: {
      path,
      data: enc.encode(data),
      acl: OPEN,
      ephemeral: false,
      parentCVersion: cv(parent),
    },
  });
  const steps: (() => Txn)[] = [
    () => create("/a", "1", "/"),
    () => ({ type: OpCode.setData, record: { path: "/a", data: enc.encode("2"), version: 1 } }),
    () => create("/b", "b", "/"),
    () => ({ type: OpCode.delete, record: { path: "/b" } }),
    () => create("/a/c", "c", "/a"),
    () => ({ type: OpCode.setData, record: { path: "/a", data: enc.encode("6"), version: 2 } }),
    () => create("/d", "d", "/"),
    () => ({ type: OpCode.setData, record: { path: "/a", data: enc.encode("8"), version: 3 } }),
  ];
  for (const [i, step] of steps.entries()) {
    const txn = step();
    const header: TxnHeader = {
      clientId: 0x100n,
      cxid: i + 1,
      zxid: BigInt(i + 1),
      time: 1_700_000_000_000 + i,
      type: txn.type,
    };
    applyTxn(tree, header, txn);
    out.push({ header, txn });
  }
  return out;
}

/** Writes DIR/version-2 with snapshot.0 (an empty tree) and log.1 holding `order` (zxids). */
export async function writeRepeatedDataDir(dir: string, order: number[]): Promise<Logged[]> {
  const v2 = `${dir}/version-2`;
  await Deno.mkdir(v2, { recursive: true });
  await writeSnapshot(`${v2}/${snapshotFileName(0n)}`, new DataTree(), { dbid: -1n });
  const txns = firstTxns();
  const w = await TxnLogWriter.create(`${v2}/${logFileName(1n)}`, 0n);
  const written: Logged[] = [];
  for (const z of order) {
    w.append(txns[z - 1].header, txns[z - 1].txn);
    written.push(txns[z - 1]);
  }
  await w.close();
  return written;
}

/** The log that ran up to 0x6, started again at 0x1, and went on to 0x8. */
export const RESTARTED = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * A log whose second run stops at 0x2: applying it leaves /a as 0x2 set it
 * (data "2", version 1), which tells applying repeated txns from skipping them.
 */
export const RESTARTED_CUT_SHORT = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2];
