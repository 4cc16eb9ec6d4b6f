// Reading the AdminServer's JSON on the tools' side: Jackson prints longs bare,
// so session ids and zxids beyond 2^53 must not go through a double.

/**
 * Parses JSON keeping integers beyond 2^53 exact (as bigint); other numbers
 * stay numbers. For reading AdminServer replies, whose longs Jackson prints bare.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(
    text,
    // The reviver's third argument carries the literal's source text (V8's JSON.parse source access).
    (_k, v, ctx?: { source?: string }) =>
      typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v) &&
        ctx?.source !== undefined && /^-?\d+$/.test(ctx.source)
        ? BigInt(ctx.source)
        : v,
  );
}
