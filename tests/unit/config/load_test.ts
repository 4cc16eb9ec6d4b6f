// The zoo.cfg table (cases.ts) against parseConfig, plus loadConfig and defaults.
import assert from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import {
  defaultStandaloneConfig,
  isFourLetterWordEnabled,
  loadConfig,
  parseConfig,
  versionFromFilename,
} from "../../../src/config/load.ts";
import { ConfigKeyError } from "../../../src/config/errors.ts";
import fc from "fast-check";
import { type LogLevel, setLogLevel, setLogSink } from "../../../src/log/logger.ts";
import { CASES } from "./cases.ts";

const DIR = "/virtual/zk";

/** Runs fn with log lines captured instead of printed. */
function captureLogs<T>(level: LogLevel, fn: () => T): { result: T; lines: string[] } {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  setLogLevel(level);
  try {
    return { result: fn(), lines };
  } finally {
    setLogSink(prev);
    setLogLevel("info");
  }
}

function parseCase(cfg: string, files: Record<string, string> = {}) {
  const fs = new Map(Object.entries(files).map(([p, t]) => [`${DIR}/${p}`, t]));
  return parseConfig(cfg.replaceAll("$DIR", DIR), {
    path: `${DIR}/zoo.cfg`,
    readFile: (p) => {
      const t = fs.get(p);
      if (t === undefined) throw new Deno.errors.NotFound(`No such file: ${p}`);
      return t.replaceAll("$DIR", DIR);
    },
  });
}

for (const c of CASES) {
  Deno.test(`zoo.cfg: ${c.name}`, () => {
    captureLogs("info", () => {
      if (c.error !== undefined) {
        const want = c.error.replaceAll("$DIR", DIR);
        assert.throws(
          () => parseCase(c.cfg, c.files),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
            assert.ok(
              e.message.includes(want),
              `error ${JSON.stringify(e.message)} lacks ${JSON.stringify(want)}`,
            );
            assert.ok(!e.message.includes("\n"), "error must be one line");
            if (e instanceof ConfigKeyError) assert.ok(e.message.startsWith(e.key + ": "));
            return true;
          },
        );
      } else {
        const cfg = parseCase(c.cfg, c.files);
        assert.equal(cfg.path, `${DIR}/zoo.cfg`);
        c.check?.(cfg);
      }
    });
  });
}

Deno.test("every invalid case names a key first", () => {
  for (const c of CASES) {
    if (c.error === undefined) continue;
    try {
      captureLogs("error", () => parseCase(c.cfg, c.files));
      assert.fail(`${c.name}: accepted`);
    } catch (e) {
      assert.ok(e instanceof ConfigKeyError, `${c.name}: ${e}`);
    }
  }
});

Deno.test("unknown keys are logged at debug", () => {
  const { lines } = captureLogs(
    "debug",
    () => parseCase("dataDir=/d\nclientPort=2181\nmystery=42\n"),
  );
  assert.ok(lines.some((l) => l.includes("DEBUG") && l.includes("mystery=42")), lines.join("\n"));
});

Deno.test("later duplicate keys win, as in java.util.Properties", () => {
  const cfg = parseCase("dataDir=/a\nclientPort=2181\ndataDir=/b\n");
  assert.equal(cfg.dataDir, "/b");
});

Deno.test("an even number of participants parses with 3.8's warning", () => {
  const { result, lines } = captureLogs("info", () =>
    parseCase(
      "initLimit=5\nsyncLimit=2\ndataDir=$DIR/data\nclientPort=2181\n" +
        "server.1=h1:2888:3888\nserver.2=h2:2888:3888\nserver.3=h3:2888:3888\n" +
        "server.4=h4:2888:3888\nserver.5=h5:2888:3888:observer\n",
      { "data/myid": "5" },
    ));
  assert.equal(result.peerType, "observer");
  assert.equal(result.quorumVerifier!.votingMembers.size, 4);
  assert.ok(lines.some((l) => l.includes("WARN") && l.includes("Non-optimal configuration")));
});

Deno.test("two participants warn that no failure is tolerated", () => {
  const { lines } = captureLogs("info", () =>
    parseCase(
      "initLimit=5\nsyncLimit=2\ndataDir=$DIR/data\nclientPort=2181\n" +
        "server.1=h1:2888:3888\nserver.2=h2:2888:3888\n",
      { "data/myid": "1" },
    ));
  assert.ok(lines.some((l) => l.includes("No server failure will be tolerated")));
});

Deno.test("versionFromFilename reads the hex suffix as 3.8 does", () => {
  assert.equal(versionFromFilename("zoo.cfg.dynamic.100000000"), 0x100000000n);
  assert.equal(versionFromFilename("/etc/zk/zoo.cfg.dynamic.1a"), 0x1an);
  assert.equal(versionFromFilename("zoo.cfg.dynamic"), undefined);
  assert.equal(versionFromFilename("noext"), undefined);
});

