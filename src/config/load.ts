// zoo.cfg text → validated ZkConfig, following ZooKeeper 3.8's QuorumPeerConfig:
// the same keys, defaults, order of checks and standalone/ensemble decision.
// Pure apart from the injected readFile (myid, dynamic file).
import { ConfigError } from "../errors.ts";
import { logger } from "../log/logger.ts";
import { ConfigKeyError, show } from "./errors.ts";
import { javaParseInt, javaParseLong } from "./java.ts";
import { parseProperties } from "./properties.ts";
import { checkMembership, type QuorumVerifier, verifierFromProperties } from "./quorum_verifier.ts";
import { formatHostPort } from "./server_spec.ts";
import type { LearnerType, QuorumServer, ZkConfig } from "./types.ts";

const log = logger("QuorumPeerConfig");

/** ZooKeeper 3.8's tick time when zoo.cfg sets none (ZooKeeperServer.DEFAULT_TICK_TIME). */
export const DEFAULT_TICK_TIME = 3000;

/** Metrics providers a 3.8 server ships; another class name fails as "class was not found". */
export const KNOWN_METRICS_PROVIDERS = [
  "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider",
  "org.apache.zookeeper.metrics.impl.NullMetricsProvider",
  "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
];

/** Every zoo.cfg key zkt understands, in the order `config check` lists them. */
export const KNOWN_KEYS = [
  "tickTime",
  "initLimit",
  "syncLimit",
  "dataDir",
  "dataLogDir",
  "clientPort",
  "clientPortAddress",
  "maxClientCnxns",
  "minSessionTimeout",
  "maxSessionTimeout",
  "autopurge.snapRetainCount",
  "autopurge.purgeInterval",
  "snapCount",
  "preAllocSize",
  "electionAlg",
  "peerType",
  "quorumListenOnAllIPs",
  "cnxTimeout",
  "standaloneEnabled",
  "reconfigEnabled",
  "dynamicConfigFile",
  "4lw.commands.whitelist",
  "admin.enableServer",
  "admin.serverAddress",
  "admin.serverPort",
  "metricsProvider.className",
  "metricsProvider.httpPort",
  "localSessionsEnabled",
  "localSessionsUpgradingEnabled",
  "syncEnabled",
  "forceSync",
  "jute.maxbuffer",
  "extendedTypesEnabled",
  "multiAddress.enabled",
] as const;

/** ZooKeeper keys that turn on features zkt does not have: refused when enabled. */
const UNSUPPORTED_FLAGS: Record<string, string> = {
  sslQuorum: "TLS between servers is not supported by zkt",
  portUnification: "port unification (TLS and plain on one port) is not supported by zkt",
  "quorum.auth.enableSasl": "SASL between servers is not supported by zkt",
};

/** How parseConfig reads the files zoo.cfg points to. */
export interface ParseOptions {
  /** The config file's path, for messages and ZkConfig.path. */
  path?: string;
  /** Reads a whole text file; throws when it is missing or unreadable. */
  readFile(path: string): string;
}

function int(key: string, value: string): number {
  const n = javaParseInt(value);
  if (n === undefined) throw new ConfigKeyError(key, `${show(value)} is not an integer`);
  return n;
}

function positiveInt(key: string, value: string): number {
  const n = int(key, value);
  if (n <= 0) throw new ConfigKeyError(key, `must be greater than 0, not ${n}`);
  return n;
}

function nonNegativeInt(key: string, value: string): number {
  const n = int(key, value);
  if (n < 0) throw new ConfigKeyError(key, `must not be negative, not ${n}`);
  return n;
}

function portValue(key: string, value: string, allowZero: boolean): number {
  const n = int(key, value);
  if (n < (allowZero ? 0 : 1) || n > 65535) {
    throw new ConfigKeyError(key, `port ${n} is out of range (${allowZero ? 0 : 1}-65535)`);
  }
  return n;
}

function bool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ConfigKeyError(key, `invalid option ${show(value)}; choose 'true' or 'false'`);
}

function nonEmpty(key: string, value: string): string {
  if (value === "") throw new ConfigKeyError(key, "is empty");
  return value;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "0:0:0:0:0:0:0:0";
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === "localhost" ? "127.0.0.1" : h);
  return norm(a) === norm(b);
}

/** The hex version in a dynamic file's name ("zoo.cfg.dynamic.100000000"), as 3.8 reads it. */
export function versionFromFilename(path: string): bigint | undefined {
  const i = path.lastIndexOf(".");
  if (i < 0) return undefined;
  return javaParseLong(path.slice(i + 1), 16);
}

