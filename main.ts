// zkt entry point: argv → one subcommand in src/cli/; errors → exit codes.
import { runCli } from "./src/cli/run.ts";

const enc = new TextEncoder();

/** Writes all of a string to a stream, however large; a closed pipe (`| head`) ends quietly. */
function writeAll(w: { writeSync(p: Uint8Array): number }, s: string): void {
  let buf = enc.encode(s);
  try {
    while (buf.length > 0) buf = buf.subarray(w.writeSync(buf));
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw e;
  }
}

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    out: (s) => writeAll(Deno.stdout, s),
    err: (s) => writeAll(Deno.stderr, s),
    isTty: Deno.stdout.isTerminal(),
  });
  Deno.exit(code);
}
