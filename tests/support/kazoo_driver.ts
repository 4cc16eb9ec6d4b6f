// Drives kazoo clients (Debian's, from /usr/bin/python3) from a test: one
// Python process (tests/support/ensemble_clients.py) holds named KazooClients;
// each call is one JSON line out and one back. Killing the process by PID
// leaves its sessions to expire, as a crashed client's would.
import { SYSTEM_PYTHON } from "./interop.ts";
import { TextLineStream } from "./lines.ts";
import { waitFor } from "./wait.ts";

/** A znode as kazoo read it: stat fields (zxids as 0x-hex) plus data as text. */
export interface KazooNode {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  numChildren: number;
  data: string | null;
}

/** A watch event kazoo delivered. */
export interface KazooEvent {
  type: string;
  path: string;
  state: string;
}

/** What a finished write load reports. */
export interface LoadResult {
  /** Paths whose create returned (acknowledged writes). */
  acked: string[];
  /** Creates that raised (connection loss etc.: outcome unknown). */
  failed: number;
  done: boolean;
  last_error: string | null;
}

/** Progress of a running write load. */
export interface LoadStatus {
  acked: number;
  failed: number;
  done: boolean;
}

/** What a finished read load reports. */
export interface ReadsResult {
  /** Reads that returned the value written. */
  ok: number;
  /** NoNode: served by a peer not yet past the write (reads do not sync). */
  stale: number;
  /** Reads that returned another value than the one written: must stay empty. */
  bad: string[];
  /** Reads that raised (connection loss etc.). */
  failed: number;
  done: boolean;
  last_error: string | null;
}

/** A session's id and password (base64), to reattach with. */
export interface SessionCreds {
  session: string;
  passwd: string;
}

const SCRIPT = new URL("./ensemble_clients.py", import.meta.url).pathname;