/** Settings read from the static file, before the quorum part is looked at. */
interface Raw {
  set: Set<string>;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  dataDir?: string;
  dataLogDir?: string;
  clientPort: number;
  clientPortAddress?: string;
  maxClientCnxns: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  snapRetainCount: number;
  purgeInterval: number;
  snapCount: number;
  preAllocSizeKb: number;
  peerType: LearnerType;
  quorumListenOnAllIPs: boolean;
  cnxTimeout: number;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  dynamicConfigFile?: string;
  fourLetterWordWhitelist: string[];
  adminEnableServer: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  metricsProviderClassName: string;
  metricsProviderHttpPort: number;
  localSessionsEnabled: boolean;
  localSessionsUpgradingEnabled: boolean;
  syncEnabled: boolean;
  forceSync: boolean;
  juteMaxBuffer: number;
  extendedTypesEnabled: boolean;
  multiAddressEnabled: boolean;
  extra: Map<string, string>;
}

function defaults(): Raw {
  return {
    set: new Set(),
    tickTime: DEFAULT_TICK_TIME,
    initLimit: 0,
    syncLimit: 0,
    clientPort: 0,
    maxClientCnxns: 60,
    minSessionTimeout: -1,
    maxSessionTimeout: -1,
    snapRetainCount: 3,
    purgeInterval: 0,
    snapCount: 100000,
    preAllocSizeKb: 65536,
    peerType: "participant",
    quorumListenOnAllIPs: false,
    cnxTimeout: 5000,
    standaloneEnabled: true,
    reconfigEnabled: false,
    fourLetterWordWhitelist: ["srvr"],
    adminEnableServer: true,
    adminServerAddress: "0.0.0.0",
    adminServerPort: 8080,
    metricsProviderClassName: KNOWN_METRICS_PROVIDERS[0],
    metricsProviderHttpPort: 7000,
    localSessionsEnabled: false,
    localSessionsUpgradingEnabled: false,
    syncEnabled: true,
    forceSync: true,
    juteMaxBuffer: 0xfffff,
    extendedTypesEnabled: false,
    multiAddressEnabled: false,
    extra: new Map(),
  };
}

function isQuorumKey(key: string): boolean {
  return key.startsWith("server.") || key.startsWith("group") || key.startsWith("weight");
}

/** Reads one trimmed key/value into `raw`; throws ConfigKeyError for a bad value. */
function readKey(raw: Raw, key: string, value: string, hasDynamicFile: boolean): void {
  switch (key) {
    case "tickTime":
      raw.tickTime = int(key, value);
      break;
    case "initLimit":
      raw.initLimit = nonNegativeInt(key, value);
      break;
    case "syncLimit":
      raw.syncLimit = nonNegativeInt(key, value);
      break;
    case "dataDir":
      raw.dataDir = nonEmpty(key, value);
      break;
    case "dataLogDir":
      raw.dataLogDir = nonEmpty(key, value);
      break;
    case "clientPort":
      raw.clientPort = portValue(key, value, true);
      break;
    case "clientPortAddress":
      raw.clientPortAddress = nonEmpty(key, value);
      break;
    case "secureClientPort":
    case "secureClientPortAddress":
      throw new ConfigKeyError(key, "TLS client connections are not supported by zkt");
    case "maxClientCnxns":
      raw.maxClientCnxns = int(key, value);
      break;
    case "minSessionTimeout":
      raw.minSessionTimeout = int(key, value);
      break;
    case "maxSessionTimeout":
      raw.maxSessionTimeout = int(key, value);
      break;
    case "autopurge.snapRetainCount":
      raw.snapRetainCount = int(key, value);
      break;
    case "autopurge.purgeInterval":
      raw.purgeInterval = int(key, value);
      break;
    case "snapCount":
      raw.snapCount = int(key, value);
      break;
    case "preAllocSize": {
      const v = javaParseLong(value);
      if (v === undefined || v < 0n || v > BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 1024))) {
        throw new ConfigKeyError(key, `${show(value)} is not a size in KiB`);
      }
      raw.preAllocSizeKb = Number(v);
      break;
    }
    case "electionAlg":
      if (int(key, value) !== 3) {
        throw new ConfigKeyError(key, `invalid value ${value}; only 3 is supported`);
      }
      break;
    case "peerType": {
      const t = value.toLowerCase();
      if (t !== "observer" && t !== "participant") {
        throw new ConfigKeyError(key, `unrecognised peer type ${show(value)}`);
      }
      raw.peerType = t;
      break;
    }
    case "quorumListenOnAllIPs":
      raw.quorumListenOnAllIPs = bool(key, value);
      break;
    case "cnxTimeout":
      raw.cnxTimeout = positiveInt(key, value);
      break;
    case "standaloneEnabled":
      raw.standaloneEnabled = bool(key, value);
      break;
    case "reconfigEnabled":
      raw.reconfigEnabled = bool(key, value);
      break;
    case "dynamicConfigFile":
      raw.dynamicConfigFile = nonEmpty(key, value);
      break;
    case "4lw.commands.whitelist": {
      const words = value.split(",").map((w) => w.trim()).filter((w) => w !== "");
      const list = words.includes("*") ? ["*"] : words;
      if (!list.includes("*") && !list.includes("srvr")) list.push("srvr"); // zkServer.sh needs it
      raw.fourLetterWordWhitelist = list;
      break;
    }
    case "admin.enableServer":
      raw.adminEnableServer = bool(key, value);
      break;
    case "admin.serverAddress":
      raw.adminServerAddress = nonEmpty(key, value);
      break;
    case "admin.serverPort":
      raw.adminServerPort = portValue(key, value, false);
      break;
    case "metricsProvider.className":
      if (!KNOWN_METRICS_PROVIDERS.includes(value)) {
        throw new ConfigKeyError(key, `metrics provider class ${show(value)} was not found`);
      }
      raw.metricsProviderClassName = value;
      break;
    case "metricsProvider.httpPort":
      raw.metricsProviderHttpPort = portValue(key, value, true);
      break;
    case "localSessionsEnabled":
      raw.localSessionsEnabled = bool(key, value);
      break;
    case "localSessionsUpgradingEnabled":
      raw.localSessionsUpgradingEnabled = bool(key, value);
      break;
    case "syncEnabled":
      raw.syncEnabled = bool(key, value);
      break;
    case "forceSync":
      // ZooKeeper turns fsync off only for the exact value "no"; anything else
      // (even "false") keeps it on, so refuse values that look like they mean off.
      if (value !== "yes" && value !== "no") {
        throw new ConfigKeyError(key, `invalid option ${show(value)}; choose 'yes' or 'no'`);
      }
      raw.forceSync = value === "yes";
      break;
    case "jute.maxbuffer":
      raw.juteMaxBuffer = positiveInt(key, value);
      break;
    case "extendedTypesEnabled":
      raw.extendedTypesEnabled = bool(key, value);
      break;
    case "multiAddress.enabled":
      raw.multiAddressEnabled = bool(key, value);
      break;
    default:
      if (isQuorumKey(key)) {
        if (hasDynamicFile) {
          throw new ConfigKeyError(key, "must be in the separate dynamic config file");
        }
        return; // read with the quorum verifier, below
      }
      if (key === "version") return;
      if (key in UNSUPPORTED_FLAGS && bool(key, value)) {
        throw new ConfigKeyError(key, UNSUPPORTED_FLAGS[key]);
      }
      raw.extra.set(key, value);
      log.debug(`unknown key ${key}=${value} kept`);
      return;
  }
  raw.set.add(key);
}

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
  for (const key of props.keys()) {
    if (!isQuorumKey(key.trim())) {
      throw new ConfigKeyError(key.trim(), `unrecognised parameter in dynamic file ${path}`);
    }
  }
  const qv = verifierFromProperties(props, { multiAddressEnabled: raw.multiAddressEnabled });
  qv.version = versionFromFilename(path) ?? 0n;
  return qv;
}

