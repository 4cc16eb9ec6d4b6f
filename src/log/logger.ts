// Logs to stderr in ZooKeeper's layout so existing log tooling parses them:
// `2026-11-22 15:48:52,123 [myid:1] - INFO  [component] - message`.

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LABEL: Record<LogLevel, string> = {
  debug: "DEBUG",
  info: "INFO ",
  warn: "WARN ",
  error: "ERROR",
};

/** Where formatted lines go; tests swap it for an array. */
export type LogSink = (line: string) => void;

const encoder = new TextEncoder();
const stderrSink: LogSink = (line) => {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
};

const state: { level: LogLevel; myid: string; sink: LogSink } = {
  level: parseLevel(readEnvLevel()) ?? "info",
  myid: "",
  sink: stderrSink,
};

function readEnvLevel(): string | undefined {
  try {
    return Deno.env.get("ZKT_LOG_LEVEL");
  } catch {
    return undefined; // no env permission: keep the default
  }
}

/** Parses a level name (case-insensitive); undefined when it is not one. */
export function parseLevel(s: string | undefined): LogLevel | undefined {
  if (s === undefined) return undefined;
  const l = s.toLowerCase();
  if (l === "warning") return "warn";
  return l in ORDER ? l as LogLevel : undefined;
}

/** Sets the global log level. */
export function setLogLevel(level: LogLevel): void {
  state.level = level;
}

/** Sets the `[myid:N]` tag printed on every line. */
export function setLogMyid(myid: number | string): void {
  state.myid = String(myid);
}

/** Redirects log output; returns the previous sink. */
export function setLogSink(sink: LogSink): LogSink {
  const prev = state.sink;
  state.sink = sink;
  return prev;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** Formats a timestamp as ZooKeeper's log4j pattern does (local time, comma millis). */
export function formatLogTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${
      pad(d.getMilliseconds(), 3)
    }`;
}

/** A logger bound to one component name. */
export class Logger {
  constructor(readonly component: string) {}

  /** True when lines at this level are written (skip costly formatting otherwise). */
  enabled(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[state.level];
  }

  log(level: LogLevel, msg: string): void {
    if (!this.enabled(level)) return;
    state.sink(
      `${formatLogTime(new Date())} [myid:${state.myid}] - ${
        LABEL[level]
      } [${this.component}] - ${msg}`,
    );
  }

  debug(msg: string): void {
    this.log("debug", msg);
  }
  info(msg: string): void {
    this.log("info", msg);
  }
  warn(msg: string): void {
    this.log("warn", msg);
  }
  error(msg: string): void {
    this.log("error", msg);
  }
}

/** Returns a logger for a component. */
export function logger(component: string): Logger {
  return new Logger(component);
}
