// Errors a framed connection raises; each ends that one connection only.

/** A frame that breaks the protocol: bad length, oversize, truncated. */
export class FrameError extends Error {
  override name = "FrameError";
}

/** A read did not complete before its deadline. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}
