// Snapshot files (version-2/snapshot.<zxid hex>[.gz]), read as a stream of
// records and written from a DataTree, byte-compatible with ZooKeeper 3.8's
// FileSnap: FileHeader(ZKSN, 2, dbid), sessions, the ACL cache, the nodes
// (parents first, ending with the path "/"), a seal (Adler-32 + "/"), then —
// when digests are on — ZxidDigest(zxid, version, digest) and a second seal.
import type { ACL, StatPersisted } from "../jute/data.ts";
import { Writer } from "../jute/writer.ts";
import { CorruptDataError } from "../errors.ts";
import { DIGEST_VERSION, nodeDigest, nodeDigestOfRecord } from "../data/digest.ts";
import { DecodeError } from "../jute/errors.ts";
import { Reader } from "../jute/reader.ts";
import type { DataTree } from "../data/tree.ts";
import type { TreeImage } from "../data/node_view.ts";
import { Adler32 } from "./adler32.ts";
import { compressing, decompressed, streamModeOf } from "./compression.ts";
import { readACL, readStatPersisted, writeACL, writeStatPersisted } from "../jute/data.ts";
import { readFileHeader, SNAP_MAGIC, writeFileHeader } from "../jute/persistence.ts";
import { ByteSource, TruncatedError } from "./source.ts";

export { SNAP_MAGIC };
/** The file format version ZooKeeper writes. */
export const SNAP_VERSION = 2;

/** The snapshot file header. */
export interface SnapHeader {
  magic: number;
  version: number;
  dbid: bigint;
}

/** The digest a 3.6+ snapshot ends with. zxid 0 means "no digest recorded". */
export interface SnapDigest {
  zxid: bigint;
  version: number;
  digest: bigint;
}

/** One record of a snapshot, in file order. */
export type SnapEntry =
  | { kind: "header"; header: SnapHeader }
  | { kind: "session"; id: bigint; timeout: number }
  | { kind: "acl"; ref: bigint; acls: ACL[] }
  | {
    kind: "node";
    path: string;
    data: Uint8Array | null;
    acl: bigint;
    stat: StatPersisted;
    offset: number;
    /** The node's digest contribution (nodeDigest), computed from the record's bytes. */
    digest: number;
  }
  | { kind: "end"; trailer: SnapTrailer };

/** A node record of a snapshot. */
export type SnapNode = Extract<SnapEntry, { kind: "node" }>;

/** What follows the nodes: the seal and the optional digest. */
export interface SnapTrailer {
  /** The Adler-32 stored in the seal and the one computed over the file. */
  checksum: { stored: bigint; computed: bigint; ok: boolean };
  digest: SnapDigest | null;
  /** The second seal after the digest, when there is a digest. */
  digestChecksum: { stored: bigint; computed: bigint; ok: boolean } | null;
  /** Bytes after the last record (should be 0). */
  trailingBytes: number;
}

/** The zxid in a snapshot or log file name (snapshot.1a2b → 0x1a2b); null when not one. */
export function zxidFromName(name: string, prefix: "snapshot" | "log"): bigint | null {
  const m = name.match(/^(snapshot|log)\.([0-9a-fA-F]+)(\.gz|\.snappy)?$/);
  if (!m || m[1] !== prefix) return null;
  if (prefix === "log" && m[3]) return null;
  try {
    return BigInt.asIntN(64, BigInt("0x" + m[2]));
  } catch {
    return null;
  }
}

/** Opens a file as a stream, decompressing by name. */
async function openStream(file: string): Promise<ReadableStream<Uint8Array>> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(file);
  } catch (e) {
    throw new Error(`cannot open ${file}: ${(e as Error).message}`);
  }
  return decompressed(file, f.readable);
}

/**
 * Streams a snapshot's records: header, sessions, ACL entries, nodes in file
 * order, then the trailer. Memory stays at one record. A structural problem
 * (bad magic, truncation, malformed record) throws a CorruptDataError naming
 * the file and offset; checksum and digest results are in the trailer.
 */
export async function* readSnapshot(file: string): AsyncGenerator<SnapEntry> {
  for await (const e of snapshotRecords(file)) {
    if (Array.isArray(e)) yield* e;
    else yield e;
  }
}

