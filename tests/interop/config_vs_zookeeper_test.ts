// The zoo.cfg table (tests/unit/config/cases.ts) run through Apache ZooKeeper 3.8's
// own QuorumPeerConfig.parse: zkt must reject what ZooKeeper rejects, accept what
// it accepts (except the cases marked zkt-stricter / zkt-lenient), decide
// standalone vs ensemble the same way, and print the same quorum config text.
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run.ts";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { toDynamicFileText } from "../../src/config/quorum_verifier.ts";
import { setLogSink } from "../../src/log/logger.ts";
import { SKIP_INTEROP, ZK_CLASSPATH } from "../support/interop.ts";
import { CASES, type ConfigCase } from "../unit/config/cases.ts";

// A small probe of our own: parses each file with QuorumPeerConfig and prints
// "path<TAB>OK<TAB>mode<TAB>quorum text<TAB>dynamic file text" or
// "path<TAB>ERR<TAB>exception chain".
const PROBE = `
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

public class ZkConfigProbe {
  public static void main(String[] args) {
    for (String path : args) {
      QuorumPeerConfig.setStandaloneEnabled(true);
      QuorumPeerConfig.setReconfigEnabled(false);
      StringBuilder out = new StringBuilder(path).append('\\t');
      try {
        QuorumPeerConfig c = new QuorumPeerConfig();
        c.parse(path);
        out.append("OK\\t").append(c.isDistributed() ? "ensemble" : "standalone").append('\\t');
        out.append(c.getQuorumVerifier() == null ? "" : c.getQuorumVerifier().toString());
        if (c.getQuorumVerifier() != null) {
          String dyn = path + ".probe.dynamic";
          QuorumPeerConfig.writeDynamicConfig(dyn, c.getQuorumVerifier(), false);
          out.append('\\t').append(new String(Files.readAllBytes(Paths.get(dyn)), "UTF-8"));
        }
      } catch (Throwable e) {
        out.append("ERR\\t").append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
          out.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
      }
      System.out.println(out.toString().replace("\\\\", "\\\\\\\\").replace("\\n", "\\\\n"));
    }
  }
}
`;

interface ZkResult {
  ok: boolean;
  mode?: string;
  qv?: string;
  dynamicFile?: string;
  error?: string;
}

async function writeCase(root: string, i: number, c: ConfigCase): Promise<string> {
  const dir = `${root}/case${i}`;
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  for (const [p, text] of Object.entries(c.files ?? {})) {
    await Deno.writeTextFile(`${dir}/${p}`, text.replaceAll("$DIR", dir));
  }
  await Deno.writeTextFile(`${dir}/zoo.cfg`, c.cfg.replaceAll("$DIR", dir));
  return dir;
}

