// Quorum verifiers (majority and hierarchical) and the dynamic-config text that
// describes them: server.N / group.N / weight.N / version=hex, as ZooKeeper 3.8
// writes it into /zookeeper/config and into FLE notifications.
import { logger } from "../log/logger.ts";
import { ConfigKeyError, show } from "./errors.ts";
import { javaHashMapOrder, javaLongToHex, javaParseLong, javaPropertiesOrder } from "./java.ts";
import { parseProperties } from "./properties.ts";
import { formatServerSpec, javaSplit, parseServerSpec } from "./server_spec.ts";
import type { QuorumServer, QuorumVerifier } from "./types.ts";

const log = logger("QuorumVerifier");

/** Members by sid ascending, plus the order ZooKeeper would have inserted them (for printing). */
function splitMembers(servers: Iterable<QuorumServer>) {
  const inserted = new Map<number, QuorumServer>();
  for (const s of servers) inserted.set(s.id, s);
  const all = new Map<number, QuorumServer>();
  for (const id of [...inserted.keys()].sort((a, b) => a - b)) all.set(id, inserted.get(id)!);
  const voting = new Map<number, QuorumServer>();
  const observing = new Map<number, QuorumServer>();
  for (const [id, s] of all) (s.type === "participant" ? voting : observing).set(id, s);
  return { all, voting, observing, printOrder: javaHashMapOrder(inserted.keys()) };
}

function serverLines(all: Map<number, QuorumServer>, printOrder: number[]): string {
  return printOrder.map((id) => `server.${id}=${formatServerSpec(all.get(id)!)}\n`).join("");
}

/** Majority quorums: more than half of the participants. */
export class MajorityQuorum implements QuorumVerifier {
  readonly kind = "majority";
  readonly allMembers: Map<number, QuorumServer>;
  readonly votingMembers: Map<number, QuorumServer>;
  readonly observingMembers: Map<number, QuorumServer>;
  version: bigint;
  readonly #printOrder: number[];

  /** `servers` in the order ZooKeeper would insert them (Properties order); it only affects printing. */
  constructor(servers: Iterable<QuorumServer>, version = 0n) {
    const m = splitMembers(servers);
    this.allMembers = m.all;
    this.votingMembers = m.voting;
    this.observingMembers = m.observing;
    this.#printOrder = m.printOrder;
    this.version = version;
  }

  containsQuorum(ids: Iterable<number>): boolean {
    let n = 0;
    for (const id of new Set(ids)) if (this.votingMembers.has(id)) n++;
    return n > Math.floor(this.votingMembers.size / 2);
  }

  weight(_id: number): number {
    return 1;
  }

  toConfigString(): string {
    return serverLines(this.allMembers, this.#printOrder) +
      `version=${javaLongToHex(this.version)}`;
  }
}

/**
 * Hierarchical quorums: servers are split into disjoint groups with weights; a set
 * is a quorum when it holds more than half the weight of more than half of the
 * groups of non-zero weight.
 */
export class HierarchicalQuorum implements QuorumVerifier {
  readonly kind = "hierarchical";
  readonly allMembers: Map<number, QuorumServer>;
  readonly votingMembers: Map<number, QuorumServer>;
  readonly observingMembers: Map<number, QuorumServer>;
  version: bigint;
  /** sid → gid, in the order groups were read. */
  readonly serverGroup = new Map<number, number>();
  /** sid → weight: explicit weight.N lines, then participants defaulted to 1. */
  readonly serverWeight = new Map<number, number>();
  /** gid → total weight of its members. */
  readonly groupWeight = new Map<number, number>();
  /** Groups of non-zero weight. */
  readonly numGroups: number;
  readonly #printOrder: number[];

