// Drives one server (zkt or Apache ZooKeeper) through a generated op sequence
// and renders every reply and watch event as a normalized line, so two servers
// can be compared line by line. Normalized: session ids (and ephemeralOwner)
// become the ordinal of the session's opening; ctime/mtime are left out.
// Zxids are kept as they are: both servers start from an empty data dir.
import type { ACL, Stat } from "../../../src/jute/data.ts";
import { readACL, readStat } from "../../../src/jute/data.ts";
import {
  type MultiOp,
  readMultiResponse,
  writeCheckVersionRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeGetChildrenRequest,
  writeMultiRequest,
  writeReconfigRequest,
  writeRemoveWatchesRequest,
  writeSetACLRequest,
  writeSetDataRequest,
  writeSetWatches,
  writeSetWatches2,
} from "../../../src/jute/proto.ts";

import type { Reader } from "../../../src/jute/reader.ts";
import type { Writer } from "../../../src/jute/writer.ts";
import { fourLetter } from "../../support/four_letter.ts";
import { OP, type Reply, ZkClient } from "../../support/zk_client.ts";
import type { AclChoice, MultiSubOp, Op, PathRef, ReadSubOp } from "./gen.ts";
import { SLOTS } from "./gen.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** setWatches (3.5's form, without the persistent lists). */
const OP_SET_WATCHES = 101;
/** reconfig, which a standalone server refuses. */
const OP_RECONFIG = 16;

/** digest id `user:base64(sha1(user:password))`, as DigestAuthenticationProvider builds it. */
export async function digestId(userPw: string): Promise<string> {
  const user = userPw.slice(0, userPw.indexOf(":"));
  const h = new Uint8Array(await crypto.subtle.digest("SHA-1", enc.encode(userPw)));
  return `${user}:${btoa(String.fromCharCode(...h))}`;
}

/** The ACL records for each named choice. */
export async function aclTable(): Promise<Record<AclChoice, ACL[]>> {
  const all = 31;
  return {
    open: [{ perms: all, id: { scheme: "world", id: "anyone" } }],
    worldRead: [{ perms: 1, id: { scheme: "world", id: "anyone" } }],
    creatorAll: [{ perms: all, id: { scheme: "auth", id: "" } }],
    digestUser1: [{ perms: all, id: { scheme: "digest", id: await digestId("user1:pw1") } }],
    digestUser2WorldRead: [
      { perms: all, id: { scheme: "digest", id: await digestId("user2:pw2") } },
      { perms: 1, id: { scheme: "world", id: "anyone" } },
    ],
    ip: [{ perms: all, id: { scheme: "ip", id: "127.0.0.1" } }],
    noAdmin: [{ perms: 15, id: { scheme: "world", id: "anyone" } }],
    empty: [],
    badScheme: [{ perms: all, id: { scheme: "foo", id: "bar" } }],
    ipCidr: [{ perms: all, id: { scheme: "ip", id: "127.0.0.0/8" } }],
    ipBad: [{ perms: all, id: { scheme: "ip", id: "300.1.2.3/40" } }],
    digestBad: [{ perms: all, id: { scheme: "digest", id: "nocolon" } }],
    worldOther: [{ perms: all, id: { scheme: "world", id: "someone" } }],
  };
}

/** One opening of a session slot: its client and, per request sent, the op index. */
interface Incarnation {
  label: string;
  client: ZkClient;
  sent: number[];
  /** How many times this session was resumed on a new connection. */
  resumes: number;
  /** The highest zxid in a reply so far (the client's lastZxidSeen). */
  lastZxid: bigint;
}

/** The session timeout every slot asks for (inside 3.8's default range for tickTime=2000). */
export const SESSION_TIMEOUT_MS = 30_000;

