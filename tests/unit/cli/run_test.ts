// The CLI contract: help, version, and exit codes 0/1/2/3 for every way a run ends.
import assert from "node:assert/strict";
import { type Command, expectPositionals, parseFlags } from "../../../src/cli/command.ts";
import { ConfigError, CorruptDataError, RuntimeError } from "../../../src/errors.ts";
import { VERSION } from "../../../src/version.ts";
import { zkt } from "../../support/cli.ts";

// A command table of our own, so these tests do not depend on which real
// commands exist; the behaviour under test is the runner's.
const calls: string[][] = [];
const echo: Command = {
  names: ["echo"],
  summary: "print the argument",
  usage: "WORD [--upper]",
  help: "  --upper  shout",
  run(args, io) {
    const { values, positionals } = parseFlags<{ upper?: boolean }>(args, {
      upper: { type: "boolean" },
    });
    expectPositionals(positionals, ["WORD"]);
    calls.push(args);
    io.out((values.upper ? positionals[0].toUpperCase() : positionals[0]) + "\n");
    return Promise.resolve(0);
  },
};
const failing = (name: string, e: Error): Command => ({
  names: ["grp", name],
  summary: `throws ${e.name}`,
  usage: "",
  help: "",
  run: () => Promise.reject(e),
});
const table = [
  echo,
  failing("config", new ConfigError("clientPort: 70000 is out of range")),
  failing("corrupt", new CorruptDataError("snapshot.1: checksum mismatch at offset 12")),
  failing("runtime", new RuntimeError("cannot connect to 127.0.0.1:2181")),
];

Deno.test("--help lists every command and exits 0", async () => {
  const r = await zkt(["--help"], table);
  assert.equal(r.code, 0);
  for (const c of table) assert.match(r.out, new RegExp(c.names.join(" ")));
});

Deno.test("--version prints zkt's version", async () => {
  const r = await zkt(["--version"], table);
  assert.equal(r.code, 0);
  assert.match(r.out, new RegExp(`^zkt ${VERSION.replaceAll(".", "\\.")} `));
});

Deno.test("no arguments prints usage on stderr and exits 2", async () => {
  const r = await zkt([], table);
  assert.equal(r.code, 2);
  assert.match(r.err, /Usage: zkt/);
  assert.equal(r.out, "");
});

Deno.test("an unknown command or flag exits 2 with usage on stderr", async () => {
  for (const argv of [["nope"], ["--nope"], ["echo", "x", "--nope"], ["grp", "nope"]]) {
    const r = await zkt(argv, table);
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.err, /unknown|Unknown/, argv.join(" "));
    assert.equal(r.out, "");
  }
});

Deno.test("a missing argument or subcommand exits 2", async () => {
  let r = await zkt(["echo"], table);
  assert.equal(r.code, 2);
  assert.match(r.err, /missing argument: WORD/);
  r = await zkt(["grp"], table);
  assert.equal(r.code, 2);
  assert.match(r.err, /missing subcommand/);
});

Deno.test("<command> --help prints that command's usage and does not run it", async () => {
  calls.length = 0;
  const r = await zkt(["echo", "--help"], table);
  assert.equal(r.code, 0);
  assert.match(r.out, /Usage: zkt echo WORD \[--upper\]/);
  assert.equal(calls.length, 0);
});

Deno.test("a command runs with its flags", async () => {
  const r = await zkt(["echo", "hi", "--upper"], table);
  assert.deepEqual(r, { code: 0, out: "HI\n", err: "" });
});

Deno.test("errors map to exit codes: config 2, corrupt 3, run time 1", async () => {
  const cases: [string, number, RegExp][] = [
    ["config", 2, /clientPort: 70000 is out of range/],
    ["corrupt", 3, /corrupt data: snapshot.1: checksum mismatch at offset 12/],
    ["runtime", 1, /cannot connect/],
  ];
  for (const [name, code, msg] of cases) {
    const r = await zkt(["grp", name], table);
    assert.equal(r.code, code, name);
    assert.match(r.err, msg);
    assert.equal(r.err.trim().split("\n").length, 1, "one line");
  }
});