  /**
   * `groups` gid → member sids; `weights` sid → weight; all in the order ZooKeeper
   * would read them (it only affects printing). Throws ConfigKeyError on a bad layout.
   */
  constructor(
    servers: Iterable<QuorumServer>,
    groups: Map<number, number[]>,
    weights: Map<number, number>,
    version = 0n,
  ) {
    const m = splitMembers(servers);
    this.allMembers = m.all;
    this.votingMembers = m.voting;
    this.observingMembers = m.observing;
    this.#printOrder = m.printOrder;
    this.version = version;
    for (const [gid, members] of groups) {
      for (const sid of members) {
        const other = this.serverGroup.get(sid);
        if (other !== undefined) {
          throw new ConfigKeyError(
            `group.${gid}`,
            `server ${sid} is in multiple groups (also group.${other})`,
          );
        }
        this.serverGroup.set(sid, gid);
      }
    }
    for (const [sid, w] of weights) this.serverWeight.set(sid, w);
    for (const sid of m.printOrder) {
      const s = this.allMembers.get(sid)!;
      if (s.type !== "participant") continue;
      if (!this.serverGroup.has(sid)) {
        throw new ConfigKeyError(`server.${sid}`, `participant ${sid} is not in any group.N`);
      }
      if (!this.serverWeight.has(sid)) this.serverWeight.set(sid, 1);
    }
    for (const [sid, gid] of this.serverGroup) {
      const w = this.serverWeight.get(sid);
      if (w === undefined) {
        // ZooKeeper dies with a NullPointerException here; say why instead.
        throw new ConfigKeyError(
          `group.${gid}`,
          `server ${sid} has no weight.${sid} and is not a participant (only participants default to weight 1)`,
        );
      }
      this.groupWeight.set(gid, (this.groupWeight.get(gid) ?? 0) + w);
    }
    let n = groups.size;
    for (const w of this.groupWeight.values()) if (w === 0) n--;
    this.numGroups = n;
  }

  containsQuorum(ids: Iterable<number>): boolean {
    const perGroup = new Map<number, number>();
    for (const sid of new Set(ids)) {
      if (!this.votingMembers.has(sid)) continue;
      const gid = this.serverGroup.get(sid);
      if (gid === undefined) continue;
      perGroup.set(gid, (perGroup.get(gid) ?? 0) + this.serverWeight.get(sid)!);
    }
    if (perGroup.size === 0) return false;
    let majorities = 0;
    for (const [gid, w] of perGroup) {
      if (w > Math.floor(this.groupWeight.get(gid)! / 2)) majorities++;
    }
    return majorities > Math.floor(this.numGroups / 2);
  }

  weight(id: number): number {
    return this.serverWeight.get(id) ?? 0;
  }

