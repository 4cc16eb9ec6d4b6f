// zkt's session trackers against Apache ZooKeeper 3.8's own (LeaderSessionTracker,
// LearnerSessionTracker, SessionTrackerImpl in /usr/share/java/zookeeper.jar), driven by
// SessionOracle.java: the scenario tables must be 3.8's answers, random step sequences must
// get the same answer from both at every step, and session ids and passwords must be the ones
// 3.8 makes. Runs when java is installed (and ZKT_SKIP_INTEROP is not set).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { SKIP_INTEROP } from "../../../support/interop.ts";
import { initialSessionId, sessionPassword } from "../../../../src/server/session_id.ts";
import { javaLong, runScript } from "./script.ts";
import { LEADER_SCENARIOS, LEARNER_SCENARIOS } from "./scenarios.ts";

const CLASSPATH = [
  "/usr/share/java/zookeeper.jar",
  "/usr/share/java/slf4j-api.jar",
  "/usr/share/java/slf4j-nop.jar",
];

async function javaPresent(): Promise<boolean> {
  try {
    const r = await new Deno.Command("java", { args: ["-version"], stderr: "null" }).output();
    return r.success;
  } catch {
    return false;
  }
}

const IGNORE = SKIP_INTEROP || !(await javaPresent());
let classes: Promise<string> | null = null;

/** Compiles SessionOracle.java once; the directory of its class. */
function compiled(): Promise<string> {
  classes ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkt-session-oracle-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const r = await new Deno.Command("javac", {
      args: [
        "-nowarn",
        "-d",
        dir,
        "-cp",
        CLASSPATH.join(":"),
        `${import.meta.dirname}/SessionOracle.java`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) throw new Error(`javac failed: ${new TextDecoder().decode(r.stderr)}`);
    return dir;
  })();
  return classes;
}

/** Runs steps through 3.8's trackers; one line per step. */
async function oracle(steps: readonly string[]): Promise<string[]> {
  const dir = await compiled();
  const child = new Deno.Command("java", {
    args: ["-cp", [dir, ...CLASSPATH].join(":"), "SessionOracle"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(steps.join("\n") + "\n"));
  await w.close();
  const r = await child.output();
  if (!r.success) throw new Error(`SessionOracle failed: ${new TextDecoder().decode(r.stderr)}`);
  const out = new TextDecoder().decode(r.stdout).split("\n");
  out.pop();
  return out;
}

Deno.test({
  name: "scenario_tables_are_zookeeper_3_8_answers",
  ignore: IGNORE,
  async fn() {
    const all = [...LEADER_SCENARIOS, ...LEARNER_SCENARIOS];
    const got = await oracle(all.flatMap((s) => s.steps.map(([step]) => step)));
    let i = 0;
    for (const s of all) {
      const rows = s.steps.map(([step]) => `${s.name}: ${step} -> ${got[i++]}`);
      assertEquals(rows, s.steps.map(([step, want]) => `${s.name}: ${step} -> ${want}`));
    }
  },
});

// Random scripts: a small pool of sessions (fixed ids of sids 1..3, one "own" id, and the ones
// `create` makes), three owners, three timeouts, so the steps keep meeting the same sessions.
const FIXED = [
  "0x0100000000000005",
  "0x0200000000000007",
  "0x0300000000000001",
  "0xc800000000000003",
];
const OWNERS = ["me", "h1", "h2"];
const TIMEOUTS = [2000, 4000, 6000];
const COMMON = [
  "create",
  "track",
  "commit",
  "touch",
  "check",
  "setOwner",
  "closing",
  "remove",
  "upgrade",
  "isLocal",
  "isGlobal",
  "isUpgrading",
  "isTracking",
];
const LEADER_OPS = [...COMMON, "checkGlobal", "prepCreate", "revalidate", "reconnect"];
const LEARNER_OPS = [...COMMON, "snapshot", "snapshot"];

const scriptArb = fc.record({
  leader: fc.boolean(),
  sid: fc.constantFrom(1, 2, 200),
  local: fc.boolean(),
  initial: fc.subarray(FIXED),
  steps: fc.array(
    fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...OWNERS), fc.constantFrom(...TIMEOUTS)),
    { minLength: 1, maxLength: 40 },
  ),
}).map((g) => {
  const ops = g.leader ? LEADER_OPS : LEARNER_OPS;
  const lines = [
    `new ${g.leader ? "leader" : "learner"} ${g.sid} ${g.local ? 1 : 0} ` +
    g.initial.map((id) => `${id}:4000`).join(" "),
  ];
  let made = 0;
  for (const [op, who, owner, to] of g.steps) {
    const pool = [...FIXED, ...Array.from({ length: made }, (_, k) => `a${k}`)];
    const s = pool[who % pool.length];
    const o = ops[op % ops.length];
    switch (o) {
      case "create":
        lines.push(`create a${made++} ${to}`);
        break;
      case "track":
      case "commit":
      case "touch":
        lines.push(`${o} ${s} ${to}`);
        break;
      case "check":
      case "checkGlobal":
      case "setOwner":
        lines.push(`${o} ${s} ${owner}`);
        break;
      case "prepCreate":
      case "revalidate":
        lines.push(`${o} ${s} ${to} ${owner}`);
        break;
      case "reconnect":
        lines.push(`${o} ${s} ${to}`);
        break;
      case "snapshot":
        lines.push("snapshot");
        break;
      default:
        lines.push(`${o} ${s}`);
    }
  }
  return lines;
});

Deno.test({
  name: "random_step_sequences_get_zookeeper_3_8s_answer_at_every_step",
  ignore: IGNORE,
  async fn() {
    const seed = Number(Deno.env.get("ZKT_ORACLE_SEED") ?? 170017);
    const scripts = fc.sample(scriptArb, { numRuns: 1500, seed });
    const got = await oracle(scripts.flatMap((s) => [...s, "end"]));
    let i = 0;
    for (const s of scripts) {
      const mine = runScript(s);
      for (let k = 0; k < s.length; k++, i++) {
        if (got[i] !== mine[k]) {
          throw new Error(
            `seed ${seed}: step ${k} differs (3.8: ${got[i]}, zkt: ${mine[k]}) in:\n` +
              s.slice(0, k + 1).map((l, j) => `  ${l}  # 3.8: ${got[i - k + j]}`).join("\n"),
          );
        }
      }
      assertEquals(got[i++], "end");
    }
  },
});

Deno.test({
  name: "session_ids_and_passwords_are_the_ones_3_8_makes",
  ignore: IGNORE,
  async fn() {
    const sids = [0, 1, 2, 127, 128, 200, 254, 255];
    const ids = await oracle(sids.map((sid) => `ids ${sid} 1`));
    const made: bigint[] = [];
    sids.forEach((sid, i) => {
      // Read within one clock ms of 3.8's elapsed-time clock, so zkt gets the same input.
      const [t, id] = ids[i].split(" ");
      assertEquals(initialSessionId(sid, Number(t)), BigInt(id), `sid ${sid} at ${t}`);
      made.push(BigInt(id));
    });
    const probe = [...made, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n + 1n];
    const pw = await oracle(probe.map((id) => `passwd ${BigInt.asIntN(64, id)}`));
    probe.forEach((id, i) => {
      const hex = Array.from(
        sessionPassword(javaLong(String(id))),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
      assertEquals(hex, pw[i], `password of ${id}`);
    });
  },
});
