// The ZooKeeper C client's shell `cli_mt` (Debian's zookeeper-bin, unchanged)
// against `zkt serve` and Apache ZooKeeper 3.8. cli_mt answers asynchronously
// from a completion thread, so the test sends one command at a time followed by
// `sync /mark-N` and reads up to that sync's answer: everything printed in between
// belongs to the command. Each command's output must be the one in the table, on
// both servers (times and the session id masked).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SKIP_INTEROP } from "../../support/interop.ts";
import { TextLineStream } from "../../support/lines.ts";
import { onBoth, startTargets, type Target } from "./targets.ts";

const CLI_MT = "/usr/lib/zookeeper/bin/cli_mt";

/** dumpStat's lines for a znode (times masked); cli_mt prints zxids and versions in hex. */
function stat(czxid: string, mzxid: string, version = 0, owner = "0"): string[] {
  return [
    "\tctime = TIME",
    `\tczxid=${czxid}`,
    "\tmtime=TIME",
    `\tmzxid=${mzxid}`,
    `\tversion=${version.toString(16)}\taversion=0`,
    `\tephemeralOwner = ${owner}`,
  ];
}

// cli_mt creates every node with the data "new". Zxid 1 is the session.
const SESSION: [string, string[]][] = [
  ["create /c", ["Creating [/c] node (mode: 0)", "[/c]: rc = 0", "\tname = /c"]],
  ["create /c/x", ["Creating [/c/x] node (mode: 0)", "[/c/x]: rc = 0", "\tname = /c/x"]],
  ["get /c/x", ["/c/x: rc = 0", " value_len = 3", "new", "Stat:", ...stat("3", "3")]],
  // get left a data watch: the event comes before set's own answer.
  ["set /c/x hello", [
    "Watcher CHANGED_EVENT state = CONNECTED_STATE for path /c/x",
    "/c/x: rc = 0 Stat:",
    ...stat("3", "4", 1),
  ]],
  ["get /c/x", ["/c/x: rc = 0", " value_len = 5", "hello", "Stat:", ...stat("3", "4", 1)]],
  ["ls /c", ["/c: rc = 0", "\tx"]],
  ["create +s /c/s-", [
    "Creating [/c/s-] node (mode: 2)",
    "Watcher CHILD_EVENT state = CONNECTED_STATE for path /c",
    "[/c/s-]: rc = 0",
    "\tname = /c/s-0000000001",
  ]],
  ["create +s /c/s-", [
    "Creating [/c/s-] node (mode: 2)",
    "[/c/s-]: rc = 0",
    "\tname = /c/s-0000000002",
  ]],
  ["create +e /c/e", ["Creating [/c/e] node (mode: 1)", "[/c/e]: rc = 0", "\tname = /c/e"]],
  ["create /c/x", ["Creating [/c/x] node (mode: 0)", "[/c/x]: rc = -110"]],
  ["create /none/x", ["Creating [/none/x] node (mode: 0)", "[/none/x]: rc = -101"]],
  ["create2 /c/y", [
    "Creating [/c/y] node (mode: 0)",
    "[/c/y]: rc = 0",
    "\tname = /c/y",
    ...stat("a", "a"),
  ]],
  ["ls2 /c", [
    "/c: rc = 0",
    // Children in ZooKeeper's HashSet order.
    "\tx",
    "\ty",
    "\ts-0000000001",
    "\ts-0000000002",
    "\te",
    ...stat("2", "2"),
  ]],
  ["get /c/e", ["/c/e: rc = 0", " value_len = 3", "new", "Stat:", ...stat("7", "7", 0, "SESSION")]],
  ["exists /c/x", []],
  ["wexists /c/w", ["Error -101 for /c/w"]],
  ["create /c/w", [
    "Creating [/c/w] node (mode: 0)",
    "Watcher CREATED_EVENT state = CONNECTED_STATE for path /c/w",
    "Watcher CHILD_EVENT state = CONNECTED_STATE for path /c", // left by ls2
    "[/c/w]: rc = 0",
    "\tname = /c/w",
  ]],
  ["delete /c", ["/c: rc = -111"]],
  ["delete /c/x", ["Watcher DELETED_EVENT state = CONNECTED_STATE for path /c/x", "/c/x: rc = 0"]],
  ["get /c/x", ["/c/x: rc = -101", "Stat:", "null"]],
  ["delete /c/nope", ["/c/nope: rc = -101"]],
  ["create +t=5000 /c/ttl", ["Creating [/c/ttl] node (mode: 5)", "[/c/ttl]: rc = -6"]],
  ["ls /none", ["/none: rc = -101"]],
];

/** Masks what differs between runs: times, ctime strings, session ids. */
function mask(line: string): string | null {
  if (line.startsWith("time = ") || line === "") return null;
  return line
    .replace(/^\tctime = .*/, "\tctime = TIME")
    .replace(/^\tmtime=.*/, "\tmtime=TIME")
    .replace(/^\tephemeralOwner = [0-9a-f]{2,}$/, "\tephemeralOwner = SESSION");
}

/** Runs SESSION through one cli_mt; returns each command's output lines. */
async function runCliMt(t: Target): Promise<string[][]> {
  const child = new Deno.Command("bash", {
    args: ["-c", `exec "$0" "$1" 2>&1`, CLI_MT, t.hostPort],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream(),
  ).getReader();
  const stdin = child.stdin.getWriter();
  const send = (s: string) => stdin.write(new TextEncoder().encode(s + "\n"));
  const seen: string[] = [];
  const readUntil = async (done: (line: string) => boolean): Promise<string[]> => {
    const got: string[] = [];
    for (;;) {
      const { value, done: ended } = await lines.read();
      if (ended) throw new Error(`cli_mt ended early; output so far:\n${seen.join("\n")}`);
      seen.push(value);
      if (done(value)) return got;
      got.push(value);
    }
  };
  try {
    await readUntil((l) => l.startsWith("Got a new session id:"));
    const out: string[][] = [];
    for (const [i, [cmd]] of SESSION.entries()) {
      await send(cmd);
      await send(`sync /mark-${i}`);
      const got = await readUntil((l) => l === `[/mark-${i}]: rc = 0`);
      await readUntil((l) => l === `\tname = /mark-${i}`);
      out.push(got.map(mask).filter((l): l is string => l !== null));
    }
    await send("quit");
    await stdin.close();
    await readUntil(() => false).catch(() => {}); // drain to EOF
    return out;
  } finally {
    try {
      child.kill();
    } catch { /* exited */ }
    await child.status;
  }
}

Deno.test({
  name: "the C client cli_mt gets the same answers from zkt as from Apache ZooKeeper 3.8",
  ignore: SKIP_INTEROP,
  async fn() {
    const targets = await startTargets();
    try {
      const [zkt, zookeeper] = await onBoth(targets, runCliMt);
      const expected = SESSION.map(([cmd, lines]) => [cmd, lines]);
      const label = (out: string[][]) => SESSION.map(([cmd], i) => [cmd, out[i]]);
      assertEquals(label(zookeeper), expected, "Apache ZooKeeper answers as the table says");
      assertEquals(label(zkt), expected, "zkt answers cli_mt the same way");
    } finally {
      await targets.stop();
    }
  },
});
