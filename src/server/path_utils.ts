// Znode path rules as ZooKeeper's PathUtils enforces them (facts from 3.8).

/** Returns why a path is invalid, or null when ZooKeeper would accept it. */
export function pathProblem(path: string | null): string | null {
  if (path === null) return "Path cannot be null";
  if (path.length === 0) return "Path length must be > 0";
  if (path.charCodeAt(0) !== 0x2f) return "Path must start with / character";
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return "Path must not end with / character";
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    const next = i + 1 === path.length ? -1 : path.charCodeAt(i + 1);
    let reason: string | null = null;
    if (c === 0) reason = `null character not allowed @${i}`;
    else if (c === 0x2f && last === 0x2f) reason = `empty node name specified @${i}`;
    else if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && (next === -1 || next === 0x2f)) {
        reason = `relative paths not allowed @${i}`;
      }
    } else if (c === 0x2e) {
      if (last === 0x2f && (next === -1 || next === 0x2f)) {
        reason = `relative paths not allowed @${i}`;
      }
    } else if (
      (c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) ||
      c >= 0xfff0
    ) {
      reason = `invalid character @${i}`;
    }
    if (reason !== null) return `Invalid path string "${path}" caused by ${reason}`;
  }
  return null;
}

/** True when ZooKeeper would accept the path. */
export function isValidPath(path: string | null): boolean {
  return pathProblem(path) === null;
}

/** The parent of an absolute path ("/" for top-level nodes). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The last component of a path ("" for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
