// CRC-32 (IEEE 802.3, java.util.zip.CRC32), used by ZooKeeper's per-node digest.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// Slicing-by-4: T1..T3 advance a byte's contribution by 1..3 more bytes, so
// the loop takes four bytes per step (digests hash a path and 60 stat bytes
// per znode, millions of times in a dump).
function shifted(prev: Uint32Array): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ TABLE[prev[n] & 0xff];
  return t;
}
const T1 = shifted(TABLE);
const T2 = shifted(T1);
const T3 = shifted(T2);

/** A running CRC-32 over any number of chunks. */
export class Crc32 {
  private crc = 0xffffffff;

  /** Adds bytes to the checksum. */
  update(bytes: Uint8Array): this {
    return this.updateRange(bytes, 0, bytes.length);
  }

  /** Adds bytes[start, end) to the checksum (no subarray to allocate). */
  updateRange(bytes: Uint8Array, start: number, end: number): this {
    let c = this.crc;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      c = T3[c & 0xff] ^ T2[(c >>> 8) & 0xff] ^ T1[(c >>> 16) & 0xff] ^ TABLE[c >>> 24];
    }
    for (; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    this.crc = c;
    return this;
  }

  /** The checksum so far as an unsigned 32-bit value. */
  value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

/** CRC-32 of one buffer. */
export function crc32(bytes: Uint8Array): number {
  return new Crc32().update(bytes).value();
}
