// zoo.cfg text → validated ZkConfig, following ZooKeeper 3.8's QuorumPeerConfig:
// the same keys, defaults, order of checks and standalone/ensemble decision.
// Pure apart from the injected readFile (myid, dynamic file).
import { ConfigError } from "../errors.ts";
import { logger } from "../log/logger.ts";
import { ConfigKeyError, show } from "./errors.ts";
import { javaParseLong, javaPropertiesOrder } from "./java.ts";
import { defaults, isQuorumKey, KNOWN_KEYS, type Raw, readKey } from "./keys.ts";
import { checkPortReuse, type Endpoint, isWildcard, sameHost, serverEndpoints } from "./ports.ts";
import { parseProperties } from "./properties.ts";
import { checkMembership, verifierFromProperties } from "./quorum_verifier.ts";
import { formatHostPort } from "./server_spec.ts";
import type { LearnerType, QuorumVerifier, ZkConfig } from "./types.ts";

const log = logger("QuorumPeerConfig");

export { DEFAULT_TICK_TIME, KNOWN_KEYS, KNOWN_METRICS_PROVIDERS } from "./keys.ts";

/** How parseConfig reads the files zoo.cfg points to. */
export interface ParseOptions {
  /** The config file's path, for messages and ZkConfig.path. */
  path?: string;
  /** Reads a whole text file; throws when it is missing or unreadable. */
  readFile(path: string): string;
}

/** The hex version in a dynamic file's name ("zoo.cfg.dynamic.100000000"), as 3.8 reads it. */
export function versionFromFilename(path: string): bigint | undefined {
  const i = path.lastIndexOf(".");
  if (i < 0) return undefined;
  return javaParseLong(path.slice(i + 1), 16);
}

/** EphemeralType.MAX_EXTENDED_SERVER_ID: the largest myid extended types allow. */
const MAX_EXTENDED_SERVER_ID = 254;

/** First line of the myid file, parsed as ZooKeeper does (Long.parseLong, no trimming). */
function readMyid(dataDir: string, readFile: (p: string) => string): number | undefined {
  const path = `${dataDir.replace(/\/+$/, "")}/myid`;
  let text: string;
  try {
    text = readFile(path);
  } catch {
    return undefined; // no myid file: fine for a standalone server
  }
  const first = text.split(/\r\n|\r|\n/)[0];
  const v = javaParseLong(first);
  if (v === undefined) {
    throw new ConfigKeyError("myid", `${show(first)} in ${path} is not a number`);
  }
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigKeyError("myid", `${v} in ${path} is out of range`);
  }
  return Number(v);
}

function readDynamicFile(
  path: string,
  raw: Raw,
  readFile: (p: string) => string,
): QuorumVerifier {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    throw new ConfigKeyError("dynamicConfigFile", `cannot read ${path}: ${(e as Error).message}`);
  }
  const props = parseProperties(text);
  if (props.has("version")) {
    throw new ConfigKeyError(
      "dynamicConfigFile",
      `${path} must not contain version (it comes from the file name)`,
    );
  }
  for (const key of javaPropertiesOrder(props.keys())) {
    if (!isQuorumKey(key.trim())) {
      throw new ConfigKeyError(key.trim(), `unrecognised parameter in dynamic file ${path}`);
    }
  }
  const qv = verifierFromProperties(props, { multiAddressEnabled: raw.multiAddressEnabled });
  qv.version = versionFromFilename(path) ?? 0n;
  return qv;
}

