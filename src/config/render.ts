// The effective configuration, for people (a table) and for programs (JSON).
import { javaLongToHex } from "./java.ts";
import { KNOWN_KEYS } from "./keys.ts";
import { HierarchicalQuorum } from "./quorum_verifier.ts";
import { formatHostPort } from "./server_spec.ts";
import type { QuorumServer, ZkConfig } from "./types.ts";

/** One zoo.cfg key with the value zkt will use. */
export interface EffectiveSetting {
  key: string;
  value: string | number | boolean | string[] | null;
  defaulted: boolean;
  /** "set" (in the file), "default", or "server.N" (the client part of this peer's server line). */
  source: string;
}

type Value = EffectiveSetting["value"];

function valueOf(cfg: ZkConfig, key: (typeof KNOWN_KEYS)[number]): Value {
  switch (key) {
    case "tickTime":
      return cfg.tickTime;
    case "initLimit":
      return cfg.initLimit;
    case "syncLimit":
      return cfg.syncLimit;
    case "dataDir":
      return cfg.dataDir;
    case "dataLogDir":
      return cfg.dataLogDir;
    case "clientPort":
      return cfg.clientPort ?? null;
    case "clientPortAddress":
      return cfg.clientPortAddress ?? null;
    case "maxClientCnxns":
      return cfg.maxClientCnxns;
    case "minSessionTimeout":
      return cfg.minSessionTimeout;
    case "maxSessionTimeout":
      return cfg.maxSessionTimeout;
    case "autopurge.snapRetainCount":
      return cfg.autopurgeSnapRetainCount;
    case "autopurge.purgeInterval":
      return cfg.autopurgePurgeInterval;
    case "snapCount":
      return cfg.snapCount;
    case "preAllocSize":
      return cfg.preAllocSizeKb;
    case "electionAlg":
      return cfg.electionAlg;
    case "peerType":
      return cfg.peerType;
    case "quorumListenOnAllIPs":
      return cfg.quorumListenOnAllIPs;
    case "cnxTimeout":
      return cfg.cnxTimeout;
    case "standaloneEnabled":
      return cfg.standaloneEnabled;
    case "reconfigEnabled":
      return cfg.reconfigEnabled;
    case "dynamicConfigFile":
      return cfg.dynamicConfigFile ?? null;
    case "4lw.commands.whitelist":
      return cfg.fourLetterWordWhitelist;
    case "admin.enableServer":
      return cfg.adminEnableServer;
    case "admin.serverAddress":
      return cfg.adminServerAddress;
    case "admin.serverPort":
      return cfg.adminServerPort;
    case "metricsProvider.className":
      return cfg.metricsProviderClassName;
    case "metricsProvider.httpPort":
      return cfg.metricsProviderHttpPort;
    case "localSessionsEnabled":
      return cfg.localSessionsEnabled;
    case "localSessionsUpgradingEnabled":
      return cfg.localSessionsUpgradingEnabled;
    case "syncEnabled":
      return cfg.syncEnabled;
    case "forceSync":
      return cfg.forceSync ? "yes" : "no";
    case "jute.maxbuffer":
      return cfg.juteMaxBuffer;
    case "extendedTypesEnabled":
      return cfg.extendedTypesEnabled;
    case "multiAddress.enabled":
      return cfg.multiAddressEnabled;
  }
}

/** Every known key with its effective value and where it came from. */
export function effectiveSettings(cfg: ZkConfig): EffectiveSetting[] {
  const self = cfg.myid === undefined ? undefined : cfg.servers.get(cfg.myid);
  return KNOWN_KEYS.map((key) => {
    const fromServerLine = self?.clientAddr !== undefined &&
      (key === "clientPort" || key === "clientPortAddress");
    const defaulted = cfg.defaulted.has(key);
    return {
      key,
      value: valueOf(cfg, key),
      defaulted,
      source: fromServerLine ? `server.${self!.id}` : defaulted ? "default" : "set",
    };
  });
}

/** "standalone", or "ensemble" with this peer's role. */
export function modeOf(cfg: ZkConfig): string {
  return cfg.standalone ? "standalone" : `ensemble (myid ${cfg.myid}, ${cfg.peerType})`;
}