  toConfigString(): string {
    // ZooKeeper builds group strings by walking its sid→gid HashMap, then prints
    // groups and weights in HashMap order; we follow the same walk.
    const groupText = new Map<number, string>();
    for (const sid of javaHashMapOrder(this.serverGroup.keys())) {
      const gid = this.serverGroup.get(sid)!;
      const prev = groupText.get(gid);
      groupText.set(gid, prev === undefined ? `${sid}` : `${prev}:${sid}`);
    }
    let s = serverLines(this.allMembers, this.#printOrder);
    for (const gid of javaHashMapOrder(groupText.keys())) {
      s += `group.${gid}=${groupText.get(gid)}\n`;
    }
    for (const sid of javaHashMapOrder(this.serverWeight.keys())) {
      s += `weight.${sid}=${this.serverWeight.get(sid)}\n`;
    }
    return s + `version=${javaLongToHex(this.version)}`;
  }
}

/** Parses the number after the first '.' of a key (server.N, group.N, weight.N) as an id. */
export function parseKeyId(key: string): number {
  const dot = key.indexOf(".");
  const text = key.slice(dot + 1);
  const v = javaParseLong(text);
  if (v === undefined) throw new ConfigKeyError(key, `${show(text)} is not a number`);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigKeyError(key, `id ${v} is out of range (0-${Number.MAX_SAFE_INTEGER})`);
  }
  return Number(v);
}

/** Parses a `version` value (hex, as ZooKeeper writes it). */
export function parseVersion(key: string, value: string): bigint {
  const v = javaParseLong(value, 16);
  if (v === undefined) throw new ConfigKeyError(key, `${show(value)} is not a hex number`);
  return v;
}

/** Options for building a verifier from properties. */
export interface VerifierOptions {
  multiAddressEnabled?: boolean;
}

/**
 * Builds the verifier from server./group/weight/version keys (other keys are ignored);
 * hierarchical as soon as one key starts with "group" or "weight", as in 3.8.
 * Values are used untrimmed, as ZooKeeper does for these keys.
 */
export function verifierFromProperties(
  props: Map<string, string>,
  opts: VerifierOptions = {},
): QuorumVerifier {
  const servers: QuorumServer[] = [];
  const groups = new Map<number, number[]>();
  const weights = new Map<number, number>();
  let version = 0n;
  let hierarchical = false;
  for (const key of javaPropertiesOrder(props.keys())) {
    const value = props.get(key)!;
    if (key.startsWith("server.")) {
      const sid = parseKeyId(key);
      servers.push(
        parseServerSpec(sid, value, { multiAddressEnabled: opts.multiAddressEnabled ?? false }),
      );
    } else if (key.startsWith("group")) {
      hierarchical = true;
      const gid = parseKeyId(key);
      const members = javaSplit(value, ":").map((s) => {
        const v = javaParseLong(s);
        if (v === undefined || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new ConfigKeyError(key, `${show(s)} is not a server id`);
        }
        return Number(v);
      });
      groups.set(gid, members);
    } else if (key.startsWith("weight")) {
      hierarchical = true;
      const sid = parseKeyId(key);
      const w = javaParseLong(value);
      if (w === undefined || w < 0n || w > 2n ** 31n) {
        throw new ConfigKeyError(key, `${show(value)} is not a weight (a whole number >= 0)`);
      }
      weights.set(sid, Number(w));
    } else if (key === "version") {
      version = parseVersion(key, value);
    }
  }
  if (!hierarchical) return new MajorityQuorum(servers, version);
  return new HierarchicalQuorum(servers, groups, weights, version);
}

/**
 * Applies ZooKeeper 3.8's checks on the number of participants and observers
 * (QuorumPeerConfig.parseDynamicConfig); logs its warnings.
 */
export function checkMembership(
  qv: QuorumVerifier,
  standaloneEnabled: boolean,
  warnings = true,
): void {
  const voting = qv.votingMembers.size;
  const firstObserver = qv.observingMembers.keys().next();
  const observerKey = firstObserver.done ? "server" : `server.${firstObserver.value}`;
  if (voting === 0) {
    if (!standaloneEnabled) {
      throw new ConfigKeyError(
        "standaloneEnabled",
        "standaloneEnabled=false needs at least one participant server.N",
      );
    }
    if (qv.observingMembers.size > 0) {
      throw new ConfigKeyError(
        observerKey,
        "observers without participants is an invalid configuration",
      );
    }
  } else if (voting === 1 && standaloneEnabled) {
    if (warnings) log.warn("Invalid configuration, only one server specified (ignoring)");
    if (qv.observingMembers.size > 0) {
      throw new ConfigKeyError(
        observerKey,
        "observers without a quorum is an invalid configuration",
      );
    }
  } else if (warnings && voting <= 2) {
    log.warn("No server failure will be tolerated. You need at least 3 servers.");
  } else if (warnings && voting % 2 === 0) {
    log.warn("Non-optimal configuration, consider an odd number of servers.");
  }
}

/**
 * Parses dynamic-config text (FLE notification payload, /zookeeper/config, a
 * zoo.cfg.dynamic file) as QuorumPeer.configFromString does: only server.N,
 * group.N, weight.N and version keys are allowed. `standaloneEnabled` is the local
 * peer's setting; `warnings` (default off, as for FLE) logs 3.8's sizing warnings.
 */
export function parseDynamicConfig(
  text: string,
  opts: VerifierOptions & { standaloneEnabled?: boolean; warnings?: boolean } = {},
): QuorumVerifier {
  const props = parseProperties(text);
  for (const key of props.keys()) {
    const k = key.trim();
    if (
      !k.startsWith("server.") && !k.startsWith("group") && !k.startsWith("weight") &&
      k !== "version"
    ) {
      throw new ConfigKeyError(k, "unrecognised parameter in a dynamic config");
    }
  }
  const qv = verifierFromProperties(props, opts);
  checkMembership(qv, opts.standaloneEnabled ?? true, opts.warnings ?? false);
  return qv;
}

/**
 * The dynamic config file text ZooKeeper 3.8 writes on reconfig
 * (QuorumPeerConfig.writeDynamicConfig): the verifier's lines sorted, joined by
 * "\n", no trailing newline; the version line only when `keepVersion`.
 */
export function toDynamicFileText(qv: QuorumVerifier, keepVersion = false): string {
  const lines: string[] = [];
  for (const [key, value] of parseProperties(qv.toConfigString())) {
    const k = key.trim();
    if (!keepVersion && k.startsWith("version")) continue;
    lines.push(`${k}=${value.trim()}`);
  }
  return lines.sort().join("\n");
}
