// Adler-32 (RFC 1950), the checksum ZooKeeper puts on snapshots and txn-log records
// (java.util.zip.Adler32). Incremental so streamed files are checked in one pass.

const MOD = 65521;
// Largest n such that 255n(n+1)/2 + (n+1)(MOD-1) fits in 2^32: sums can be deferred that long.
const NMAX = 5552;

/** A running Adler-32 over any number of chunks. */
export class Adler32 {
  private a = 1;
  private b = 0;

  /** Adds bytes to the checksum. */
  update(bytes: Uint8Array): this {
    let a = this.a;
    let b = this.b;
    let i = 0;
    const n = bytes.length;
    while (i < n) {
      const end = Math.min(n, i + NMAX);
      for (; i < end; i++) {
        a += bytes[i];
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum so far, as the unsigned value Java's getValue() returns. */
  value(): number {
    return ((this.b << 16) | this.a) >>> 0;
  }

  /** Restarts from the empty checksum. */
  reset(): this {
    this.a = 1;
    this.b = 0;
    return this;
  }
}

/** Adler-32 of one buffer. */
export function adler32(bytes: Uint8Array): number {
  return new Adler32().update(bytes).value();
}
