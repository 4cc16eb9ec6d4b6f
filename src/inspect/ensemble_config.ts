// Reads the parts of a zoo.cfg that `zkt ensemble status` needs (the server
// list and the ports to ask), leniently: an operator's copy of zoo.cfg has no
// myid and its dataDir may not exist on this machine, which `zkt serve`'s full
// validation would refuse. Pure apart from the injected readFile.
import { ConfigError } from "../errors.ts";
import { ConfigKeyError } from "../config/errors.ts";
import { parseProperties } from "../config/properties.ts";
import { verifierFromProperties } from "../config/quorum_verifier.ts";
import type { QuorumVerifier } from "../config/types.ts";
import { versionFromFilename } from "../config/load.ts";

/** What status reads from zoo.cfg. */
export interface EnsembleConfig {
  path: string;
  verifier: QuorumVerifier;
  /** clientPort, when set: every server's client port unless its server line names one. */
  clientPort: number | undefined;
  /** myid from dataDir/myid when that file is readable here. */
  myid: number | undefined;
  /** clientPortAddress, for the server whose myid this is. */
  clientPortAddress: string | undefined;
  /** The AdminServer port (admin.serverPort, default 8080) when admin.enableServer is not false. */
  adminPort: number | undefined;
}

function port(key: string, v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigKeyError(key, `${JSON.stringify(v.trim())} is not a port`);
  }
  return n === 0 ? undefined : n;
}

/** Parses zoo.cfg text for status; throws ConfigError (one line) when it names no servers. */
export function parseEnsembleConfig(
  text: string,
  path: string,
  readFile: (p: string) => string,
): EnsembleConfig {
  const props = parseProperties(text);
  const get = (k: string) => {
    for (const [key, v] of props) if (key.trim() === k) return v.trim();
    return undefined;
  };
  const multi = get("multiAddress.enabled") === "true";
  const dynamic = get("dynamicConfigFile");
  let verifier: QuorumVerifier;
  if (dynamic !== undefined) {
    let dyn: string;
    try {
      dyn = readFile(dynamic);
    } catch (e) {
      throw new ConfigKeyError(
        "dynamicConfigFile",
        `cannot read ${dynamic}: ${(e as Error).message}`,
      );
    }
    verifier = verifierFromProperties(parseProperties(dyn), { multiAddressEnabled: multi });
    verifier.version = versionFromFilename(dynamic) ?? 0n;
  } else {
    verifier = verifierFromProperties(props, { multiAddressEnabled: multi });
  }
  if (verifier.allMembers.size === 0) {
    throw new ConfigError(`${path}: no server.N lines: not an ensemble's zoo.cfg`);
  }
  let myid: number | undefined;
  const dataDir = get("dataDir");
  if (dataDir !== undefined) {
    try {
      const first = readFile(`${dataDir.replace(/\/+$/, "")}/myid`).split(/\r?\n/)[0].trim();
      if (/^\d+$/.test(first)) myid = Number(first);
    } catch { /* an operator's copy: no data dir here */ }
  }
  const adminOn = get("admin.enableServer") !== "false";
  return {
    path,
    verifier,
    clientPort: port("clientPort", get("clientPort")),
    myid,
    clientPortAddress: get("clientPortAddress"),
    adminPort: adminOn ? port("admin.serverPort", get("admin.serverPort")) ?? 8080 : undefined,
  };
}

/** Reads a zoo.cfg file for status. */
export function loadEnsembleConfig(path: string): EnsembleConfig {
  const read = (p: string) => Deno.readTextFileSync(p);
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file: ${(e as Error).message}`);
  }
  return parseEnsembleConfig(text, path, read);
}
