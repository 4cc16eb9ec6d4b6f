// ACL checks and authentication schemes as ZooKeeper 3.8 applies them:
// world, auth, digest (SHA-1, with the super digest) and ip (IPv4 with mask bits).
import { createHash } from "node:crypto";
import { javaConcurrentHashMapOrder, javaStringHash } from "../config/java.ts";

/** An identity: a scheme and an id within it (same shape as the jute Id record). */
export interface AuthId {
  scheme: string;
  id: string;
}

/** A permission grant (same shape as the jute ACL record). */
export interface AclEntry {
  perms: number;
  id: AuthId;
}

/** `user:password` → `user:base64(sha1(user:password))`, DigestAuthenticationProvider's form. */
export function generateDigest(idPassword: string): string {
  const user = idPassword.split(":", 1)[0];
  const sha = createHash("sha1").update(idPassword, "utf8").digest("base64");
  return `${user}:${sha}`;
}

function v4Bytes(addr: string): number[] | null {
  const parts = addr.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[+-]?\d{1,10}$/.test(p)) return null;
    const v = Number(p);
    if (v < 0 || v > 255) return null;
    out.push(v);
  }
  return out;
}

function parseIpExpr(expr: string): { addr: number[]; bits: number } | null {
  const slash = expr.indexOf("/");
  const addr = v4Bytes(slash < 0 ? expr : expr.slice(0, slash));
  if (!addr) return null;
  let bits = 32;
  if (slash >= 0) {
    const b = expr.slice(slash + 1);
    if (!/^[+-]?\d{1,10}$/.test(b)) return null;
    bits = Number(b);
    if (bits < 0 || bits > 32) return null;
  }
  return { addr, bits };
}

function masked(b: number[], bits: number): number[] {
  return b.map((v, i) => {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    return v & (0xff << (8 - keep)) & 0xff;
  });
}

/** IPAuthenticationProvider.matches: does client address `id` fall in `expr` (a.b.c.d[/bits])? */
export function ipMatches(id: string, expr: string): boolean {
  const acl = parseIpExpr(expr);
  const remote = v4Bytes(id);
  if (!acl || !remote) return false;
  const a = masked(acl.addr, acl.bits);
  const r = masked(remote, acl.bits);
  return a.every((v, i) => v === r[i]);
}

/** Schemes with a server-side provider (ZooKeeper's default ProviderRegistry). */
const PROVIDERS: Record<string, {
  isValid(id: string): boolean;
  matches(id: string, expr: string): boolean;
  isAuthenticated: boolean;
  userName(id: string): string;
}> = {
  digest: {
    isValid: (id) => javaSplitLength(id, ":") === 2,
    matches: (id, expr) => id === expr,
    isAuthenticated: true,
    userName: (id) => id.split(":")[0],
  },
  ip: {
    isValid: (id) => parseIpExpr(id) !== null,
    matches: ipMatches,
    isAuthenticated: false,
    userName: (id) => id,
  },
};

/** Java's String.split(re).length (trailing empty strings removed). */
function javaSplitLength(s: string, sep: string): number {
  const parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  return parts.length;
}

/** True when the scheme has a provider (digest, ip). */
export function hasProvider(scheme: string): boolean {
  return scheme in PROVIDERS;
}

/** ZooKeeperServer.checkACL: may a client with `authInfo` do `perm` on a node with `acl`? */
export function aclAllows(
  acl: readonly AclEntry[] | null,
  perm: number,
  authInfo: readonly AuthId[],
): boolean {
  if (acl === null || acl.length === 0) return true;
  if (authInfo.some((a) => a.scheme === "super")) return true;
  for (const a of acl) {
    if ((a.perms & perm) === 0) continue;
    if (a.id.scheme === "world" && a.id.id === "anyone") return true;
    const p = PROVIDERS[a.id.scheme];
    if (!p) continue;
    for (const who of authInfo) {
      if (who.scheme === a.id.scheme && p.matches(who.id, a.id.id)) return true;
    }
  }
  return false;
}

function sameAcl(a: AclEntry, b: AclEntry): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

/** PrepRequestProcessor.fixupACL: dedupes, expands `auth`, validates; null means InvalidACL. */
export function fixupAcl(
  acls: readonly AclEntry[] | null,
  authInfo: readonly AuthId[],
): AclEntry[] | null {
  if (acls === null || acls.length === 0) return null;
  const uniq: AclEntry[] = [];
  for (const a of acls) if (!uniq.some((u) => sameAcl(u, a))) uniq.push(a);
  const out: AclEntry[] = [];
  for (const a of uniq) {
    const { scheme, id } = a.id;
    if (scheme === "world" && id === "anyone") {
      out.push(a);
    } else if (scheme === "auth") {
      let any = false;
      for (const who of authInfo) {
        if (PROVIDERS[who.scheme]?.isAuthenticated) {
          any = true;
          out.push({ perms: a.perms, id: { scheme: who.scheme, id: who.id } });
        }
      }
      if (!any) return null;
    } else {
      const p = PROVIDERS[scheme];
      if (!p || !p.isValid(id)) return null;
      out.push(a);
    }
  }
  return out;
}

/** The jute Id record's Java hashCode (17, then 37 * result + each field's hash). */
function idHashCode(a: AuthId): number {
  const h = (Math.imul(17, 37) + javaStringHash(a.scheme)) | 0;
  return (Math.imul(h, 37) + javaStringHash(a.id)) | 0;
}

/**
 * A connection's ids in the order 3.8 walks them: its authInfo is a
 * ConcurrentHashMap key set, so whoAmI and the `auth` ACL expansion follow the
 * ids' hash order, not the order the client authenticated in.
 */
export function authInfoOrder(inserted: readonly AuthId[]): AuthId[] {
  return javaConcurrentHashMapOrder(inserted, (a) => `${a.scheme}\0${a.id}`, idHashCode);
}

/** Result of an auth packet: the ids to add, or failure. */
export type AuthOutcome = { ok: true; ids: AuthId[] } | { ok: false };

/**
 * Handles an AuthPacket for a client at `remoteIp`. `superDigest` is the value of
 * zookeeper.DigestAuthenticationProvider.superDigest ("super:<base64 sha1>").
 */
export function authenticate(
  scheme: string,
  auth: Uint8Array,
  remoteIp: string,
  superDigest: string | null,
): AuthOutcome {
  if (scheme === "digest") {
    const digest = generateDigest(new TextDecoder().decode(auth));
    const ids: AuthId[] = [];
    if (superDigest !== null && digest === superDigest) ids.push({ scheme: "super", id: "" });
    ids.push({ scheme: "digest", id: digest });
    return { ok: true, ids };
  }
  if (scheme === "ip") return { ok: true, ids: [{ scheme: "ip", id: remoteIp }] };
  return { ok: false };
}

/** AuthUtil.getClientInfos: (scheme, user) pairs for whoAmI. */
export function clientInfos(authInfo: readonly AuthId[]): { authScheme: string; user: string }[] {
  return authInfo.map((a) => ({
    authScheme: a.scheme,
    user: PROVIDERS[a.scheme]?.userName(a.id) ?? a.id,
  }));
}
