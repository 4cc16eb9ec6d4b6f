// Config errors that name the offending key, like ZooKeeper's ConfigException.
import { ConfigError } from "../errors.ts";

/** A ConfigError about one key; the message is "key: reason" on one line. */
export class ConfigKeyError extends ConfigError {
  constructor(readonly key: string, readonly reason: string) {
    super(`${key}: ${reason}`.replace(/[\r\n]+/g, " "));
  }
}

/** Shows a config value in an error message: quoted, control characters escaped. */
export function show(value: string): string {
  return JSON.stringify(value);
}
