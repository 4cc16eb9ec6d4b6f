// Helpers for election interop tests: ports and server lines for an ensemble on
// loopback, Apache ZooKeeper peers started on them, and srvr polling.
import { type ApacheZk, startApacheZk } from "../support/apache_zk.ts";
import { fourLetter, modeOf } from "../support/four_letter.ts";
import { freePorts } from "../support/ports.ts";

/** One member's ports. */
export interface Member {
  sid: number;
  client: number;
  quorum: number;
  election: number;
}

/** Allocates ports for sids and returns the members and their server lines. */
export function planEnsemble(sids: number[]): { members: Member[]; serverLines: string[] } {
  const ports = freePorts(sids.length * 3);
  const members = sids.map((sid, i) => ({
    sid,
    client: ports[3 * i],
    quorum: ports[3 * i + 1],
    election: ports[3 * i + 2],
  }));
  const serverLines = members.map((m) => `server.${m.sid}=127.0.0.1:${m.quorum}:${m.election}`);
  return { members, serverLines };
}

/** Starts an Apache ZooKeeper member without waiting for it to serve. */
export function startZkMember(
  m: Member,
  serverLines: string[],
  extra: { dir?: string; cfg?: string[] } = {},
): Promise<ApacheZk> {
  return startApacheZk({
    clientPort: m.client,
    myid: m.sid,
    dir: extra.dir,
    cfg: [
      ...serverLines,
      "cnxTimeout=2000",
      ...(extra.cfg ?? []),
    ],
    jvmProps: { "zookeeper.cnxTimeout": "2000" },
    waitReady: false,
  });
}

/** The Mode: line of a peer's srvr, or undefined while it does not serve. */
export async function modeOfPeer(port: number): Promise<string | undefined> {
  try {
    return modeOf(await fourLetter(port, "srvr", "127.0.0.1", 2000));
  } catch {
    return undefined;
  }
}

/** The zxid a peer's srvr reports, as bigint. */
export async function zxidOfPeer(port: number): Promise<bigint | undefined> {
  try {
    const m = (await fourLetter(port, "srvr", "127.0.0.1", 2000)).match(/^Zxid: (0x[0-9a-f]+)/m);
    return m ? BigInt(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
