import { CorruptDataError } from "../errors.ts";

/** A jute buffer that cannot be decoded; `offset` is where decoding failed. */
export class DecodeError extends CorruptDataError {
  override name = "DecodeError";
  constructor(readonly offset: number, readonly reason: string) {
    super(`${reason} at offset ${offset}`);
  }
}