/** Runs ops against one server and renders replies/events. */
export class Driver {
  private readonly slots: (Incarnation | null)[] = Array.from({ length: SLOTS }, () => null);
  private readonly incarnations: Incarnation[] = [];
  private readonly sessionLabels = new Map<bigint, string>();
  /** Sequential node names returned by creates, in order (`#k` refers to them). */
  readonly seqNames: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly acls: Record<AclChoice, ACL[]>,
  ) {}

  /** Opens every slot (the sequence starts with all sessions open). */
  async openAll(): Promise<string[]> {
    const out: string[] = [];
    for (let s = 0; s < SLOTS; s++) out.push(await this.open(s));
    return out;
  }

  private async open(s: number): Promise<string> {
    const client = await ZkClient.connect(this.port, { timeoutMs: SESSION_TIMEOUT_MS });
    const label = `S${this.incarnations.length}`;
    this.sessionLabels.set(client.session.sessionId, label);
    const inc = { label, client, sent: [], resumes: 0, lastZxid: 0n };
    this.incarnations.push(inc);
    this.slots[s] = inc;
    return `open slot=${s} session=${label} timeout=${client.session.timeOut} ro=${client.session.readOnly} pwlen=${client.session.passwd.length}`;
  }

  private resolve(p: PathRef): string {
    if (!p.startsWith("#")) return p;
    if (this.seqNames.length === 0) return "/no-sequential-yet";
    return this.seqNames[Number(p.slice(1)) % this.seqNames.length];
  }

  private owner(o: bigint): string {
    if (o === 0n) return "0";
    const l = this.sessionLabels.get(o);
    if (l) return l;
    if (o === -0x8000000000000000n) return "container";
    if ((o >> 56n) === -1n) return `ttl:${o & 0xffffffffffffffn}`;
    return `raw:${o.toString(16)}`;
  }

  /** A Stat without ctime/mtime, owners by session label. */
  stat(st: Stat): string {
    return `{cz=${st.czxid} mz=${st.mzxid} pz=${st.pzxid} v=${st.version} cv=${st.cversion} av=${st.aversion} eo=${
      this.owner(st.ephemeralOwner)
    } dl=${st.dataLength} nc=${st.numChildren}}`;
  }

  private noteSeq(path: string, flags: number): void {
    if ((flags & 2) !== 0) this.seqNames.push(path);
  }

  private async call(
    inc: Incarnation,
    i: number,
    type: number,
    body?: (w: Writer) => void,
    xid?: number,
  ): Promise<Reply> {
    inc.sent.push(i);
    const rep = await inc.client.call(type, body, xid);
    if (rep.zxid > inc.lastZxid) inc.lastZxid = rep.zxid;
    return rep;
  }

  /** Drops the connection, resumes the session on a new one, optionally re-sends watches. */
  private async reconnect(
    s: number,
    inc: Incarnation,
    op: Extract<Op, { k: "reconnect" }>,
    i: number,
  ): Promise<string> {
    // A watch event another session's last op triggered for this one is queued
    // on this connection, but nothing orders it before that op's reply (another
    // connection): dropped now, it is lost or not by chance. A round trip here
    // first delivers it on both servers (it was queued before this reply).
    await this.call(
      inc,
      i,
      OP.exists,
      (w) => writeGetChildrenRequest(w, { path: "/", watch: false }),
    );
    await inc.client.drop();
    const { sessionId, passwd } = inc.client.session;
    const client = await ZkClient.connect(this.port, {
      timeoutMs: SESSION_TIMEOUT_MS,
      sessionId,
      passwd,
      lastZxidSeen: inc.lastZxid,
    });
    const next: Incarnation = {
      label: `${inc.label.split(".")[0]}.r${inc.resumes + 1}`,
      client,
      sent: [],
      resumes: inc.resumes + 1,
      lastZxid: inc.lastZxid,
    };
    this.incarnations.push(next);
    this.slots[s] = next;
    const same = client.session.sessionId === sessionId;
    let text = `resumed=${same} timeout=${client.session.timeOut}`;
    if (op.watches) {
      const w = op.watches;
      const p = (xs: PathRef[]) => xs.map((x) => this.resolve(x));
      const lists = {
        relativeZxid: inc.lastZxid,
        dataWatches: p(w.data),
        existWatches: p(w.exist),
        childWatches: p(w.child),
        persistentWatches: p(w.persistent),
        persistentRecursiveWatches: p(w.recursive),
      };
      const rep = w.v1
        ? await this.call(next, i, OP_SET_WATCHES, (wr) => writeSetWatches(wr, lists), -8)
        : await this.call(next, i, OP.setWatches2, (wr) => writeSetWatches2(wr, lists), -8);
      text += ` setWatches err=${rep.err} zxid=${rep.zxid}`;
    }
    return text;
  }

  private multiOp(o: MultiSubOp | ReadSubOp): MultiOp {
    const path = this.resolve(o.path);
    switch (o.t) {
      case "getData":
        return { type: 4, request: { path, watch: false } };
      case "getChildren":
        return { type: 8, request: { path, watch: false } };
      case "create":
        return {
          type: 1,
          request: {
            path,
            data: o.data === null ? null : enc.encode(o.data),
            acl: this.acls.open,
            flags: o.flags,
          },
        };
      case "createTTL":
        return {
          type: 21,
          request: {
            path,
            data: new Uint8Array(0),
            acl: this.acls.open,
            flags: o.flags,
            ttl: BigInt(o.ttl),
          },
        };
      case "delete":
        return { type: 2, request: { path, version: o.version } };
      case "setData":
        return { type: 5, request: { path, data: enc.encode(o.data), version: o.version } };
      case "check":
        return { type: 13, request: { path, version: o.version } };
    }
  }

  private multiResults(r: Reader, flagsOf: (j: number) => number): string {
    const parts = readMultiResponse(r).map((res, j) => {
      switch (res.type) {
        case 1:
          this.noteSeq(res.response.path, flagsOf(j));
          return `create ${res.response.path}`;
        case 15:
          this.noteSeq(res.response.path, flagsOf(j));
          return `create2 ${res.response.path} ${this.stat(res.response.stat)}`;
        case 2:
          return "delete";
        case 13:
          return "check";
        case 5:
          return `setData ${this.stat(res.response.stat)}`;
        case 8:
          return `children ${JSON.stringify(res.response.children)}`;
        case 4:
          return `data ${showData(res.response.data)} ${this.stat(res.response.stat)}`;
        case -1:
          return `error ${res.response.err}`;
      }
    });
    return `[${parts.join("; ")}]`;
  }

  /** Runs op number `i`; returns the normalized reply. */
  async exec(op: Op, i: number): Promise<string> {
    if (op.k === "open") return await this.open(op.s);
    const inc = this.slots[op.s];
    if (!inc) throw new Error(`op ${i} runs on slot ${op.s}, which is not open`);
    if (inc.client.closed) return "connection closed";
    try {
      return await this.execOn(inc, op, i);
    } catch (e) {
      return `connection lost: ${(e as Error).message}`;
    }
  }

  private async execOn(
    inc: Incarnation,
    op: Exclude<Op, { k: "open" }>,
    i: number,
  ): Promise<string> {
    let rep: Reply;
    let body: (r: Reader) => string = () => "";
    switch (op.k) {
      case "create": {
        const path = this.resolve(op.path);
        rep = await this.call(inc, i, op.opcode, (w) =>
          writeCreateRequest(w, {
            path,
            data: op.data === null ? null : enc.encode(op.data),
            acl: this.acls[op.acl],
            flags: op.flags,
          }));
        body = (r) => {
          const p = r.string();
          this.noteSeq(p, op.flags);
          return op.opcode === 1 ? p : `${p} ${this.stat(readStat(r))}`;
        };
        break;
      }
      case "createTTL": {
        const path = this.resolve(op.path);
        rep = await this.call(inc, i, OP.createTTL, (w) =>
          writeCreateTTLRequest(w, {
            path,
            data: new Uint8Array(0),
            acl: this.acls.open,
            flags: op.flags,
            ttl: BigInt(op.ttl),
          }));
        body = (r) => {
          const p = r.string();
          this.noteSeq(p, op.flags);
          return `${p} ${this.stat(readStat(r))}`;
        };
        break;
      }
      case "delete":
        rep = await this.call(
          inc,
          i,
          OP.delete,
          (w) => writeDeleteRequest(w, { path: this.resolve(op.path), version: op.version }),
        );
        break;
      case "setData":
        rep = await this.call(inc, i, OP.setData, (w) =>
          writeSetDataRequest(w, {
            path: this.resolve(op.path),
            data: enc.encode(op.data),
            version: op.version,
          }));
        body = (r) => this.stat(readStat(r));
        break;
      case "exists":
      case "getData":
      case "getChildren":
      case "getChildren2": {
        const code = {
          exists: OP.exists,
          getData: OP.getData,
          getChildren: OP.getChildren,
          getChildren2: OP.getChildren2,
        }[op.k];
        rep = await this.call(
          inc,
          i,
          code,
          (w) => writeGetChildrenRequest(w, { path: this.resolve(op.path), watch: op.watch }),
        );
        if (op.k === "exists") body = (r) => this.stat(readStat(r));
        else if (op.k === "getData") {
          body = (r) => `${showData(r.buffer())} ${this.stat(readStat(r))}`;
        } else if (op.k === "getChildren") {
          body = (r) => JSON.stringify(r.vector((x) => x.string()));
        } else {body = (r) =>
            `${JSON.stringify(r.vector((x) => x.string()))} ${this.stat(readStat(r))}`;}
        break;
      }
      case "getACL":
        rep = await this.call(inc, i, OP.getACL, (w) => void w.ustring(this.resolve(op.path)));
        body = (r) => `${JSON.stringify(r.vector(readACL))} ${this.stat(readStat(r))}`;
        break;
      case "setACL":
        rep = await this.call(inc, i, OP.setACL, (w) =>
          writeSetACLRequest(w, {
            path: this.resolve(op.path),
            acl: this.acls[op.acl],
            version: op.version,
          }));
        body = (r) => this.stat(readStat(r));
        break;
      case "check":
        rep = await this.call(
          inc,
          i,
          OP.check,
          (w) => writeCheckVersionRequest(w, { path: this.resolve(op.path), version: op.version }),
        );
        break;
      case "multi": {
        const ops = op.ops.map((o) => this.multiOp(o));
        rep = await this.call(inc, i, OP.multi, (w) => writeMultiRequest(w, ops));
        body = (r) =>
          this.multiResults(r, (j) => {
            const o = op.ops[j];
            return o && (o.t === "create" || o.t === "createTTL") ? o.flags : 0;
          });
        break;
      }
      case "multiRead": {
        const ops = op.ops.map((o) => this.multiOp(o));
        rep = await this.call(inc, i, OP.multiRead, (w) => writeMultiRequest(w, ops));
        body = (r) => this.multiResults(r, () => 0);
        break;
      }
      case "getAllChildrenNumber":
        rep = await this.call(
          inc,
          i,
          OP.getAllChildrenNumber,
          (w) => void w.ustring(this.resolve(op.path)),
        );
        body = (r) => `${r.int()}`;
        break;
      case "getEphemerals":
        rep = await this.call(
          inc,
          i,
          OP.getEphemerals,
          (w) => void w.ustring(this.resolve(op.path)),
        );
        body = (r) => JSON.stringify(r.vector((x) => x.string()));
        break;
      case "sync":
        rep = await this.call(inc, i, OP.sync, (w) => void w.ustring(this.resolve(op.path)));
        body = (r) => r.string();
        break;
      case "addWatch":
        rep = await this.call(inc, i, OP.addWatch, (w) => {
          w.ustring(this.resolve(op.path));
          w.int(op.mode);
        });
        break;
      case "removeWatches":
        rep = await this.call(
          inc,
          i,
          op.check ? OP.checkWatches : OP.removeWatches,
          (w) => writeRemoveWatchesRequest(w, { path: this.resolve(op.path), type: op.type }),
        );
        break;
      case "addAuth":
        rep = await this.call(inc, i, OP.auth, (w) => {
          w.int(0);
          w.ustring("digest");
          w.buffer(enc.encode(op.auth));
        }, -4);
        break;
      case "whoAmI":
        rep = await this.call(inc, i, OP.whoAmI);
        body = (r) => JSON.stringify(r.vector((x) => ({ scheme: x.string(), user: x.string() })));
        break;
      case "reconnect":
        return await this.reconnect(op.s, inc, op, i);
      case "reconfig":
        rep = await this.call(inc, i, OP_RECONFIG, (w) =>
          writeReconfigRequest(w, {
            joiningServers: "server.2=127.0.0.1:2888:3888",
            leavingServers: null,
            newMembers: null,
            curConfigId: -1n,
          }));
        break;
      case "close": {
        inc.sent.push(i);
        const err = await inc.client.close();
        this.slots[op.s] = null;
        return `close err=${err}`;
      }
    }
    let text = `err=${rep.err} zxid=${rep.zxid}`;
    if (rep.err === 0) text += ` ${body(rep.r)}`;
    if (!rep.r.done) text += ` rest=${hex(rep.r.bytes.subarray(rep.r.pos))}`;
    return text;
  }

  /** A round trip on every open session, so events triggered so far have arrived. */
  async settle(i: number): Promise<void> {
    for (const inc of this.slots) {
      if (!inc || inc.client.closed) continue;
      try {
        await this.call(
          inc,
          i,
          OP.exists,
          (w) => writeGetChildrenRequest(w, { path: "/", watch: false }),
        );
      } catch { /* a lost connection shows in the op replies */ }
    }
  }

  /** Every watch event so far, per session, tagged with how many replies that session had seen. */
  eventLines(): { line: string; op: number }[] {
    const out: { line: string; op: number }[] = [];
    for (const inc of this.incarnations) {
      let replies = 0;
      let ev = 0;
      for (const a of inc.client.arrivals) {
        if (a.startsWith("reply:")) {
          replies++;
          continue;
        }
        const e = inc.client.events[ev++];
        out.push({
          line:
            `${inc.label} after-reply=${replies} type=${e.type} state=${e.state} path=${e.path}`,
          op: replies === 0 ? -1 : inc.sent[replies - 1],
        });
      }
    }
    return out;
  }

  /**
   * The watch four-letter words (wchs, wchc, wchp) and dump's ephemerals, with
   * session ids as labels.
   * Whatever follows session-id hashing (wchc's order, the sessions under a
   * wchp path) is sorted, since ids differ between servers.
   */
  async fourLetterWords(): Promise<string[]> {
    const label = (hex: string) => {
      for (const [id, l] of this.sessionLabels) if (`0x${id.toString(16)}` === hex) return l;
      return `unknown:${hex}`;
    };
    const pairs = (text: string) => {
      const out: string[] = [];
      let head = "";
      // Every untabbed line heads a block: a watch on "" prints an empty one.
      for (const line of text.split("\n")) {
        if (!line.startsWith("\t")) {
          head = line;
          continue;
        }
        const item = line.slice(1);
        out.push(`${label(head)} ${item}`);
      }
      return out.sort();
    };
    // wchp's paths come in HashMap order, which is deterministic: kept as printed.
    const byPath = (text: string) => {
      const out: { path: string; who: string[] }[] = [];
      for (const line of text.split("\n")) {
        if (line.startsWith("\t")) out[out.length - 1]?.who.push(label(line.slice(1)));
        else out.push({ path: line, who: [] });
      }
      return out.filter((b) => b.who.length > 0).map((b) => `${b.path} ${b.who.sort().join(",")}`);
    };
    const wchs = await fourLetter(this.port, "wchs");
    const wchc = pairs(await fourLetter(this.port, "wchc"));
    const wchp = byPath(await fourLetter(this.port, "wchp"));
    // dump's ephemerals: per session, paths in the order printed (a HashSet's).
    const dump = await fourLetter(this.port, "dump");
    const from = dump.indexOf("Sessions with Ephemerals");
    const to = dump.indexOf("Connections dump");
    const eph: string[] = [];
    for (const line of dump.slice(from, to < 0 ? undefined : to).split("\n").slice(1)) {
      if (line.startsWith("\t")) eph[eph.length - 1] += ` ${line.slice(1)}`;
      else if (line.endsWith(":")) eph.push(`${label(line.slice(0, -1))}:`);
    }
    return [
      ...eph.sort().map((x) => `dump ${x}`),
      `wchs ${wchs.trim().replace("\n", " / ")}`,
      ...wchc.map((x) => `wchc ${x}`),
      ...wchp.map((x) => `wchp ${x}`),
    ];
  }

  /** The whole tree as lines (path, data, stat, acl), walked depth first in sorted order. */
  async dumpTree(): Promise<string[]> {
    // A fresh super session sees through every ACL.
    const c = await ZkClient.connect(this.port, { timeoutMs: SESSION_TIMEOUT_MS });
    this.sessionLabels.set(c.session.sessionId, "dump");
    const auth = await c.addAuth("digest", "super:secret");
    const out: string[] = [`super auth: ${auth}`];
    const walk = async (p: string): Promise<void> => {
      const d = await c.call(
        OP.getData,
        (w) => writeGetChildrenRequest(w, { path: p, watch: false }),
      );
      if (d.err !== 0) {
        out.push(`${p} getData err=${d.err}`);
      } else {
        out.push(`${p} ${showData(d.r.buffer())} ${this.stat(readStat(d.r))}`);
      }
      const k = await c.call(
        OP.getChildren,
        (w) => writeGetChildrenRequest(w, { path: p, watch: false }),
      );
      if (k.err !== 0) return;
      const kids = (k.r.vector((x) => x.string()) ?? []).sort();
      for (const kid of kids) await walk(p === "/" ? `/${kid}` : `${p}/${kid}`);
    };
    await walk("/");
    await c.close();
    return out;
  }

  /** Closes every open session. */
  async closeAll(): Promise<void> {
    for (const inc of this.slots) {
      if (!inc) continue;
      try {
        if (!inc.client.closed) await inc.client.close();
        else await inc.client.drop();
      } catch { /* already gone */ }
    }
  }
}

function showData(b: Uint8Array | null): string {
  return b === null ? "null" : JSON.stringify(dec.decode(b));
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