/** Parses and validates zoo.cfg text as ZooKeeper 3.8 would; throws ConfigError (one line). */
export function parseConfig(text: string, opts: ParseOptions): ZkConfig {
  const props = parseProperties(text);
  const hasDynamicFile = props.has("dynamicConfigFile");
  const raw = defaults();
  // ZooKeeper walks the keys in Properties order; so do we, so the first error matches.
  for (const k of javaPropertiesOrder(props.keys())) {
    readKey(raw, k.trim(), props.get(k)!.trim(), hasDynamicFile);
  }
  const extraInFileOrder = [...props.keys()].map((k) => k.trim()).filter((k) => raw.extra.has(k));
  raw.extra = new Map(extraInFileOrder.map((k) => [k, raw.extra.get(k)!]));

  if (raw.snapRetainCount < 3) {
    log.warn(`Invalid autopurge.snapRetainCount: ${raw.snapRetainCount}. Defaulting to 3`);
    raw.snapRetainCount = 3;
  }
  if (raw.snapCount < 2) {
    log.warn("SnapCount should be 2 or more. Now, snapCount is reset to 2");
    raw.snapCount = 2;
  }
  if (raw.dataDir === undefined) throw new ConfigKeyError("dataDir", "is not set");
  const dataDir = raw.dataDir;
  if (raw.clientPort === 0 && raw.clientPortAddress !== undefined) {
    throw new ConfigKeyError("clientPortAddress", "is set but clientPort is not set");
  }
  if (raw.tickTime === 0) throw new ConfigKeyError("tickTime", "is not set");
  if (raw.tickTime < 0) {
    throw new ConfigKeyError("tickTime", `must be positive, not ${raw.tickTime}`);
  }
  const minSessionTimeout = raw.minSessionTimeout === -1 ? raw.tickTime * 2 : raw.minSessionTimeout;
  const maxSessionTimeout = raw.maxSessionTimeout === -1
    ? raw.tickTime * 20
    : raw.maxSessionTimeout;
  if (minSessionTimeout > maxSessionTimeout) {
    throw new ConfigKeyError(
      "minSessionTimeout",
      `${minSessionTimeout} must not be larger than maxSessionTimeout ${maxSessionTimeout}`,
    );
  }

  // The quorum: from zoo.cfg itself (3.4 style) or from the dynamic file.
  const qv = raw.dynamicConfigFile !== undefined
    ? readDynamicFile(raw.dynamicConfigFile, raw, opts.readFile)
    : verifierFromProperties(props, { multiAddressEnabled: raw.multiAddressEnabled });
  checkMembership(qv, raw.standaloneEnabled);
  const myid = readMyid(dataDir, opts.readFile);

  // The client address: a client part in this server's line wins over clientPort.
  let clientHost = raw.clientPort === 0 ? undefined : raw.clientPortAddress ?? "0.0.0.0";
  let clientPort = raw.clientPort === 0 ? undefined : raw.clientPort;
  const self = myid === undefined ? undefined : qv.allMembers.get(myid);
  if (self?.clientAddr) {
    const c = self.clientAddr;
    if (clientHost !== undefined && clientPort !== undefined) {
      const differs = isWildcard(clientHost)
        ? clientPort !== c.port
        : clientPort !== c.port || !sameHost(clientHost, c.host);
      if (differs) {
        throw new ConfigKeyError(
          "clientPort",
          `client address for this server (id = ${myid}) in the static config is ` +
            `${formatHostPort({ host: clientHost, port: clientPort })}, different from ` +
            `server.${myid}'s ${formatHostPort(c)}`,
        );
      }
    }
    clientHost = c.host;
    clientPort = c.port;
  }

  // The server list decides the role (3.8 warns and overrides peerType).
  const role: LearnerType = myid !== undefined && qv.observingMembers.has(myid)
    ? "observer"
    : "participant";
  if (role !== raw.peerType) {
    log.warn(
      `Peer type from servers list (${role}) doesn't match peerType (${raw.peerType}). ` +
        "Defaulting to servers list.",
    );
  }

  const standalone = raw.standaloneEnabled && qv.votingMembers.size <= 1;
  if (!standalone) {
    if (raw.initLimit === 0) throw new ConfigKeyError("initLimit", "is not set");
    if (raw.syncLimit === 0) throw new ConfigKeyError("syncLimit", "is not set");
    if (myid === undefined) {
      throw new ConfigKeyError("myid", `file ${dataDir.replace(/\/+$/, "")}/myid is missing`);
    }
    if (self === undefined) {
      const ids = [...qv.allMembers.keys()].map((i) => `server.${i}`).join(", ");
      throw new ConfigKeyError("myid", `${myid} is not in the server list (${ids})`);
    }
    // EphemeralType.validateServerId: with extended types an owner whose high
    // byte is 0xff is a TTL node, so a peer with myid 255 (its session ids carry
    // it there) cannot hold sessions. 3.8 fails later, when the peer's session
    // tracker starts; zkt says so up front.
    if (raw.extendedTypesEnabled && myid > MAX_EXTENDED_SERVER_ID) {
      throw new ConfigKeyError(
        "extendedTypesEnabled",
        `is true but Server ID ${myid} is too large. Cannot be larger than ${MAX_EXTENDED_SERVER_ID}`,
      );
    }
  } else if (clientPort === undefined) {
    throw new ConfigKeyError("clientPort", "is not set (a standalone server needs one)");
  }

  // zkt's own check: listeners that would collide at bind time.
  const endpoints: Endpoint[] = [];
  if (!standalone) {
    for (const qs of qv.allMembers.values()) {
      endpoints.push(...serverEndpoints(qs));
    }
  }
  const selfId = standalone ? -1 : myid!;
  // (An ensemble peer's client part of its server line is already among the server endpoints.)
  if (clientPort !== undefined && (standalone || !self?.clientAddr)) {
    endpoints.push({
      key: "clientPort",
      sid: selfId,
      what: "client address",
      host: clientHost!,
      port: clientPort,
    });
  }
  if (raw.adminEnableServer) {
    endpoints.push({
      key: "admin.serverPort",
      sid: selfId,
      what: "admin server address",
      host: raw.adminServerAddress,
      port: raw.adminServerPort,
    });
  }
  if (raw.metricsProviderClassName.endsWith("PrometheusMetricsProvider")) {
    endpoints.push({
      key: "metricsProvider.httpPort",
      sid: selfId,
      what: "metrics address",
      host: "0.0.0.0",
      port: raw.metricsProviderHttpPort,
    });
  }
  checkPortReuse(endpoints, standalone ? [] : qv.allMembers.values());

  const defaulted = new Set<string>(KNOWN_KEYS.filter((k) => !raw.set.has(k)));
  if (self?.clientAddr) {
    defaulted.delete("clientPort"); // taken from the server line, not defaulted
    defaulted.delete("clientPortAddress");
  }
  const cfg: ZkConfig = {
    tickTime: raw.tickTime,
    initLimit: raw.initLimit,
    syncLimit: raw.syncLimit,
    dataDir,
    dataLogDir: raw.dataLogDir ?? dataDir,
    clientPort,
    clientPortAddress: clientHost,
    maxClientCnxns: raw.maxClientCnxns,
    minSessionTimeout,
    maxSessionTimeout,
    autopurgeSnapRetainCount: raw.snapRetainCount,
    autopurgePurgeInterval: raw.purgeInterval,
    snapCount: raw.snapCount,
    preAllocSizeKb: raw.preAllocSizeKb,
    electionAlg: 3,
    peerType: role,
    quorumListenOnAllIPs: raw.quorumListenOnAllIPs,
    cnxTimeout: raw.cnxTimeout,
    standaloneEnabled: raw.standaloneEnabled,
    reconfigEnabled: raw.reconfigEnabled,
    dynamicConfigFile: raw.dynamicConfigFile,
    fourLetterWordWhitelist: raw.fourLetterWordWhitelist,
    adminEnableServer: raw.adminEnableServer,
    adminServerAddress: raw.adminServerAddress,
    adminServerPort: raw.adminServerPort,
    metricsProviderClassName: raw.metricsProviderClassName,
    metricsProviderHttpPort: raw.metricsProviderHttpPort,
    localSessionsEnabled: raw.localSessionsEnabled,
    localSessionsUpgradingEnabled: raw.localSessionsUpgradingEnabled,
    syncEnabled: raw.syncEnabled,
    forceSync: raw.forceSync,
    juteMaxBuffer: raw.juteMaxBuffer,
    extendedTypesEnabled: raw.extendedTypesEnabled,
    multiAddressEnabled: raw.multiAddressEnabled,
    servers: qv.allMembers,
    myid,
    standalone,
    quorumVerifier: qv.allMembers.size > 0 ? qv : undefined,
    extra: raw.extra,
    defaulted,
  };
  if (opts.path !== undefined) cfg.path = opts.path;
  return cfg;
}