Deno.test("defaultStandaloneConfig: 127.0.0.1:2181, ./zkt-data, standalone", () => {
  const cfg = defaultStandaloneConfig();
  assert.equal(cfg.standalone, true);
  assert.equal(cfg.clientPort, 2181);
  assert.equal(cfg.clientPortAddress, "127.0.0.1");
  assert.equal(cfg.dataDir, "./zkt-data");
  assert.equal(cfg.tickTime, 3000);
  assert.equal(cfg.myid, undefined);
  assert.equal(cfg.servers.size, 0);
});

Deno.test("loadConfig reads the file, myid and the dynamic file from disk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-config-" });
  try {
    await Deno.mkdir(`${dir}/data`);
    await Deno.writeTextFile(`${dir}/data/myid`, "2\n");
    await Deno.writeTextFile(
      `${dir}/zoo.cfg.dynamic.5`,
      "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    );
    await Deno.writeTextFile(
      `${dir}/zoo.cfg`,
      `initLimit=5\nsyncLimit=2\ndataDir=${dir}/data\nclientPort=2181\n` +
        `dynamicConfigFile=${dir}/zoo.cfg.dynamic.5\n`,
    );
    const cfg = await loadConfig(`${dir}/zoo.cfg`);
    assert.equal(cfg.myid, 2);
    assert.equal(cfg.quorumVerifier!.version, 5n);
    assert.equal(cfg.standalone, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig on a missing file is a one-line ConfigError", async () => {
  await assert.rejects(
    () => loadConfig("/nonexistent/zoo.cfg"),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("/nonexistent/zoo.cfg: cannot read"),
  );
});

Deno.test("4lw whitelist: srvr always on, * enables all, blanks ignored", () => {
  const def = parseCase("dataDir=/d\nclientPort=2181\n");
  assert.equal(isFourLetterWordEnabled(def, "srvr"), true);
  assert.equal(isFourLetterWordEnabled(def, "ruok"), false);
  const some = parseCase("dataDir=/d\nclientPort=2181\n4lw.commands.whitelist= ruok ,, mntr\n");
  assert.deepEqual(some.fourLetterWordWhitelist, ["ruok", "mntr", "srvr"]);
  assert.equal(isFourLetterWordEnabled(some, "mntr"), true);
  const all = parseCase("dataDir=/d\nclientPort=2181\n4lw.commands.whitelist=ruok, *\n");
  assert.equal(isFourLetterWordEnabled(all, "wchp"), true);
});

Deno.test("loadConfig refuses a huge file instead of reading it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkt-config-" });
  try {
    const f = await Deno.open(`${dir}/zoo.cfg`, { write: true, create: true });
    await f.truncate(64 * 1024 * 1024); // sparse: no disk used
    f.close();
    await assert.rejects(() => loadConfig(`${dir}/zoo.cfg`), /too large/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("any zoo.cfg text parses or fails with a one-line ConfigError, never a crash", () => {
  const token = fc.constantFrom(
    "server.1",
    "server.2",
    "server.x",
    "group.1",
    "weight.2",
    "version",
    "dataDir",
    "clientPort",
    "tickTime",
    "initLimit",
    "syncLimit",
    "standaloneEnabled",
    "dynamicConfigFile",
    "peerType",
    "127.0.0.1",
    "[::1]",
    "2888",
    "3888",
    "2181",
    "0",
    "-1",
    "99999",
    "observer",
    "true",
    ":",
    ";",
    "|",
    "=",
    " ",
    "\\",
    "\n",
    "\r\n",
    "#",
    "!",
    "[",
    "]",
    "\\u00",
    "1:2",
    "\t",
  ); // deno-fmt-ignore
  const lines = fc.array(fc.array(token, { maxLength: 8 }).map((t) => t.join("")), {
    maxLength: 12,
  });
  const prev = setLogSink(() => {});
  try {
    fc.assert(
      fc.property(lines, fc.constantFrom("", "1\n", "x"), (ls, myid) => {
        const text = "dataDir=/d\nclientPort=2181\n" + ls.join("\n");
        try {
          parseConfig(text, {
            readFile: (p) => {
              if (p === "/d/myid") return myid;
              throw new Deno.errors.NotFound(p);
            },
          });
        } catch (e) {
          assert.ok(e instanceof ConfigError, `${e}\n--- input ---\n${text}`);
          assert.ok(!e.message.includes("\n"));
        }
      }),
      { numRuns: 2000 },
    );
  } finally {
    setLogSink(prev);
  }
});
