// Runs zkt in-process with captured output.
import { runCli } from "../../../src/cli/run.ts";

/** Output and exit code of one zkt run. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `zkt ...args` and captures stdout/stderr. */
export async function zkt(...args: string[]): Promise<Ran> {
  let out = "";
  let err = "";
  const code = await runCli(args, {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    isTty: false,
  });
  return { code, out, err };
}
