// Errors of the quorum port. Each ends one learner connection, never the peer.
import { FrameError } from "../net/errors.ts";

/**
 * A quorum-port stream or packet that breaks Zab: a bad length, a truncated
 * record, a payload of the wrong size for its type. The message is one line
 * naming the field and the value.
 */
export class ZabProtocolError extends FrameError {
  override name = "ZabProtocolError";
}
