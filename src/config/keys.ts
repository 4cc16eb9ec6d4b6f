// zoo.cfg keys: their defaults, how each value is read and checked (as
// QuorumPeerConfig.parseProperties and the zookeeper.* system properties do).
import { logger } from "../log/logger.ts";
import { ConfigKeyError, show } from "./errors.ts";
import { javaParseInt, javaParseLong } from "./java.ts";
import type { LearnerType } from "./types.ts";

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

/** Keys ZooKeeper 3.8 parses strictly but zkt does not use: checked, then kept in `extra`. */
const CHECKED_OTHER_KEYS: Record<string, "int" | "long" | "bool"> = {
  observerMasterPort: "int",
  clientPortListenBacklog: "int",
  connectToLearnerMasterLimit: "int",
  "quorum.cnxn.threads.size": "int",
  "multiAddress.reachabilityCheckTimeoutMs": "int",
  "multiAddress.reachabilityCheckEnabled": "bool",
  "jvm.pause.monitor": "bool",
  "jvm.pause.info-threshold.ms": "long",
  "jvm.pause.warn-threshold.ms": "long",
  "jvm.pause.sleep.time.ms": "long",
  sslQuorumReloadCertFiles: "bool",
  "quorum.auth.serverRequireSasl": "bool",
  "quorum.auth.learnerRequireSasl": "bool",
};

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

/** Settings read from the static file, before the quorum part is looked at. */
export interface Raw {
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

export function defaults(): Raw {
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

export function isQuorumKey(key: string): boolean {
  return key.startsWith("server.") || key.startsWith("group") || key.startsWith("weight");
}

/** Validates a key ZooKeeper parses but zkt does not use, as strictly as ZooKeeper. */
function checkOtherKey(key: string, value: string): void {
  const kind = CHECKED_OTHER_KEYS[key];
  if (kind === "int") int(key, value);
  if (kind === "bool") {
    // Without quorum SASL (unsupported) ZooKeeper refuses to require it.
    if (bool(key, value) && key.endsWith("RequireSasl")) {
      throw new ConfigKeyError(key, `quorum.auth.enableSasl is disabled, so cannot enable ${key}`);
    }
  }
  if (kind === "long" && javaParseLong(value) === undefined) {
    throw new ConfigKeyError(key, `${show(value)} is not an integer`);
  }
}

/** Reads one trimmed key/value into `raw`; throws ConfigKeyError for a bad value. */
export function readKey(raw: Raw, key: string, value: string, hasDynamicFile: boolean): void {
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
      if (key === "oraclePath") {
        throw new ConfigKeyError(
          key,
          "the oracle quorum (QuorumOracleMaj) is not supported by zkt",
        );
      }
      if (key in UNSUPPORTED_FLAGS && bool(key, value)) {
        throw new ConfigKeyError(key, UNSUPPORTED_FLAGS[key]);
      }
      checkOtherKey(key, value);
      raw.extra.set(key, value);
      log.debug(`unknown key ${key}=${value} kept`);
      return;
  }
  raw.set.add(key);
}
