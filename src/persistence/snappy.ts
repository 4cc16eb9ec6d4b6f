// snappy-java's stream format (SnappyOutputStream), which ZooKeeper uses for
// ".snappy" snapshots: a 16-byte header (0x82 "SNAPPY" 0, version 1, compatible
// version 1), then blocks of a big-endian int length and a raw snappy block of
// at most 32 KiB uncompressed. Raw blocks go through the snappyjs package.
import SnappyJS from "snappyjs";
import { CorruptDataError } from "../errors.ts";

const MAGIC = new Uint8Array([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER = 16;
const BLOCK = 32 * 1024;
/** Largest compressed block accepted (snappy's worst case for a 32 KiB block, with room). */
const MAX_BLOCK = 1 << 20;

function isMagic(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < MAGIC.length; i++) if (buf[at + i] !== MAGIC[i]) return false;
  return true;
}

/** A TransformStream that turns snappy-java stream bytes back into the original bytes. */
export function snappyDecompressor(file: string): TransformStream<Uint8Array, Uint8Array> {
  let pending = new Uint8Array(0);
  let sawHeader = false;
  let consumed = 0;
  const fail = (why: string): never => {
    throw new CorruptDataError(`${file}: bad snappy stream at offset ${consumed}: ${why}`);
  };
  return new TransformStream({
    transform(chunk, ctl) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let pos = 0;
      while (true) {
        // A header may start the stream, or a concatenated stream.
        if (joined.length - pos >= MAGIC.length && isMagic(joined, pos)) {
          if (joined.length - pos < HEADER) break;
          pos += HEADER;
          consumed += HEADER;
          sawHeader = true;
          continue;
        }
        if (!sawHeader) {
          if (joined.length - pos >= MAGIC.length) fail("missing the SNAPPY header");
          break;
        }
        if (joined.length - pos < 4) break;
        const len = new DataView(joined.buffer, joined.byteOffset + pos).getInt32(0);
        if (len <= 0 || len > MAX_BLOCK) fail(`block length ${len}`);
        if (joined.length - pos - 4 < len) break;
        let out: Uint8Array;
        try {
          out = new Uint8Array(
            SnappyJS.uncompress(joined.subarray(pos + 4, pos + 4 + len)) as Uint8Array,
          );
        } catch (e) {
          return fail(`block does not decompress: ${(e as Error).message}`);
        }
        ctl.enqueue(out);
        pos += 4 + len;
        consumed += 4 + len;
      }
      pending = joined.slice(pos);
    },
    flush() {
      if (pending.length > 0) fail(`stream ends inside a block (${pending.length} bytes left)`);
      if (!sawHeader) fail("empty stream");
    },
  });
}

/** A TransformStream that writes snappy-java's stream format (32 KiB blocks). */
export function snappyCompressor(): TransformStream<Uint8Array, Uint8Array> {
  let started = false;
  let pending = new Uint8Array(0);
  const block = (bytes: Uint8Array): Uint8Array => {
    const c = new Uint8Array(SnappyJS.compress(bytes) as Uint8Array);
    const out = new Uint8Array(4 + c.length);
    new DataView(out.buffer).setInt32(0, c.length);
    out.set(c, 4);
    return out;
  };
  return new TransformStream({
    transform(chunk, ctl) {
      if (!started) {
        const header = new Uint8Array(HEADER);
        header.set(MAGIC);
        new DataView(header.buffer).setInt32(8, 1);
        new DataView(header.buffer).setInt32(12, 1);
        ctl.enqueue(header);
        started = true;
      }
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let pos = 0;
      for (; pos + BLOCK <= joined.length; pos += BLOCK) {
        ctl.enqueue(block(joined.subarray(pos, pos + BLOCK)));
      }
      pending = joined.slice(pos);
    },
    flush(ctl) {
      if (pending.length > 0) ctl.enqueue(block(pending));
    },
  });
}
