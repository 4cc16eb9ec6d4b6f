// Snapshot compression chosen by file-name suffix, as ZooKeeper's SnapStream does:
// "snapshot.<zxid>" is plain, ".gz" is gzip, ".snappy" is xerial snappy-java's
// stream format (through the snappyjs package).
import { snappyCompressor, snappyDecompressor } from "./snappy.ts";

/** The stream modes ZooKeeper knows. */
export type StreamMode = "plain" | "gz" | "snappy";

/** The mode a snapshot file name selects. */
export function streamModeOf(name: string): StreamMode {
  if (name.endsWith(".gz")) return "gz";
  if (name.endsWith(".snappy")) return "snappy";
  return "plain";
}

/** Wraps a file's byte stream in the decompressor its name asks for. */
export function decompressed(
  file: string,
  stream: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  switch (streamModeOf(file)) {
    case "gz":
      return stream.pipeThrough(
        new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      );
    case "snappy":
      return stream.pipeThrough(snappyDecompressor(file));
    default:
      return stream;
  }
}

/** Wraps a stream of file bytes in the compressor the file's name asks for. */
export function compressing(
  file: string,
  stream: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  switch (streamModeOf(file)) {
    case "gz":
      return stream.pipeThrough(
        new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      );
    case "snappy":
      return stream.pipeThrough(snappyCompressor());
    default:
      return stream;
  }
}