function serverJson(qs: QuorumServer) {
  return {
    id: qs.id,
    type: qs.type,
    addrs: qs.addrs.map(formatHostPort),
    electionAddrs: qs.electionAddrs.map(formatHostPort),
    clientAddr: qs.clientAddr ? formatHostPort(qs.clientAddr) : null,
  };
}

/** Groups by gid ascending, members ascending. */
function groupsOf(qv: HierarchicalQuorum): [number, number[]][] {
  const groups = new Map<number, number[]>();
  for (const [sid, gid] of qv.serverGroup) groups.set(gid, [...(groups.get(gid) ?? []), sid]);
  return [...groups]
    .sort((a, b) => a[0] - b[0])
    .map(([gid, m]) => [gid, m.sort((a, b) => a - b)]);
}

function verifierJson(cfg: ZkConfig) {
  const qv = cfg.quorumVerifier;
  if (!qv) return null;
  const weights: Record<string, number> = {};
  for (const id of qv.allMembers.keys()) weights[id] = qv.weight(id);
  const out: Record<string, unknown> = {
    kind: qv.kind,
    version: javaLongToHex(qv.version),
    voting: [...qv.votingMembers.keys()],
    observing: [...qv.observingMembers.keys()],
    weights,
  };
  if (qv instanceof HierarchicalQuorum) out.groups = Object.fromEntries(groupsOf(qv));
  out.configString = qv.toConfigString();
  return out;
}

/** The effective configuration as one JSON-ready object. */
export function configToJson(cfg: ZkConfig): Record<string, unknown> {
  return {
    path: cfg.path ?? null,
    mode: cfg.standalone ? "standalone" : "ensemble",
    myid: cfg.myid ?? null,
    role: cfg.peerType,
    settings: effectiveSettings(cfg),
    servers: [...cfg.servers.values()].map(serverJson),
    quorumVerifier: verifierJson(cfg),
    extra: Object.fromEntries(cfg.extra),
  };
}

function showValue(v: Value): string {
  if (v === null) return "-";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

/** The effective configuration as text for people. */
export function renderConfigText(cfg: ZkConfig): string {
  const lines: string[] = [];
  if (cfg.path) lines.push(`Config: ${cfg.path}`);
  lines.push(`Mode: ${modeOf(cfg)}`, "");
  lines.push(
    ...table([
      ["KEY", "VALUE", "SOURCE"],
      ...effectiveSettings(cfg).map((s) => [
        s.key,
        showValue(s.value),
        s.source,
      ]),
    ]),
  );
  lines.push("");
  if (cfg.servers.size === 0) {
    lines.push("Servers: none");
  } else {
    lines.push("Servers:");
    lines.push(
      ...table([
        ["SID", "ROLE", "QUORUM", "ELECTION", "CLIENT"],
        ...[...cfg.servers.values()].map((qs) => [
          String(qs.id) + (qs.id === cfg.myid ? "*" : ""),
          qs.type,
          qs.addrs.map(formatHostPort).join("|"),
          qs.electionAddrs.map(formatHostPort).join("|"),
          qs.clientAddr ? formatHostPort(qs.clientAddr) : "-",
        ]),
      ]).map((l) => "  " + l),
    );
  }
  const qv = cfg.quorumVerifier;
  if (qv) {
    const weights = [...qv.votingMembers.keys()].map((id) => `${id}:${qv.weight(id)}`).join(" ");
    lines.push(
      "",
      `Quorum verifier: ${qv.kind}, version 0x${javaLongToHex(qv.version)}, ` +
        `${qv.votingMembers.size} voting, ${qv.observingMembers.size} observing`,
      `  weights: ${weights || "-"}`,
    );
    if (qv instanceof HierarchicalQuorum) {
      const text = groupsOf(qv).map(([g, m]) => `group.${g}=${m.join(":")}`).join(" ");
      lines.push(`  groups: ${text}`);
    }
    lines.push("", "Quorum config (as ZooKeeper writes it to /zookeeper/config):");
    for (const l of qv.toConfigString().split("\n")) lines.push(`  ${l}`);
  }
  if (cfg.extra.size > 0) {
    lines.push("", "Other keys (kept, not used by zkt):");
    for (const [k, v] of cfg.extra) lines.push(`  ${k}=${v}`);
  }
  return lines.join("\n") + "\n";
}
