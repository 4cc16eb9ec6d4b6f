// A member whose txn-log device fills up (issue 18, disk faults): its
// dataLogDir gets a tiny tmpfs in a private mount namespace (`unshare -rm`, no
// root needed, as tests/integration/serve_fatal_test.ts does for a standalone
// server), so its log writes fail with ENOSPC. Unlike that test the member
// must be restarted "with space" on what it wrote: the real directory is
// bind-mounted aside first, and once the server has exited the tmpfs's files
// are copied back onto it, as an operator would move a full log device's
// files to a bigger one. The server runs as a child of the wrapper shell (so
// the copy can follow it); its own PID is written to a file, to kill it by PID.

/** Can this machine give a process a private tmpfs? */
export const canMountTmpfs: Promise<boolean> = new Deno.Command("unshare", {
  args: ["--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs t /mnt"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

/** Where a faulted member keeps its log dir, the bind of the real one, and the server's PID. */
export interface LogDiskPaths {
  /** dataLogDir: the tmpfs is mounted here. */
  logs: string;
  /** Empty dir the real dataLogDir is bind-mounted on while the tmpfs covers it. */
  keep: string;
  /** The server's own PID (the wrapper shell's child). */
  pidFile: string;
}

/** The paths under a member's dir. */
export function logDiskPaths(memberDir: string): LogDiskPaths {
  return {
    logs: `${memberDir}/logs`,
    keep: `${memberDir}/keep`,
    pidFile: `${memberDir}/server.pid`,
  };
}

/**
 * argv running `argv` with a `size` tmpfs over p.logs; the wrapper exits
 * with the server's exit status once it has copied the tmpfs back.
 */
export function onFullLogDisk(p: LogDiskPaths, size: string, argv: string[]): string[] {
  Deno.mkdirSync(p.logs, { recursive: true });
  Deno.mkdirSync(p.keep, { recursive: true });
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const script = [
    `mount --bind ${q(p.logs)} ${q(p.keep)} || exit 97`,
    `mount -t tmpfs -o size=${size} zkt-fault-tmpfs ${q(p.logs)} || exit 97`,
    `"$0" "$@" &`,
    `echo $! > ${q(p.pidFile)}`,
    `wait $!`,
    `rc=$?`,
    `cp -Rp ${q(p.logs)}/. ${q(p.keep)}/`,
    `exit $rc`,
  ].join("\n");
  return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, ...argv];
}

/** kill -9 of the server the wrapper started (by the PID it wrote), if it still runs. */
export async function killWrapped(p: LogDiskPaths): Promise<void> {
  const pid = Number((await Deno.readTextFile(p.pidFile).catch(() => "")).trim());
  if (!(pid > 0)) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* gone */ }
}

/** Which calls fault_fs.c fails once armed. */
export type IoFault = "write" | "fsync";

/** Builds tests/support/fault_fs.c into dir; null when there is no C compiler. */
export async function buildFaultLib(dir: string): Promise<string | null> {
  const src = new URL("./fault_fs.c", import.meta.url).pathname;
  const out = `${dir}/fault_fs.so`;
  const r = await new Deno.Command("gcc", {
    args: ["-shared", "-fPIC", "-O2", "-o", out, src, "-ldl"],
    stdout: "null",
    stderr: "piped",
  }).output().catch(() => null);
  return r?.success ? out : null;
}

/**
 * argv running `argv` with fault_fs.so preloaded: once the file `arm` exists,
 * `op` on files whose path contains `match` fails with EIO. `env` execs, so
 * the PID stays the server's.
 */
export function withFailingIo(
  lib: string,
  op: IoFault,
  arm: string,
  match: string,
  argv: string[],
): string[] {
  return [
    "env",
    `LD_PRELOAD=${lib}`,
    `ZKT_FAULT_ARM=${arm}`,
    `ZKT_FAULT_MATCH=${match}`,
    `ZKT_FAULT_OPS=${op}`,
    ...argv,
  ];
}
