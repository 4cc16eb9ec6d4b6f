// Strings as ZooKeeper's jute writes them. BinaryOutputArchive encodes each
// UTF-16 code unit on its own, so a character outside the BMP becomes two
// 3-byte surrogate sequences (CESU-8, 6 bytes) instead of UTF-8's 4 bytes.
// Everything else is plain UTF-8. We write the same bytes, and read both forms.

const encoder = new TextEncoder();
const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const SURROGATE = /[\ud800-\udfff]/;

/** The most bytes `s` can take in jute's encoding (3 per UTF-16 unit). */
export function maxEncodedLength(s: string): number {
  return s.length * 3;
}

/**
 * Encodes `s` into `out` as BinaryOutputArchive does; returns the bytes written.
 * `out` must have room for maxEncodedLength(s) bytes.
 */
export function encodeJuteString(s: string, out: Uint8Array): number {
  // Without surrogates jute's bytes are exactly UTF-8: use the native encoder.
  if (!SURROGATE.test(s)) return encoder.encodeInto(s, out).written;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/**
 * Decodes jute string bytes: UTF-8, plus surrogate pairs written as two 3-byte
 * sequences (what ZooKeeper itself writes for non-BMP characters). Returns the
 * offset (within `b`) of the first invalid byte as a number when the bytes are
 * neither.
 */
export function decodeJuteString(b: Uint8Array): string | number {
  // Short ASCII strings (paths, ACL ids) dominate snapshots and requests; building
  // them in JS skips a native decoder call per string (restore spent 1/8 there).
  if (b.length <= 64) {
    let i = 0;
    while (i < b.length && b[i] < 0x80) i++;
    if (i === b.length) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  try {
    return fatal.decode(b);
  } catch {
    return decodeSlow(b);
  }
}

function cont(b: Uint8Array, i: number): number {
  const x = b[i];
  return i < b.length && (x & 0xc0) === 0x80 ? x & 0x3f : -1;
}

// Reads one 3-byte sequence at i (lead 0xe0..0xef); -1 when malformed or overlong.
function three(b: Uint8Array, i: number): number {
  const c1 = cont(b, i + 1);
  const c2 = cont(b, i + 2);
  if (c1 < 0 || c2 < 0) return -1;
  const cp = ((b[i] & 0x0f) << 12) | (c1 << 6) | c2;
  return cp < 0x800 ? -1 : cp;
}

function decodeSlow(b: Uint8Array): string | number {
  const units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const x = b[i];
    if (x < 0x80) {
      units.push(x);
      i += 1;
    } else if (x >= 0xc2 && x < 0xe0) {
      const c1 = cont(b, i + 1);
      if (c1 < 0) return i;
      units.push(((x & 0x1f) << 6) | c1);
      i += 2;
    } else if (x >= 0xe0 && x < 0xf0) {
      const cp = three(b, i);
      if (cp < 0) return i;
      if (cp >= 0xdc00 && cp <= 0xdfff) return i; // a low surrogate with no high one
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const lo = b[i + 3] === 0xed ? three(b, i + 3) : -1;
        if (lo < 0xdc00 || lo > 0xdfff) return i; // a high surrogate with no low one
        units.push(cp, lo);
        i += 6;
      } else {
        units.push(cp);
        i += 3;
      }
    } else if (x >= 0xf0 && x < 0xf5) {
      const c1 = cont(b, i + 1);
      const c2 = cont(b, i + 2);
      const c3 = cont(b, i + 3);
      if (c1 < 0 || c2 < 0 || c3 < 0) return i;
      const cp = ((x & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      if (cp < 0x10000 || cp > 0x10ffff) return i;
      units.push(0xd800 | ((cp - 0x10000) >> 10), 0xdc00 | ((cp - 0x10000) & 0x3ff));
      i += 4;
    } else {
      return i;
    }
  }
  let s = "";
  // Chunked so a long string cannot overflow the argument limit.
  for (let k = 0; k < units.length; k += 8192) {
    s += String.fromCharCode(...units.slice(k, k + 8192));
  }
  return s;
}
