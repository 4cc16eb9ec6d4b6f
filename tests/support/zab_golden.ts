// Reading captured Zab streams (fixtures/zab, or a live capture): every packet
// with its byte range, and a SNAP transfer's body read by the same code a zkt
// learner uses (quorum_stream.ts receiveSnap).
import type { QuorumPacket } from "../../src/jute/quorum.ts";
import type { SnapEntry, SnapNode } from "../../src/persistence/snapshot.ts";
import { PacketType } from "../../src/zab/packet_types.ts";
import { QuorumStreamParser, receiveSnap } from "../../src/zab/quorum_stream.ts";

/** One parsed packet and where its bytes are in the stream. */
export interface CapturedPacket {
  packet: QuorumPacket;
  start: number;
  end: number;
}

/** A SNAP body found in a stream: its records and its byte range (without the end marker). */
export interface CapturedSnap {
  entries: (SnapEntry | SnapNode)[];
  bodyStart: number;
  bodyEnd: number;
  /** Offset just after "BenWasHere". */
  end: number;
}

/** A parsed direction of a connection. */
export interface ParsedStream {
  packets: CapturedPacket[];
  snaps: CapturedSnap[];
  /** Bytes at the end that do not make a whole packet (a live capture cut mid-packet). */
  tail: number;
}

/** Parses a recorded stream; `strict` makes a trailing partial packet an error. */
export async function parseStream(
  bytes: Uint8Array,
  name: string,
  strict = true,
): Promise<ParsedStream> {
  const parser = new QuorumStreamParser({ name });
  let fed = false;
  const more = () => {
    if (fed) return Promise.resolve(null);
    fed = true;
    return Promise.resolve(bytes);
  };
  const packets: CapturedPacket[] = [];
  const snaps: CapturedSnap[] = [];
  // Feed everything through more() so a SNAP body is read from the same chunk source.
  parser.feed((await more())!);
  while (true) {
    const start = parser.offset;
    const p = parser.next();
    if (p === null) break;
    packets.push({ packet: p, start, end: parser.offset });
    if (p.type === PacketType.SNAP) {
      const bodyStart = parser.offset;
      const entries: (SnapEntry | SnapNode)[] = [];
      await receiveSnap(parser, more, (e) => void entries.push(...(Array.isArray(e) ? e : [e])));
      // "BenWasHere" as a jute string: 4-byte length + 10 bytes.
      snaps.push({ entries, bodyStart, bodyEnd: parser.offset - 14, end: parser.offset });
    }
  }
  if (strict) parser.finish();
  return { packets, snaps, tail: parser.buffered };
}

/** The packets of a parsed stream, by type name order, for messages. */
export function typesOf(s: ParsedStream): number[] {
  return s.packets.map((p) => p.packet.type);
}
