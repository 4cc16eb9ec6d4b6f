// How zkt prints txns (the fields TxnLogToolkit prints), for people and as JSON.
import { OpCode, opName } from "../jute/constants.ts";
import type { ACL } from "../jute/data.ts";
import type { TxnDigest, TxnHeader } from "../jute/txn.ts";
import type { Txn } from "../jute/txn_body.ts";
import { aclJson, aclString, dataText, hex } from "./znode_format.ts";

/** Txn bodies seen field by field (every body is a plain record). */
type Fields = {
  path?: string;
  data?: Uint8Array | null;
  acl?: ACL[] | null;
  ephemeral?: boolean;
  parentCVersion?: number;
  ttl?: bigint;
  version?: number;
  timeOut?: number;
  paths2Delete?: string[] | null;
  err?: number;
};

function fieldsOf(txn: Txn): Fields | null {
  // A multi's own record is only its encoded sub-txns; print the decoded subs instead.
  return txn.type === OpCode.multi ? null : txn.record as Fields | null;
}

/** A txn body as plain fields (nested multi included). */
export function txnFields(txn: Txn, withData = true): Record<string, unknown> {
  const r = fieldsOf(txn);
  const o: Record<string, unknown> = {};
  if (r === null || r === undefined) return o;
  if (typeof r.path === "string") o.path = r.path;
  if ("data" in r && withData) {
    const d = dataText(r.data ?? null);
    o.data = d.encoding === "null" ? null : d.text;
    if (d.encoding !== "utf8") o.dataEncoding = d.encoding;
  }
  if (Array.isArray(r.acl)) o.acl = aclJson(r.acl);
  if (typeof r.ephemeral === "boolean") o.ephemeral = r.ephemeral;
  if (r.parentCVersion !== undefined) o.parentCVersion = r.parentCVersion;
  if (r.ttl !== undefined) o.ttl = Number(r.ttl);
  if (r.version !== undefined) o.version = r.version;
  if (r.timeOut !== undefined) o.timeout = r.timeOut;
  if (r.paths2Delete !== undefined) o.paths2Delete = r.paths2Delete;
  if (r.err !== undefined) o.err = r.err;
  if (txn.type === OpCode.multi) {
    o.txns = (txn.subs ?? []).map((s) => ({ type: opName(s.type), ...txnFields(s, withData) }));
  }
  return o;
}

function bodyText(txn: Txn): string {
  const r = fieldsOf(txn);
  if (txn.type === OpCode.multi) {
    return (txn.subs ?? []).map((s) => `${opName(s.type)}(${bodyText(s)})`).join("; ");
  }
  if (r === null || r === undefined) return "";
  const parts: string[] = [];
  if (typeof r.path === "string") parts.push(r.path);
  if ("data" in r) {
    const d = dataText(r.data ?? null);
    parts.push(
      d.encoding === "base64"
        ? `base64:${d.text}`
        : d.encoding === "null"
        ? "null"
        : JSON.stringify(d.text),
    );
  }
  if (Array.isArray(r.acl)) parts.push(`[${aclString(r.acl)}]`);
  if (typeof r.ephemeral === "boolean") parts.push(r.ephemeral ? "ephemeral" : "persistent");
  if (r.parentCVersion !== undefined) parts.push(`parentCVersion=${r.parentCVersion}`);
  if (r.ttl !== undefined) parts.push(`ttl=${r.ttl}`);
  if (r.version !== undefined) parts.push(`version=${r.version}`);
  if (r.timeOut !== undefined) parts.push(`timeout=${r.timeOut}`);
  if (r.paths2Delete !== undefined) parts.push(`delete [${(r.paths2Delete ?? []).join(", ")}]`);
  if (r.err !== undefined) parts.push(`err=${r.err}`);
  return parts.join(" ");
}

/** One txn as a line for people: time, session, cxid, zxid, type, body. */
export function txnLine(h: TxnHeader, txn: Txn, digest: TxnDigest | null): string {
  const t = new Date(Number(h.time));
  const when = Number.isNaN(t.getTime()) ? String(h.time) : t.toISOString();
  const body = bodyText(txn);
  return `${when} session ${hex(h.clientId)} cxid ${hex(h.cxid >>> 0)} zxid ${hex(h.zxid)} ${
    opName(h.type)
  }` +
    (body ? ` ${body}` : "") + (digest ? ` digest ${digest.treeDigest}` : "") + "\n";
}

/** One txn as a JSON object. */
export function txnJson(h: TxnHeader, txn: Txn, digest: TxnDigest | null): Record<string, unknown> {
  return {
    type: "txn",
    time: Number(h.time),
    session: hex(h.clientId),
    cxid: h.cxid,
    zxid: hex(h.zxid),
    op: opName(h.type),
    ...txnFields(txn),
    ...(digest
      ? { digest: { version: digest.version, treeDigest: digest.treeDigest.toString() } }
      : {}),
  };
}

/** Paths a txn touches (its own, its sub-txns', a closeSession's). */
export function txnPaths(txn: Txn): string[] {
  const r = fieldsOf(txn);
  const out: string[] = [];
  if (r && typeof r.path === "string") out.push(r.path);
  if (r && Array.isArray(r.paths2Delete)) out.push(...r.paths2Delete);
  for (const s of txn.subs ?? []) out.push(...txnPaths(s));
  return out;
}