/** Runs zoo.cfg files through ZooKeeper's parser in one JVM (relative paths from `cwd`). */
async function runZooKeeper(
  root: string,
  cfgPaths: string[],
  cwd = root,
): Promise<Map<string, ZkResult>> {
  await Deno.writeTextFile(`${root}/ZkConfigProbe.java`, PROBE);
  const out = await new Deno.Command("java", {
    args: [
      "-Xmx128m",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
      "-cp",
      ZK_CLASSPATH,
      `${root}/ZkConfigProbe.java`,
      ...cfgPaths,
    ],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `probe failed: ${new TextDecoder().decode(out.stderr)}`);
  const results = new Map<string, ZkResult>();
  for (const line of stdout.split("\n")) {
    if (!line) continue;
    const [path, verdict, a, b, d] = line.split("\t");
    const unescape = (s: string | undefined) =>
      s?.replace(/\\(\\|n)/g, (_, ch) => (ch === "n" ? "\n" : "\\"));
    results.set(
      path,
      verdict === "OK"
        ? { ok: true, mode: a, qv: unescape(b), dynamicFile: unescape(d) }
        : { ok: false, error: unescape(a) },
    );
  }
  return results;
}

function runZkt(
  dir: string,
  c: ConfigCase,
): { ok: boolean; standalone?: boolean; qv?: string; dynamicFile?: string; error?: string } {
  const prev = setLogSink(() => {});
  try {
    const cfg = parseConfig(c.cfg.replaceAll("$DIR", dir), {
      path: `${dir}/zoo.cfg`,
      readFile: (p) => Deno.readTextFileSync(p),
    });
    const qv = cfg.quorumVerifier;
    return {
      ok: true,
      standalone: cfg.standalone,
      qv: qv?.toConfigString(),
      dynamicFile: qv && toDynamicFileText(qv),
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    setLogSink(prev);
  }
}

Deno.test({
  name: "zoo.cfg table: zkt rejects what ZooKeeper 3.8 rejects and prints the same quorum config",
  ignore: SKIP_INTEROP,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "zkt-config-interop-" });
    try {
      const dirs: string[] = [];
      for (const [i, c] of CASES.entries()) dirs.push(await writeCase(root, i, c));
      const zk = await runZooKeeper(root, dirs.map((d) => `${d}/zoo.cfg`));
      const problems: string[] = [];
      for (const [i, c] of CASES.entries()) {
        const dir = dirs[i];
        const z = zk.get(`${dir}/zoo.cfg`);
        if (!z) {
          problems.push(`${c.name}: no answer from ZooKeeper`);
          continue;
        }
        const ours = runZkt(dir, c);
        const expectZkOk = c.zk === "agree" ? ours.ok : c.zk === "zkt-lenient" ? false : true;
        const expectOursOk = c.error === undefined;
        if (ours.ok !== expectOursOk) {
          problems.push(`${c.name}: zkt ${ours.ok ? "accepted" : `rejected (${ours.error})`}`);
        }
        if (z.ok !== expectZkOk) {
          problems.push(
            `${c.name} [${c.zk}]: ZooKeeper ${z.ok ? "accepted" : `rejected (${z.error})`}`,
          );
          continue;
        }
        if (z.ok && ours.ok) {
          const zkStandalone = z.mode === "standalone";
          if (zkStandalone !== ours.standalone) {
            problems.push(`${c.name}: ZooKeeper runs ${z.mode}, zkt standalone=${ours.standalone}`);
          }
          if (ours.qv !== undefined && ours.qv !== z.qv) {
            problems.push(
              `${c.name}: quorum config text differs\n  zk:  ${JSON.stringify(z.qv)}\n` +
                `  zkt: ${JSON.stringify(ours.qv)}`,
            );
          }
          if (ours.dynamicFile !== undefined && ours.dynamicFile !== z.dynamicFile) {
            problems.push(
              `${c.name}: dynamic file text differs\n  zk:  ${JSON.stringify(z.dynamicFile)}\n` +
                `  zkt: ${JSON.stringify(ours.dynamicFile)}`,
            );
          }
        }
      }
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "the fixtures/config examples are valid for ZooKeeper 3.8 and print the same quorum",
  ignore: SKIP_INTEROP,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "zkt-config-interop-" });
    try {
      const names = [...Deno.readDirSync("fixtures/config")]
        .filter((e) => e.isFile && e.name.endsWith(".cfg"))
        .map((e) => e.name)
        .sort();
      assert.ok(names.length >= 4, names.join());
      // Copies, so the probe's scratch files stay out of fixtures/; their relative
      // paths still resolve from the repository root, as for zkt.
      for (const n of names) Deno.copyFileSync(`fixtures/config/${n}`, `${root}/${n}`);
      const zk = await runZooKeeper(root, names.map((n) => `${root}/${n}`), Deno.cwd());
      const prev = setLogSink(() => {});
      try {
        for (const n of names) {
          const z = zk.get(`${root}/${n}`)!;
          assert.ok(z.ok, `${n}: ZooKeeper rejected it: ${z.error}`);
          const cfg = await loadConfig(`fixtures/config/${n}`);
          assert.equal(z.mode === "standalone", cfg.standalone, n);
          if (cfg.quorumVerifier) assert.equal(cfg.quorumVerifier.toConfigString(), z.qv, n);
        }
      } finally {
        setLogSink(prev);
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "QuorumPeerMain exits 2 on a bad zoo.cfg, and so does zkt config check",
  ignore: SKIP_INTEROP,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "zkt-config-interop-" });
    try {
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeTextFile(
        `${dir}/zoo.cfg`,
        `dataDir=${dir}/data\nclientPort=2181\nadmin.enableServer=false\nelectionAlg=1\n`,
      );
      const zk = await new Deno.Command("java", {
        args: [
          "-Xmx128m",
          "-cp",
          ZK_CLASSPATH,
          "org.apache.zookeeper.server.quorum.QuorumPeerMain",
          `${dir}/zoo.cfg`,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      const zkErr = new TextDecoder().decode(zk.stderr);
      assert.equal(zk.code, 2, zkErr.slice(-2000));
      assert.match(zkErr, /Invalid electionAlg value\. Only 3 is supported\./);
      let err = "";
      const code = await runCli(["config", "check", `${dir}/zoo.cfg`], {
        out: () => {},
        err: (s) => (err += s),
        isTty: false,
      });
      assert.equal(code, 2);
      assert.equal(err, "zkt config check: electionAlg: invalid value 1; only 3 is supported\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
