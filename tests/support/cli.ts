// Runs the CLI in-process with captured output.
import { runCli } from "../../src/cli/run.ts";
import type { Command } from "../../src/cli/command.ts";

/** Output and exit code of one in-process zkt run. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `zkt argv...` in this process and captures stdout/stderr. */
export async function zkt(argv: string[], commands?: Command[]): Promise<CliResult> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out: (s) => out += s,
    err: (s) => err += s,
    isTty: false,
  }, commands);
  return { code, out, err };
}

/** Runs `main.ts argv...` as a real subprocess (what users run). */
export async function zktProcess(argv: string[], cwd?: string): Promise<CliResult> {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", main, ...argv],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}