/** Buffered bytes to aim for before parsing a batch of nodes. */
const BATCH_BYTES = 64 * 1024;

/**
 * readSnapshot's records with the nodes in batches (arrays), so a loader pays
 * one async step per batch rather than per node.
 */
async function* snapshotRecords(file: string): AsyncGenerator<SnapEntry | SnapNode[]> {
  const src = new ByteSource(await openStream(file), file);
  src.checksum = new Adler32();
  try {
    const header = await src.record("file header", readFileHeader);
    if (header.magic !== SNAP_MAGIC) {
      throw new CorruptDataError(
        `${file}: not a snapshot: magic 0x${(header.magic >>> 0).toString(16)} at offset 0, ` +
          `expected 0x${SNAP_MAGIC.toString(16)} ("ZKSN")`,
      );
    }
    yield { kind: "header", header };
    yield* snapshotBody(src);
    yield { kind: "end", trailer: await readTrailer(src) };
  } finally {
    await src.close();
  }
}

/**
 * The body of a snapshot from src, after the file header: sessions, ACL
 * entries, then nodes in batches, consuming the "/" that ends the nodes and
 * nothing after it. Shared by the file reader and Zab's SNAP stream, which
 * carries exactly this body between the SNAP packet and its end marker.
 */
export async function* snapshotBody(src: ByteSource): AsyncGenerator<SnapEntry | SnapNode[]> {
  const file = src.file;
  const count = await src.record("session count", (r) => r.int());
  if (count < 0) throw new CorruptDataError(`${file}: negative session count ${count}`);
  for (let i = 0; i < count; i++) {
    const s = await src.record("session", (r) => ({ id: r.long(), timeout: r.int() }));
    yield { kind: "session", ...s };
  }
  const acls = await src.record("ACL map size", (r) => r.int());
  if (acls < 0) throw new CorruptDataError(`${file}: negative ACL map size ${acls}`);
  for (let i = 0; i < acls; i++) {
    const e = await src.record("ACL entry", (r) => {
      const ref = r.long();
      const start = r.pos;
      const list = r.vector(readACL);
      if (list === null) return r.fail(`missing ACL list (offset ${start})`);
      return { ref, acls: list };
    });
    yield { kind: "acl", ...e };
  }
  const slab = new Slab();
  while (true) {
    await src.prefetch(BATCH_BYTES);
    const batch = parseNodes(src, slab);
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    // One record the batch left: the "/" terminator, a record longer than
    // the buffer, or a malformed one (reported here with its offset).
    const offset = src.offset;
    const path = await src.record("node path", (r) => r.string());
    if (path === "/") break;
    const n = await src.record(`node ${path}`, (r) => ({
      data: r.buffer(),
      acl: r.long(),
      stat: readStatPersisted(r),
    }));
    const digest = nodeDigest(path === "" ? "/" : path, n.data, n.stat);
    yield [{ kind: "node", path, offset, ...n, digest }];
  }
}

/**
 * Parses the whole, well-formed node records buffered in src (stopping before
 * the "/" terminator or anything else) and consumes them. One Reader for the
 * batch; the digest is taken from the record's bytes; data is copied (the
 * tree keeps it), everything else is read in place.
 */
function parseNodes(src: ByteSource, slab: Slab): SnapNode[] {
  const out: SnapNode[] = [];
  const bytes = src.peek();
  const r = new Reader(bytes, src.maxLength);
  const v = r.view;
  const base = src.offset;
  let end = 0;
  // Most nodes share an ACL: reuse the previous record's bigint when the bytes match.
  let acl = 0n;
  let aclAt = -1;
  try {
    while (true) {
      const start = r.pos;
      const path = r.string();
      if (path === "/") break;
      const pathLength = r.pos - start - 4;
      const data = slab.copy(r.bufferView());
      if (aclAt >= 0 && r.remaining >= 8 && same8(v, aclAt, r.pos)) r.pos += 8;
      else acl = r.long();
      aclAt = r.pos - 8;
      const statStart = r.pos;
      const stat = readStatShared(r);
      const digest = nodeDigestOfRecord(path, bytes, start + 4, pathLength, data, statStart);
      out.push({ kind: "node", path, data, acl, stat, offset: base + start, digest });
      end = r.pos;
    }
  } catch (e) {
    // The slow path re-reads this record and reports truncation or corruption.
    if (!(e instanceof DecodeError)) throw e;
  }
  src.consume(end);
  return out;
}

