// Asks a live peer whom it votes for: connect to its election port as a
// non-voting sid that keeps the connection (greater than any myid, not the
// observer id), send a LOOKING notification in the 40-byte form (no config, so
// it can never trigger a reconfig; its vote is Long.MIN_VALUE, which cannot
// win), and read the peer's answer. 3.8 answers non-voters with its current
// vote and state and changes nothing else.
import type { HostPort } from "../config/types.ts";
import { RuntimeError } from "../errors.ts";
import { FramedConn } from "../net/framed_conn.ts";
import { encodeInitialMessage, PROTOCOL_VERSION_V1 } from "./handshake.ts";
import {
  decodeNotification,
  encodeNotification40,
  LONG_MIN,
  type Notification,
  stateOf,
} from "./notification.ts";
import { connectWithTimeout, PACKET_MAX_SIZE } from "./qcm.ts";

/** The default probe sid: Long.MAX_VALUE - 1, above every myid and not the observer id. */
export const DEFAULT_PROBE_SID = (1n << 63n) - 2n;

/** One answer from the probed peer. */
export interface ProbeAnswer {
  state: string;
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
  /** Message format version (2 for 3.8). */
  version: number;
  /** The config version from the config text ("version=…"), when present. */
  configVersion: bigint | null;
  config: string | null;
}

/** Turns a notification into a probe answer. */
export function toAnswer(n: Notification): ProbeAnswer {
  const m = n.config?.match(/^version=([0-9a-fA-F]+)\s*$/m);
  return {
    state: stateOf(n.state) ?? `unknown(${n.state})`,
    leader: n.leader,
    zxid: n.zxid,
    electionEpoch: n.electionEpoch,
    peerEpoch: n.peerEpoch,
    version: n.version,
    configVersion: m ? BigInt("0x" + m[1]) : null,
    config: n.config,
  };
}

/** Options of a probe. */
export interface ProbeOptions {
  sid?: bigint;
  timeoutMs?: number;
  /** Keep probing (every intervalMs) and report each answer until the signal aborts. */
  watch?: boolean;
  intervalMs?: number;
  signal?: AbortSignal;
  /**
   * One-shot mode: how long to wait for a later answer after the first. A
   * peer (3.8 and zkt alike) re-sends the last message it sent to our sid when
   * we connect, which may be a stale answer to an earlier probe; the answer to
   * this probe comes after it. Default 300 ms.
   */
  settleMs?: number;
}

/** The probe notification: LOOKING, a vote that cannot win. */
function probeMessage(): Uint8Array {
  return encodeNotification40({
    state: 0,
    leader: LONG_MIN,
    zxid: LONG_MIN,
    electionEpoch: 0n,
    peerEpoch: LONG_MIN,
  });
}

/**
 * Probes target and calls onAnswer for each answer (once unless watching).
 * Throws RuntimeError when the peer cannot be reached or stays silent past the timeout.
 */
export async function probeElection(
  target: HostPort,
  onAnswer: (a: ProbeAnswer) => void,
  opts: ProbeOptions = {},
): Promise<void> {
  const sid = opts.sid ?? DEFAULT_PROBE_SID;
  const timeout = opts.timeoutMs ?? 5000;
  const where = `${target.host}:${target.port}`;
  let raw: Deno.TcpConn;
  try {
    raw = await connectWithTimeout(target, timeout);
  } catch (e) {
    throw new RuntimeError(`cannot reach the election port ${where}: ${(e as Error).message}`);
  }
  const conn = new FramedConn(raw, { maxFrame: PACKET_MAX_SIZE, name: where });
  const onAbort = () => conn.close();
  if (opts.signal?.aborted) return conn.close();
  opts.signal?.addEventListener("abort", onAbort);
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const local = raw.localAddr as Deno.NetAddr;
    conn.sendRaw(
      encodeInitialMessage(sid, [{ host: local.hostname, port: local.port }], PROTOCOL_VERSION_V1),
    );
    conn.send(probeMessage());
    if (opts.watch) {
      timer = setInterval(() => conn.send(probeMessage()), opts.intervalMs ?? 1000);
    }
    let last: ProbeAnswer | undefined;
    for (;;) {
      conn.setReadDeadline(
        last !== undefined
          ? (opts.settleMs ?? 300)
          : timeout + (opts.watch ? (opts.intervalMs ?? 1000) : 0),
      );
      let frame: Uint8Array | null;
      try {
        frame = await conn.readFrame();
      } catch (e) {
        if (opts.signal?.aborted) return;
        if (last !== undefined && (e as Error).name === "TimeoutError") {
          onAnswer(last); // settled: the newest answer is the one to this probe
          return;
        }
        const msg = (e as Error).name === "TimeoutError"
          ? `no answer from ${where} within ${timeout} ms`
          : `${where}: ${(e as Error).message}`;
        throw new RuntimeError(msg);
      }
      if (frame === null) {
        if (opts.signal?.aborted) return;
        if (last !== undefined) {
          onAnswer(last);
          return;
        }
        throw new RuntimeError(
          `${where} closed the connection without answering (is sid ${sid} above its myid?)`,
        );
      }
      const a = toAnswer(decodeNotification(frame));
      if (opts.watch) onAnswer(a);
      else last = a;
    }
  } finally {
    if (timer !== undefined) clearInterval(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    conn.close();
  }
}
