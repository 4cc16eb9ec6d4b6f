// A session held through a rolling replacement by ZooKeeper's C client shell
// `cli_mt` (Debian's zookeeper-bin), given every server: unlike kazoo 2.8, the C
// client re-registers its watches with SetWatches when it reconnects, so a
// one-shot watch set before the first step must still fire after the last one.
// Every line it prints (stdout and stderr) is kept; waits poll with a deadline.
import { TextLineStream } from "../support/lines.ts";
import { waitFor } from "../support/wait.ts";

const CLI_MT = "/usr/lib/zookeeper/bin/cli_mt";

/** One cli_mt process holding one session. */
export class CliMtSession {
  readonly lines: string[] = [];
  private readonly stdin: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reading: Promise<void>;

  private constructor(private readonly child: Deno.ChildProcess) {
    this.stdin = child.stdin.getWriter();
    this.reading = (async () => {
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      );
      for await (const l of lines) this.lines.push(l);
    })().catch(() => {});
  }

  /** Starts cli_mt on `hosts` and waits for its session id. */
  static async start(hosts: string, timeoutMs = 60_000): Promise<CliMtSession> {
    const child = new Deno.Command("bash", {
      args: ["-c", `exec "$0" "$1" 2>&1`, CLI_MT, hosts],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const s = new CliMtSession(child);
    try {
      await waitFor("cli_mt's session", () => s.sessionIds().length > 0, timeoutMs, 20);
    } catch (e) {
      await s.kill();
      throw new Error(`${(e as Error).message}\n${s.lines.slice(-20).join("\n")}`);
    }
    return s;
  }

  /** The ids of "Got a new session id" lines (one while the session lives). */
  sessionIds(): string[] {
    return this.lines.flatMap((l) => l.match(/^Got a new session id: 0x([0-9a-f]+)/)?.[1] ?? []);
  }

  /** Sends one shell command (e.g. "create +e /x", "get /x", which leaves a data watch). */
  async send(cmd: string): Promise<void> {
    await this.stdin.write(new TextEncoder().encode(cmd + "\n"));
  }

  /** Sends cmd, then waits for a line matching `reply`. */
  async run(cmd: string, reply: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
    const from = this.lines.length;
    await this.send(cmd);
    return await waitFor(
      `cli_mt to answer ${cmd}`,
      () => this.lines.slice(from).find(reply),
      timeoutMs,
      20,
    );
  }

  /** Watch events cli_mt printed for path, as "CHANGED_EVENT" etc. */
  events(path: string): string[] {
    return this.lines.flatMap((l) =>
      l.match(new RegExp(`^Watcher (\\w+) state = \\w+ for path ${path}$`))?.[1] ?? []
    );
  }

  /** Ends the process (its session is left to expire). */
  async kill(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch { /* gone */ }
    await this.child.status;
    await this.stdin.close().catch(() => {});
    await this.reading;
  }
}