/** Small data is copied into this many-byte blocks; larger data gets its own buffer. */
const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_ITEM = 256;

/**
 * Copies node data out of the read buffer. Small data shares 64 KiB blocks: a
 * view costs about half a separate small buffer, and a block stays alive only
 * while a node loaded into it keeps its data (never more than the data loaded).
 */
class Slab {
  private block = new Uint8Array(0);
  private used = 0;

  copy(src: Uint8Array | null): Uint8Array | null {
    if (src === null) return null;
    const n = src.length;
    if (n > SLAB_MAX_ITEM) return src.slice();
    if (this.used + n > this.block.length) {
      this.block = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + n);
    out.set(src);
    this.used += n;
    return out;
  }
}

/** Whether the 8 bytes at a and b are equal. */
function same8(v: DataView, a: number, b: number): boolean {
  return v.getInt32(a) === v.getInt32(b) && v.getInt32(a + 4) === v.getInt32(b + 4);
}

/**
 * readStatPersisted, sharing one bigint among equal zxids (a node never
 * changed has czxid = mzxid = pzxid) and 0n for a persistent node's owner:
 * fewer heap objects per node, the same values.
 */
function readStatShared(r: Reader): StatPersisted {
  if (r.remaining < 60) r.fail("truncated stat");
  const v = r.view;
  const p = r.pos;
  const czxid = r.long();
  let mzxid = czxid;
  if (same8(v, p, p + 8)) r.pos += 8;
  else mzxid = r.long();
  const ctime = r.longNumber();
  const mtime = r.longNumber();
  const version = r.int();
  const cversion = r.int();
  const aversion = r.int();
  let ephemeralOwner = 0n;
  if (v.getInt32(p + 44) === 0 && v.getInt32(p + 48) === 0) r.pos += 8;
  else ephemeralOwner = r.long();
  let pzxid: bigint;
  if (same8(v, p, p + 52)) pzxid = czxid;
  else if (same8(v, p + 8, p + 52)) pzxid = mzxid;
  else pzxid = r.long();
  r.pos = p + 60;
  return { czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid };
}

async function readSeal(
  src: ByteSource,
): Promise<{ stored: bigint; computed: bigint; ok: boolean }> {
  const computed = BigInt(src.checksum!.value());
  const stored = await src.record("checksum", (r) => r.long());
  const slash = await src.record("checksum trailer", (r) => r.string());
  if (slash !== "/") {
    throw new CorruptDataError(`${src.file}: checksum trailer is "${slash}", expected "/"`);
  }
  return { stored, computed, ok: stored === computed };
}

async function readTrailer(src: ByteSource): Promise<SnapTrailer> {
  const checksum = await readSeal(src);
  let digest: SnapDigest | null = null;
  let digestChecksum = null;
  if (!(await src.atEnd())) {
    try {
      digest = await src.record("digest", (r) => {
        const zxid = r.long();
        const version = r.int();
        // Digest version 1 stored the value as a hex string.
        const digest = version < 2
          ? BigInt.asIntN(64, BigInt("0x" + (r.ustring() ?? "0")))
          : r.long();
        return { zxid, version, digest };
      });
      digestChecksum = await readSeal(src);
    } catch (e) {
      if (!(e instanceof TruncatedError)) throw e;
      throw new CorruptDataError(`${src.file}: truncated digest after the checksum: ${e.message}`);
    }
  }
  let trailingBytes = 0;
  while (await src.fill(1)) {
    trailingBytes += src.available;
    src.consume(src.available);
  }
  return { checksum, digest, digestChecksum, trailingBytes };
}

/** Sessions and counts a restore collects besides the tree. */
export interface LoadedSnapshot {
  header: SnapHeader;
  trailer: SnapTrailer;
  /** zxid from the file name. */
  zxid: bigint;
}