/** One Python process with any number of named kazoo clients. */
export class KazooDriver {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Record<string, unknown>) => void>();
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reading: Promise<void>;
  private stderr = "";
  private exited = false;

  private constructor(private readonly child: Deno.ChildProcess) {
    this.writer = child.stdin.getWriter();
    this.reading = (async () => {
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      );
      for await (const line of lines) {
        const r = JSON.parse(line);
        this.waiting.get(r.id)?.(r);
        this.waiting.delete(r.id);
      }
    })().catch(() => {});
    (async () => {
      for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) this.stderr += c;
    })().catch(() => {});
    child.status.then(() => {
      this.exited = true;
      for (const [, w] of this.waiting) w({ ok: false, error: "kazoo driver exited" });
      this.waiting.clear();
    });
  }

  /** Starts the Python process. */
  static start(): KazooDriver {
    const child = new Deno.Command(SYSTEM_PYTHON, {
      args: ["-u", SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new KazooDriver(child);
  }

  /** The driver's PID (to kill -9 it: its sessions then expire). */
  get pid(): number {
    return this.child.pid;
  }

  /** Sends one request and returns its value; throws with kazoo's error text. */
  async call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) throw new Error(`kazoo driver exited\n${this.stderr.slice(-2000)}`);
    const id = this.nextId++;
    const done = new Promise<Record<string, unknown>>((r) => this.waiting.set(id, r));
    await this.writer.write(new TextEncoder().encode(JSON.stringify({ id, op, ...args }) + "\n"));
    const r = await done;
    if (!r.ok) throw new Error(`kazoo ${op} ${JSON.stringify(args)}: ${r.error}`);
    return r.value as T;
  }

  /** Connects client `name` to `hosts` (comma-separated host:port); returns its session. */
  connect(
    name: string,
    hosts: string,
    opts: { timeout?: number; randomize?: boolean; creds?: SessionCreds } = {},
  ): Promise<SessionCreds> {
    return this.call("connect", {
      name,
      hosts,
      timeout: opts.timeout ?? 10,
      randomize: opts.randomize ?? true,
      ...(opts.creds ?? {}),
    });
  }

  /** Creates a znode; returns the created path. */
  create(
    name: string,
    path: string,
    data = "",
    flags: { ephemeral?: boolean; sequence?: boolean; makepath?: boolean } = {},
  ): Promise<string> {
    return this.call("create", { name, path, data, ...flags });
  }

  /** setData; returns the new stat. */
  set(name: string, path: string, data: string): Promise<KazooNode> {
    return this.call("set", { name, path, data });
  }

  /** getData with stat. */
  get(name: string, path: string): Promise<KazooNode> {
    return this.call("get", { name, path });
  }

  /** exists (no watch). */
  exists(name: string, path: string): Promise<boolean> {
    return this.call("exists", { name, path });
  }

  /** sync(path): the server catches up with the leader before the next read. */
  sync(name: string, path = "/"): Promise<boolean> {
    return this.call("sync", { name, path });
  }

  /** A one-shot data watch on path (getData). */
  watchData(name: string, path: string): Promise<boolean> {
    return this.call("watch-data", { name, path });
  }

  /** A one-shot child watch on path (getChildren). */
  watchChildren(name: string, path: string): Promise<boolean> {
    return this.call("watch-children", { name, path });
  }

  /**
   * kazoo's DataWatch recipe on path: an event {type: "DATAWATCH", data} now and
   * on every change, re-armed by kazoo after reconnects.
   */
  dataWatch(name: string, path: string): Promise<boolean> {
    return this.call("datawatch", { name, path });
  }

  /** Every watch event client `name` got so far. */
  events(name: string): Promise<KazooEvent[]> {
    return this.call("events", { name });
  }

  /** The state changes (CONNECTED, SUSPENDED, LOST) client `name` saw so far. */
  states(name: string): Promise<string[]> {
    return this.call("states", { name });
  }

  /** "127.0.0.1:port" client `name` is connected to, or null while disconnected. */
  peer(name: string): Promise<string | null> {
    return this.call("peer", { name });
  }

  /** sync("/") then every znode under root with stat and data, keyed by path. */
  tree(name: string, root = "/"): Promise<Record<string, KazooNode>> {
    return this.call("tree", { name, root });
  }

  /** Closes client `name`'s session (closeSession) and its connection. */
  close(name: string): Promise<boolean> {
    return this.call("close", { name });
  }

  /**
   * Starts a bounded background load: up to count sequential creates of
   * prefix/nNNNNNN (data "v<N>"), at most `rate` a second when given.
   */
  loadStart(
    name: string,
    prefix: string,
    count: number,
    seconds: number,
    rate = 0,
  ): Promise<boolean> {
    return this.call("load-start", { name, prefix, count, seconds, rate });
  }

  /** Asks the background load to end after its current create (loadWait then returns). */
  loadStop(name: string): Promise<boolean> {
    return this.call("load-stop", { name });
  }

  /**
   * Starts a bounded background read load on client `name`: getData of the
   * newest paths the write load of client `target` acknowledged, at most `rate`
   * a second.
   */
  readsStart(
    name: string,
    target: string,
    count: number,
    seconds: number,
    rate = 0,
  ): Promise<boolean> {
    return this.call("reads-start", { name, target, count, seconds, rate });
  }

  /** Ends the read load and returns what it saw. */
  readsStop(name: string): Promise<ReadsResult> {
    return this.call("reads-stop", { name, seconds: 600 });
  }

  /** Progress of the background load. */
  loadStatus(name: string): Promise<LoadStatus> {
    return this.call("load-status", { name });
  }

  /** Connects client `name` to hosts, creates `prefix` and starts a bounded write load under it. */
  async startLoad(
    name: string,
    hosts: string,
    prefix: string,
    count: number,
    seconds: number,
  ): Promise<void> {
    await this.connect(name, hosts, { timeout: 10 });
    await this.create(name, prefix);
    await this.loadStart(name, prefix, count, seconds);
  }

  /** Polls the load of `name` until it has `atLeast` acks or has ended; returns that progress. */
  waitAcked(
    name: string,
    atLeast: number,
    what: string,
    timeoutMs: number,
    intervalMs = 20,
  ): Promise<LoadStatus> {
    return waitFor(
      what,
      async () => {
        const s = await this.loadStatus(name);
        return s.acked >= atLeast || s.done ? s : undefined;
      },
      timeoutMs,
      intervalMs,
    );
  }

  /** The paths of `acked` (children of `path`) that client `name` does not read after sync(). */
  async missingAfterSync(name: string, path: string, acked: string[]): Promise<string[]> {
    await this.sync(name, path);
    const children = await this.call<string[]>("children", { name, path });
    const have = new Set(children.map((c) => `${path}/${c}`));
    return acked.filter((p) => !have.has(p));
  }

  /** Waits for the background load to end (its own deadline bounds it). */
  loadWait(name: string): Promise<LoadResult> {
    return this.call("load-wait", { name, seconds: 600 });
  }

  /** kill -9 of the Python process: its sessions are left to expire. */
  async kill(): Promise<void> {
    if (!this.exited) {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    await this.child.status;
    await this.writer.close().catch(() => {});
    await this.reading;
  }

  /** Closes every client's session (best effort), then ends the process. */
  async stop(): Promise<void> {
    if (!this.exited) {
      // Closing stdin ends the loop; the script exits without closing sessions,
      // so close the ones we know of first where a test did not.
      await this.writer.close().catch(() => {});
      const t = setTimeout(() => {
        try {
          this.child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      await this.child.status;
      clearTimeout(t);
    }
    await this.reading;
  }

  /** stderr of the Python process so far (kazoo's own logging). */
  log(): string {
    return this.stderr;
  }
}
