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

/** A running CRC-32 over any number of chunks. */
export class Crc32 {
  private crc = 0xffffffff;

  /** Adds bytes to the checksum. */
  update(bytes: Uint8Array): this {
    let c = this.crc;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    this.crc = c;
    return this;
  }

  /** Adds bytes[start, end) to the checksum (no subarray to allocate). */
  updateRange(bytes: Uint8Array, start: number, end: number): this {
    let c = this.crc;
    for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
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