/**
 * Loads a snapshot into an empty DataTree (DataTree.deserialize): every node's
 * parent must come first; a bad checksum is a CorruptDataError. Returns the
 * header and trailer; the tree holds sessions, ACLs and nodes.
 */
export async function loadSnapshot(
  file: string,
  tree: DataTree,
  onNode?: (offset: number) => void,
): Promise<LoadedSnapshot> {
  let header: SnapHeader | undefined;
  let trailer: SnapTrailer | undefined;
  const onRecord = (e: SnapEntry) => {
    switch (e.kind) {
      case "header":
        header = e.header;
        break;
      case "session":
        tree.sessions.set(e.id, e.timeout);
        break;
      case "acl":
        tree.acls.load(e.ref, e.acls);
        break;
      case "node":
        if (!tree.loadNode(e.path, e.data, e.acl, e.stat, e.digest)) {
          throw new CorruptDataError(
            `${file}: node ${e.path} at offset ${e.offset} has no parent before it`,
          );
        }
        onNode?.(e.offset);
        break;
      case "end":
        trailer = e.trailer;
    }
  };
  for await (const e of snapshotRecords(file)) {
    if (Array.isArray(e)) { for (const n of e) onRecord(n); }
    else onRecord(e);
  }
  if (!trailer!.checksum.ok) {
    throw new CorruptDataError(
      `${file}: checksum mismatch: stored ${hex(trailer!.checksum.stored)}, ` +
        `computed ${hex(trailer!.checksum.computed)}`,
    );
  }
  if (trailer!.digestChecksum && !trailer!.digestChecksum.ok) {
    throw new CorruptDataError(`${file}: checksum after the digest does not match`);
  }
  tree.setupQuota();
  tree.acls.purgeUnused();
  const zxid = zxidFromName(file.split("/").pop()!, "snapshot") ?? 0n;
  tree.lastProcessedZxid = zxid;
  tree.digestLog.snapshotLoaded(zxid, trailer!.digest, () => tree.digest);
  return { header: header!, trailer: trailer!, zxid };
}

function hex(v: bigint): string {
  return "0x" + BigInt.asUintN(64, v).toString(16);
}

/** Options for writing a snapshot. */
export interface WriteSnapshotOptions {
  dbid?: bigint;
  /** The digest to record; default: the tree's digest at its lastProcessedZxid. Null: none. */
  digest?: SnapDigest | null;
  /** Bytes serialized between two yields to the event loop (default 1 MiB). */
  chunk?: number;
}

/**
 * Writes a tree as a snapshot file (compressed by name), streaming in chunks,
 * through a temporary file renamed into place after an fsync so a crash never
 * leaves a half snapshot under the final name.
 */
export async function writeSnapshot(
  file: string,
  tree: TreeImage,
  opts: WriteSnapshotOptions = {},
): Promise<void> {
  const digest = opts.digest === undefined ? treeDigest(tree) : opts.digest;
  const chunks = snapshotChunks(tree, opts.dbid ?? 0n, digest, opts.chunk);
  const source = new ReadableStream<Uint8Array>({
    pull(ctl) {
      const next = chunks.next();
      if (next.done) ctl.close();
      else ctl.enqueue(next.value);
    },
  });
  const tmp = `${file}.tmp-${Deno.pid}`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    for await (const part of compressing(file, source)) {
      let rest = part;
      while (rest.length > 0) rest = rest.subarray(await f.write(rest));
    }
    await f.sync();
  } catch (e) {
    f.close();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  f.close();
  await Deno.rename(tmp, file);
}

/** The digest ZooKeeper records for a tree: none yet (zxid 0) on a fresh tree. */
function treeDigest(tree: TreeImage): SnapDigest {
  return tree.lastProcessedZxid === 0n
    ? { zxid: 0n, version: DIGEST_VERSION, digest: 0n }
    : { zxid: tree.lastProcessedZxid, version: DIGEST_VERSION, digest: tree.digest };
}

