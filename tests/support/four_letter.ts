// Sends a ZooKeeper four-letter word and returns the whole reply (tests' shorthand
// for src/net/four_letter_client.ts).
import { sendFourLetter } from "../../src/net/four_letter_client.ts";

/** Sends `cmd` (e.g. "srvr") to host:port and reads until the server closes. */
export function fourLetter(
  port: number,
  cmd: string,
  hostname = "127.0.0.1",
  timeoutMs = 5000,
): Promise<string> {
  return sendFourLetter(hostname, port, cmd, timeoutMs);
}

/** Parses `srvr`/`stat` output's "Mode: x" line; undefined when absent. */
export function modeOf(srvr: string): string | undefined {
  return srvr.match(/^Mode: (\S+)/m)?.[1];
}
