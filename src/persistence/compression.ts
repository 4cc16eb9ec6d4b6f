// Snapshot compression chosen by file-name suffix, as ZooKeeper's SnapStream does:
// "snapshot.<zxid>" is plain, ".gz" is gzip, ".snappy" is xerial snappy-java's
// stream format (which zkt does not support: a clear error, never a misread).
import { CorruptDataError } from "../errors.ts";

/** The stream modes ZooKeeper knows. */
export type StreamMode = "plain" | "gz" | "snappy";

/** The mode a snapshot file name selects. */
export function streamModeOf(name: string): StreamMode {
  if (name.endsWith(".gz")) return "gz";
  if (name.endsWith(".snappy")) return "snappy";
  return "plain";
}

/** Thrown for a compression zkt cannot read or write. */
export class UnsupportedCompressionError extends CorruptDataError {
  override name = "UnsupportedCompressionError";
}

function unsupported(file: string): never {
  throw new UnsupportedCompressionError(
    `${file}: unsupported compression "snappy" (zkt reads plain and .gz snapshots; ` +
      `set zookeeper.snapshot.compression.method=gz or none)`,
  );
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
      stream.cancel().catch(() => {});
      return unsupported(file);
    default:
      return stream;
  }
}

/** Compresses a whole file's bytes as its name asks. */
export async function compressed(file: string, bytes: Uint8Array): Promise<Uint8Array> {
  switch (streamModeOf(file)) {
    case "gz": {
      const s = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
      return new Uint8Array(await new Response(s).arrayBuffer());
    }
    case "snappy":
      return unsupported(file);
    default:
      return bytes;
  }
}