/** The uncompressed bytes of a snapshot of a tree, in one buffer. */
export function snapshotBytes(
  tree: TreeImage,
  dbid: bigint,
  digest: SnapDigest | null,
): Uint8Array {
  const parts = [...snapshotChunks(tree, dbid, digest)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The uncompressed bytes of a snapshot in chunks of about `chunk` bytes
 * (FileSnap.serialize's layout), so memory stays at one chunk.
 */
export function* snapshotChunks(
  tree: TreeImage,
  dbid: bigint,
  digest: SnapDigest | null,
  chunk = 1 << 20,
): Generator<Uint8Array> {
  const w = new Writer(Math.min(chunk, 1 << 20) + 1024);
  const sum = new Adler32();
  const pending: Uint8Array[] = [];
  const take = (): Uint8Array => {
    sum.update(w.peek());
    const out = w.toBytes();
    w.reset();
    return out;
  };
  const seal = (): void => {
    sum.update(w.peek());
    const value = sum.value();
    // The seal itself is summed too: a second seal covers the first.
    const before = w.pos;
    w.long(BigInt(value));
    w.ustring("/");
    const sealBytes = w.peek().subarray(before);
    sum.update(sealBytes);
    // Everything in w is now summed; drop it from the next take's sum.
    pending.push(w.toBytes());
    w.reset();
  };
  writeFileHeader(w, { magic: SNAP_MAGIC, version: SNAP_VERSION, dbid });
  for (const _ of writeBody(w, tree, chunk)) yield take();
  seal();
  if (digest) {
    w.long(digest.zxid).int(digest.version).long(digest.digest);
    seal();
  }
  yield* pending;
}

/**
 * Writes a snapshot body into w (sessions, ACL entries, nodes, the "/" that
 * ends them), yielding whenever w holds at least `chunk` bytes so the caller
 * can take them; the last bytes stay in w.
 */
function* writeBody(w: Writer, tree: TreeImage, chunk: number): Generator<void> {
  w.int(tree.sessions.size);
  for (const [id, timeout] of tree.sessions) w.long(id).int(timeout);
  const entries = [...tree.aclEntries()];
  w.int(entries.length);
  for (const [ref, acls] of entries) {
    w.long(ref);
    w.vector(acls, writeACL);
    if (w.pos >= chunk) yield;
  }
  for (const [path, node] of tree.walk()) {
    w.ustring(path);
    w.buffer(node.data);
    w.long(node.acl);
    writeStatPersisted(w, node.stat);
    if (w.pos >= chunk) yield;
  }
  w.ustring("/");
}

/**
 * A snapshot's body alone, in chunks of about `chunk` bytes: the file without
 * its 16-byte header and its seals, which is what Zab's SNAP stream carries.
 */
export function* snapshotBodyChunks(tree: TreeImage, chunk = 1 << 20): Generator<Uint8Array> {
  const w = new Writer(Math.min(chunk, 1 << 20) + 1024);
  for (const _ of writeBody(w, tree, chunk)) {
    yield w.toBytes();
    w.reset();
  }
  yield w.toBytes();
}

/**
 * Whether a file looks like a complete snapshot without reading it all
 * (SnapStream.isValidSnapshot): a plain file ends with the "/" seal; a
 * compressed one starts with its format's magic.
 */
export async function looksValid(file: string): Promise<boolean> {
  const name = file.split("/").pop()!;
  if (zxidFromName(name, "snapshot") === null) return false;
  let f: Deno.FsFile;
  try {
    f = await Deno.open(file);
  } catch {
    return false;
  }
  try {
    const size = (await f.stat()).size;
    const mode = streamModeOf(name);
    if (mode === "gz" || mode === "snappy") {
      const head = new Uint8Array(8);
      const n = await f.read(head);
      if (mode === "gz") return n !== null && n >= 2 && head[0] === 0x1f && head[1] === 0x8b;
      return n === 8 && head[0] === 0x82 &&
        new TextDecoder().decode(head.subarray(1, 7)) === "SNAPPY";
    }
    if (size < 10) return false;
    await f.seek(size - 5, Deno.SeekMode.Start);
    const tail = new Uint8Array(5);
    let got = 0;
    while (got < 5) {
      const n = await f.read(tail.subarray(got));
      if (n === null) return false;
      got += n;
    }
    return new DataView(tail.buffer).getInt32(0) === 1 && tail[4] === 0x2f;
  } finally {
    f.close();
  }
}