/** True when 4lw.commands.whitelist lets this peer answer `word` (e.g. "ruok"). */
export function isFourLetterWordEnabled(cfg: ZkConfig, word: string): boolean {
  return cfg.fourLetterWordWhitelist.includes("*") || cfg.fourLetterWordWhitelist.includes(word);
}

/** Config, myid and dynamic files larger than this are refused rather than read. */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

/** Reads a small text file; throws (with the reason) when missing or too large. */
function readSmallTextFile(path: string): string {
  const size = Deno.statSync(path).size;
  if (size > MAX_CONFIG_FILE_BYTES) {
    throw new Error(`${size} bytes is too large (limit ${MAX_CONFIG_FILE_BYTES})`);
  }
  return Deno.readTextFileSync(path);
}

/** Reads and validates a zoo.cfg file (and the myid and dynamic files it points to). */
export function loadConfig(path: string): Promise<ZkConfig> {
  let text: string;
  try {
    text = readSmallTextFile(path);
  } catch (e) {
    return Promise.reject(
      new ConfigError(`${path}: cannot read config file: ${(e as Error).message}`),
    );
  }
  try {
    return Promise.resolve(parseConfig(text, { path, readFile: readSmallTextFile }));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The config `zkt serve` runs with when given none: standalone, 127.0.0.1:2181, ./zkt-data. */
export function defaultStandaloneConfig(): ZkConfig {
  return parseConfig("clientPort=2181\nclientPortAddress=127.0.0.1\ndataDir=./zkt-data\n", {
    readFile: (p) => {
      throw new Deno.errors.NotFound(p);
    },
  });
}
