// Java .properties text → ordered key/value entries, as java.util.Properties.load reads it.
import { parseLines } from "dot-properties";

/**
 * Parses Java-properties text, in file order. Later duplicates win, as in Properties.load.
 * Keys and values are not trimmed here (Properties keeps trailing blanks in values).
 */
export function parseProperties(text: string): Map<string, string> {
  // Java ends a line at \r\n, \n or a lone \r; dot-properties only follows a
  // backslash continuation across \n, so normalise line ends first.
  const src = text.replace(/\r\n?/g, "\n");
  const out = new Map<string, string>();
  for (const line of parseLines(src, false)) {
    if (Array.isArray(line)) {
      const [key, value] = line;
      out.set(key, value); // a repeated key keeps its first place, as in Java
    }
  }
  return out;
}
