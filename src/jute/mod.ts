/**
 * zkt's jute codec: ZooKeeper 3.8's BinaryInputArchive/BinaryOutputArchive
 * encoding and every record of zookeeper.jute, one place each.
 *
 * The pattern, used for every record in this directory:
 *
 * - an `interface X` named as in zookeeper.jute, with its fields in jute's
 *   order and names; `long` is `bigint` for ids and zxids, `number` for times
 *   and counts that fit a safe integer; `buffer` is `Uint8Array | null`;
 *   `vector<T>` is `T[] | null` (null is jute's length -1);
 * - `readX(r: Reader): X`, which consumes exactly the record's bytes and
 *   throws a DecodeError (with the byte offset) on any malformed input;
 * - `writeX(w: Writer, v: X): void`.
 *
 * Strings (`ustring`) are written as ZooKeeper's BinaryOutputArchive writes
 * them: UTF-8, except that characters outside the BMP become two 3-byte
 * surrogate sequences (utf8.ts); reading accepts that and standard UTF-8, and
 * refuses anything else with a DecodeError.
 *
 * Records with the same layout still each get their own name (e.g.
 * DeleteRequest and CheckVersionRequest). `encode(writeX, v)` from writer.ts
 * gives the bytes of one record.
 *
 * Modules (as in zookeeper.jute): data.ts (org.apache.zookeeper.data),
 * proto.ts (client protocol: proto_session, proto_requests, proto_responses,
 * proto_multi), txn.ts (txn log records), persistence.ts
 * (FileHeader), quorum.ts (Zab); constants.ts holds op codes, error codes and
 * other protocol constants. Every length prefix is checked by Reader against
 * its limit (jute.maxbuffer) and the bytes left before anything is allocated.
 * @module
 */
export * from "./errors.ts";
export * from "./reader.ts";
export * from "./writer.ts";
export * from "./constants.ts";
export * from "./data.ts";
export * from "./txn.ts";
export * from "./persistence.ts";
export * from "./proto.ts";
export * from "./quorum.ts";