interface Endpoint {
  /** The key that configures it, for the error message. */
  key: string;
  sid: number;
  what: string;
  host: string;
  port: number;
}

/** Refuses two listeners on one host:port (zkt's check; ZooKeeper fails later, at bind). */
function checkPortReuse(endpoints: Endpoint[]): void {
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = endpoints[j], b = endpoints[i];
      if (a.port !== b.port) continue;
      const clash = sameHost(a.host, b.host) ||
        (a.sid === b.sid && (isWildcard(a.host) || isWildcard(b.host)));
      if (!clash) continue;
      const owner = a.sid === b.sid ? "" : ` of server.${a.sid}`;
      throw new ConfigKeyError(
        b.key,
        `${b.what} ${formatHostPort(b)} reuses the ${a.what} port${owner} (${formatHostPort(a)})`,
      );
    }
  }
}

function serverEndpoints(qs: QuorumServer): Endpoint[] {
  const key = `server.${qs.id}`;
  const out: Endpoint[] = [];
  for (const a of qs.addrs) out.push({ key, sid: qs.id, what: "quorum address", ...a });
  for (const a of qs.electionAddrs) {
    out.push({ key, sid: qs.id, what: "election address", ...a });
  }
  if (qs.clientAddr) out.push({ key, sid: qs.id, what: "client address", ...qs.clientAddr });
  return out;
}

/** Parses and validates zoo.cfg text as ZooKeeper 3.8 would; throws ConfigError (one line). */
export function parseConfig(text: string, opts: ParseOptions): ZkConfig {
  const props = parseProperties(text);
  const hasDynamicFile = props.has("dynamicConfigFile");
  const raw = defaults();
  for (const [k, v] of props) readKey(raw, k.trim(), v.trim(), hasDynamicFile);

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
  if (clientPort !== undefined && !self?.clientAddr) {
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
  checkPortReuse(endpoints);

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

/** Reads and validates a zoo.cfg file (and the myid and dynamic files it points to). */
export async function loadConfig(path: string): Promise<ZkConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file: ${(e as Error).message}`);
  }
  return parseConfig(text, { path, readFile: (p) => Deno.readTextFileSync(p) });
}

/** The config `zkt serve` runs with when given none: standalone, 127.0.0.1:2181, ./zkt-data. */
export function defaultStandaloneConfig(): ZkConfig {
  return parseConfig("clientPort=2181\nclientPortAddress=127.0.0.1\ndataDir=./zkt-data\n", {
    readFile: (p) => {
      throw new Deno.errors.NotFound(p);
    },
  });
}
