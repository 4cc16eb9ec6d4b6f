// The decoded txn body: its op code and record, chosen by op code as
// SerializeUtils.deserializeTxn does, a multi's sub-txns decoded too. A txn-log
// entry and a Zab PROPOSAL carry the same bytes, so this lives with the other
// wire records; the records themselves (CreateTxn, SetDataTxn, MultiTxn, ...)
// are txn.ts.
import { OpCode } from "./constants.ts";
import { Reader } from "./reader.ts";
import {
  type CheckVersionTxn,
  type CloseSessionTxn,
  type CreateContainerTxn,
  type CreateSessionTxn,
  type CreateTTLTxn,
  type CreateTxn,
  type DeleteTxn,
  type ErrorTxn,
  type MultiTxn,
  readCheckVersionTxn,
  readCloseSessionTxn,
  readCreateContainerTxn,
  readCreateSessionTxn,
  readCreateTTLTxn,
  readCreateTxnOrV0,
  readDeleteTxn,
  readErrorTxn,
  readMultiTxn,
  readSetACLTxn,
  readSetDataTxn,
  type SetACLTxn,
  type SetDataTxn,
  writeCheckVersionTxn,
  writeCloseSessionTxn,
  writeCreateContainerTxn,
  writeCreateSessionTxn,
  writeCreateTTLTxn,
  writeCreateTxn,
  writeDeleteTxn,
  writeErrorTxn,
  writeSetACLTxn,
  writeSetDataTxn,
} from "./txn.ts";
import { Writer } from "./writer.ts";

export type {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
};

/** A decoded txn: its op code and body; a multi carries its decoded sub-txns. */
export type Txn =
  | { type: typeof OpCode.create | typeof OpCode.create2; record: CreateTxn; subs?: undefined }
  | { type: typeof OpCode.createContainer; record: CreateContainerTxn; subs?: undefined }
  | { type: typeof OpCode.createTTL; record: CreateTTLTxn; subs?: undefined }
  | {
    type: typeof OpCode.delete | typeof OpCode.deleteContainer;
    record: DeleteTxn;
    subs?: undefined;
  }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; record: SetDataTxn; subs?: undefined }
  | { type: typeof OpCode.setACL; record: SetACLTxn; subs?: undefined }
  | { type: typeof OpCode.check; record: CheckVersionTxn; subs?: undefined }
  | { type: typeof OpCode.createSession; record: CreateSessionTxn; subs?: undefined }
  /** record null: a closeSession written before 3.6, without a body. */
  | { type: typeof OpCode.closeSession; record: CloseSessionTxn | null; subs?: undefined }
  | { type: typeof OpCode.error; record: ErrorTxn; subs?: undefined }
  /** record may be null when building a multi from subs (encoded on write). */
  | { type: typeof OpCode.multi; record: MultiTxn | null; subs: Txn[] };

/** The sub-txn types a multi may hold (DataTree.processTxn). */
const MULTI_OPS = new Set<number>([
  OpCode.create,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.error,
  OpCode.check,
]);

/** Decodes a txn body of a given type; a multi's sub-txns are decoded too. */
export function readTxnBody(type: number, r: Reader): Txn {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
      // CreateTxnV0 (before 3.3) has no parentCVersion; -1 makes the tree compute it.
      return { type, record: readCreateTxnOrV0(r) };
    case OpCode.createContainer:
      return { type, record: readCreateContainerTxn(r) };
    case OpCode.createTTL:
      return { type, record: readCreateTTLTxn(r) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, record: readDeleteTxn(r) };
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, record: readSetDataTxn(r) };
    case OpCode.setACL:
      return { type, record: readSetACLTxn(r) };
    case OpCode.check:
      return { type, record: readCheckVersionTxn(r) };
    case OpCode.createSession:
      return { type, record: readCreateSessionTxn(r) };
    case OpCode.closeSession:
      // Before 3.6 (or with closeSessionTxn disabled) a closeSession has no body.
      return { type, record: r.done ? null : readCloseSessionTxn(r) };
    case OpCode.error:
      return { type, record: readErrorTxn(r) };
    case OpCode.multi: {
      const record = readMultiTxn(r);
      const subs = (record.txns ?? []).map((t) => {
        const sr = new Reader(t.data ?? new Uint8Array(0), r.maxLength);
        if (!MULTI_OPS.has(t.type)) sr.fail(`invalid type of op in a multi: ${t.type}`);
        return readTxnBody(t.type, sr);
      });
      return { type, record, subs };
    }
    default:
      return r.fail(`unsupported txn type ${type}`);
  }
}

/** Encodes a txn body; a multi is encoded from its subs. */
export function writeTxnBody(w: Writer, txn: Txn): void {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2:
      return writeCreateTxn(w, txn.record);
    case OpCode.createContainer:
      return writeCreateContainerTxn(w, txn.record);
    case OpCode.createTTL:
      return writeCreateTTLTxn(w, txn.record);
    case OpCode.delete:
    case OpCode.deleteContainer:
      return writeDeleteTxn(w, txn.record);
    case OpCode.setData:
    case OpCode.reconfig:
      return writeSetDataTxn(w, txn.record);
    case OpCode.setACL:
      return writeSetACLTxn(w, txn.record);
    case OpCode.check:
      return writeCheckVersionTxn(w, txn.record);
    case OpCode.createSession:
      return writeCreateSessionTxn(w, txn.record);
    case OpCode.closeSession:
      if (txn.record !== null) writeCloseSessionTxn(w, txn.record);
      return;
    case OpCode.error:
      return writeErrorTxn(w, txn.record);
    case OpCode.multi: {
      const sw = new Writer(256);
      w.vector(txn.subs, (x, s) => {
        sw.reset();
        writeTxnBody(sw, s);
        x.int(s.type).buffer(sw.peek());
      });
      return;
    }
  }
}
