// zoo.cfg files in the shapes operators write, each with zkt's expected outcome and
// whether Apache ZooKeeper 3.8 agrees. Used by the unit table (load_test.ts) and by
// the interop test that runs the same files through ZooKeeper's QuorumPeerConfig.
import assert from "node:assert/strict";
import type { ZkConfig } from "../../../src/config/types.ts";

/** How ZooKeeper 3.8's QuorumPeerConfig.parse judges the same file. */
export type ZkVerdict =
  | "agree" // same accept/reject (and, when accepted, the same quorum config text)
  | "zkt-stricter" // zkt rejects; ZooKeeper parses it (and would fail later or misbehave)
  | "zkt-lenient"; // zkt accepts; ZooKeeper rejects

/** One zoo.cfg. `$DIR` in `cfg` and `files` values is the directory the files live in. */
export interface ConfigCase {
  name: string;
  cfg: string;
  /** Extra files, path relative to $DIR → content. */
  files?: Record<string, string>;
  /** A fragment of zkt's one-line error; absent when the config is valid. */
  error?: string;
  /** Checks on the parsed config when valid. */
  check?: (cfg: ZkConfig) => void;
  zk: ZkVerdict;
}

const BASE = "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=$DIR/data\nclientPort=2181\n";
const THREE = "server.1=127.0.0.1:2888:3888\n" +
  "server.2=127.0.0.1:2889:3889\n" +
  "server.3=127.0.0.1:2890:3890\n";
const MYID1 = { "data/myid": "1\n" };

/** The table. */
export const CASES: ConfigCase[] = [
  // ---- valid files in operators' shapes ----
  {
    name: "zoo_sample.cfg shape: standalone with comments",
    cfg: "# The number of milliseconds of each tick\ntickTime=2000\n" +
      "! an old-style comment\ndataDir=$DIR/data\n# the port\nclientPort=2181\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.standalone, true);
      assert.equal(c.tickTime, 2000);
      assert.equal(c.clientPort, 2181);
      assert.equal(c.clientPortAddress, "0.0.0.0");
      assert.equal(c.minSessionTimeout, 4000);
      assert.equal(c.maxSessionTimeout, 40000);
      assert.equal(c.dataLogDir, c.dataDir);
      assert.equal(c.quorumVerifier, undefined);
      assert.equal(c.myid, undefined);
      assert.ok(c.defaulted.has("maxClientCnxns"));
      assert.ok(!c.defaulted.has("tickTime"));
    },
  },
  {
    name: "tickTime defaults to 3000 as in 3.8",
    cfg: "dataDir=$DIR/data\nclientPort=2181\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.tickTime, 3000);
      assert.equal(c.minSessionTimeout, 6000);
      assert.equal(c.maxSessionTimeout, 60000);
      assert.ok(c.defaulted.has("tickTime"));
    },
  },
  {
    name: "colon and whitespace separators, trailing blanks trimmed",
    cfg: "tickTime : 2000   \ndataDir $DIR/data\t\nclientPort=  2181  \nmaxClientCnxns:0\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.tickTime, 2000);
      assert.equal(c.clientPort, 2181);
      assert.equal(c.maxClientCnxns, 0);
      assert.ok(c.dataDir.endsWith("/data"));
    },
  },
  {
    name: "backslash continuation lines",
    cfg: "tickTime=20\\\n   00\ndataDir=$DIR/\\\n  data\nclientPort=2181\n" +
      "4lw.commands.whitelist=ruok, \\\n    mntr,\\\n    conf\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.tickTime, 2000);
      assert.ok(c.dataDir.endsWith("/data"));
      assert.deepEqual(c.fourLetterWordWhitelist, ["ruok", "mntr", "conf", "srvr"]);
    },
  },
  {
    name: "Windows CRLF line ends, also in continuations and server lines",
    cfg: (BASE + "syncLimit=\\\n  7\n" + THREE).replace(/\n/g, "\r\n"),
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.syncLimit, 7);
      assert.equal(c.standalone, false);
      assert.deepEqual([...c.servers.keys()], [1, 2, 3]);
      assert.equal(c.servers.get(3)!.electionAddrs[0].port, 3890);
    },
  },
  {
    name: "three-server ensemble",
    cfg: BASE + THREE,
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.standalone, false);
      assert.equal(c.myid, 1);
      assert.equal(c.peerType, "participant");
      assert.equal(c.quorumVerifier!.kind, "majority");
      assert.equal(c.quorumVerifier!.votingMembers.size, 3);
      assert.deepEqual(c.servers.get(2), {
        id: 2,
        addrs: [{ host: "127.0.0.1", port: 2889 }],
        electionAddrs: [{ host: "127.0.0.1", port: 3889 }],
        type: "participant",
      });
    },
  },
  {
    name: "myid file with CRLF and a second line",
    cfg: BASE + THREE,
    files: { "data/myid": "3\r\nignored\n" },
    zk: "agree",
    check: (c) => assert.equal(c.myid, 3),
  },
  {
    name: "server lines with roles and client addresses",
    cfg: BASE.replace("clientPort=2181\n", "") +
      "server.1=127.0.0.1:2888:3888:participant;2181\n" +
      "server.2=127.0.0.1:2889:3889:PARTICIPANT;127.0.0.1:2182\n" +
      "server.3=127.0.0.1:2890:3890:participant;127.0.0.1:2183\n" +
      "server.4=127.0.0.1:2891:3891:observer;127.0.0.1:2184\n",
    files: { "data/myid": "4\n" },
    zk: "agree",
    check: (c) => {
      assert.equal(c.peerType, "observer");
      assert.equal(c.clientPort, 2184);
      assert.equal(c.clientPortAddress, "127.0.0.1");
      assert.deepEqual(c.servers.get(1)!.clientAddr, { host: "0.0.0.0", port: 2181 });
      assert.deepEqual([...c.quorumVerifier!.observingMembers.keys()], [4]);
      assert.ok(!c.defaulted.has("clientPort"));
    },
  },
  {
    name: "clientPort equal to the server line's client port",
    cfg: BASE + "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889;2182\n" +
      "server.3=127.0.0.1:2890:3890;2183\n",
    files: MYID1,
    zk: "agree",
    check: (c) => assert.equal(c.clientPort, 2181),
  },
  {
    name: "IPv6 literals in brackets",
    cfg: BASE + "server.1=[::1]:2888:3888\nserver.2=[::1]:2889:3889;[::1]:2182\n" +
      "server.3=[::1]:2890:3890\n",
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.servers.get(1)!.addrs[0].host, "::1");
      assert.deepEqual(c.servers.get(2)!.clientAddr, { host: "::1", port: 2182 });
    },
  },
  {
    name: "one server line with standaloneEnabled (default) runs standalone",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.standalone, true);
      assert.equal(c.servers.size, 1);
      assert.equal(c.quorumVerifier!.votingMembers.size, 1);
    },
  },
  {
    name: "one server with standaloneEnabled=false is an ensemble of one",
    cfg: BASE + "standaloneEnabled=false\nserver.1=127.0.0.1:2888:3888\n",
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.standalone, false);
      assert.equal(c.standaloneEnabled, false);
    },
  },
  {
    name: "peerType contradicting the server list: the list wins",
    cfg: BASE + "peerType=observer\n" + THREE,
    files: MYID1,
    zk: "agree",
    check: (c) => assert.equal(c.peerType, "participant"),
  },
  {
    name: "a myid file in standalone mode is read but not required to match",
    cfg: "dataDir=$DIR/data\nclientPort=2181\n",
    files: { "data/myid": "7\n" },
    zk: "agree",
    check: (c) => {
      assert.equal(c.myid, 7);
      assert.equal(c.standalone, true);
    },
  },
  {
    name: "every known key set",
    cfg: "tickTime=1000\ninitLimit=3\nsyncLimit=2\ndataDir=$DIR/data\ndataLogDir=$DIR/log\n" +
      "clientPort=2181\nclientPortAddress=127.0.0.1\nmaxClientCnxns=10\n" +
      "minSessionTimeout=1500\nmaxSessionTimeout=90000\nautopurge.snapRetainCount=5\n" +
      "autopurge.purgeInterval=24\nsnapCount=5000\npreAllocSize=1024\nelectionAlg=3\n" +
      "peerType=participant\nquorumListenOnAllIPs=TRUE\ncnxTimeout=2000\n" +
      "standaloneEnabled=true\nreconfigEnabled=true\n4lw.commands.whitelist=*\n" +
      "admin.enableServer=true\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=9090\n" +
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n" +
      "metricsProvider.httpPort=7001\nlocalSessionsEnabled=true\n" +
      "localSessionsUpgradingEnabled=true\nsyncEnabled=false\nforceSync=no\n" +
      "jute.maxbuffer=4194304\nextendedTypesEnabled=true\nmultiAddress.enabled=false\n" +
      THREE,
    files: MYID1,
    // ZooKeeper 3.8 from Debian lacks the Prometheus provider's jar.
    zk: "zkt-lenient",
    check: (c) => {
      assert.deepEqual([...c.defaulted], ["dynamicConfigFile"]);
      assert.equal(c.dataLogDir.endsWith("/log"), true);
      assert.equal(c.clientPortAddress, "127.0.0.1");
      assert.equal(c.minSessionTimeout, 1500);
      assert.equal(c.maxSessionTimeout, 90000);
      assert.equal(c.autopurgeSnapRetainCount, 5);
      assert.equal(c.autopurgePurgeInterval, 24);
      assert.equal(c.snapCount, 5000);
      assert.equal(c.preAllocSizeKb, 1024);
      assert.equal(c.quorumListenOnAllIPs, true);
      assert.equal(c.cnxTimeout, 2000);
      assert.equal(c.reconfigEnabled, true);
      assert.deepEqual(c.fourLetterWordWhitelist, ["*"]);
      assert.equal(c.adminServerAddress, "127.0.0.1");
      assert.equal(c.adminServerPort, 9090);
      assert.equal(c.metricsProviderHttpPort, 7001);
      assert.equal(c.localSessionsEnabled, true);
      assert.equal(c.localSessionsUpgradingEnabled, true);
      assert.equal(c.syncEnabled, false);
      assert.equal(c.forceSync, false);
      assert.equal(c.juteMaxBuffer, 4194304);
      assert.equal(c.extendedTypesEnabled, true);
      assert.equal(c.standalone, false);
    },
  },
  {
    name: "unknown keys are kept",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nfoo.bar = baz \nconnectToLearnerMasterLimit=4\n",
    zk: "agree",
    check: (c) => {
      assert.deepEqual(
        [...c.extra],
        [["foo.bar", "baz"], ["connectToLearnerMasterLimit", "4"]],
      );
    },
  },
  {
    name: "snapRetainCount below 3 and snapCount below 2 are raised, as 3.8 does",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nautopurge.snapRetainCount=1\nsnapCount=1\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.autopurgeSnapRetainCount, 3);
      assert.equal(c.snapCount, 2);
    },
  },
  {
    name: "static version key sets the verifier version (hex)",
    cfg: BASE + THREE + "version=1000000a0\n",
    files: MYID1,
    zk: "agree",
    check: (c) => assert.equal(c.quorumVerifier!.version, 0x1000000a0n),
  },
  {
    name: "hierarchical quorum with an observer and a weight-0 server",
    cfg: BASE + THREE + "server.4=127.0.0.1:2891:3891\nserver.5=127.0.0.1:2892:3892\n" +
      "server.6=127.0.0.1:2893:3893:observer\n" +
      "group.1=1:2:3\ngroup.2=4:5\nweight.1=1\nweight.2=1\nweight.3=1\nweight.4=2\nweight.5=0\n",
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.quorumVerifier!.kind, "hierarchical");
      assert.equal(c.quorumVerifier!.weight(4), 2);
      assert.equal(c.quorumVerifier!.weight(5), 0);
      assert.equal(c.quorumVerifier!.weight(6), 0);
    },
  },
  {
    name: "dynamic config file with version from its name",
    cfg: "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=$DIR/data\n" +
      "dynamicConfigFile=$DIR/zoo.cfg.dynamic.200000003\n",
    files: {
      ...MYID1,
      "zoo.cfg.dynamic.200000003": "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n" +
        "server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\n" +
        "server.3=127.0.0.1:2890:3890:participant;127.0.0.1:2183\n",
    },
    zk: "agree",
    check: (c) => {
      assert.equal(c.quorumVerifier!.version, 0x200000003n);
      assert.equal(c.clientPort, 2181);
      assert.equal(c.dynamicConfigFile!.endsWith("zoo.cfg.dynamic.200000003"), true);
    },
  },
  {
    name: "dynamic config file without a version suffix has version 0",
    cfg: "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=$DIR/data\nclientPort=2181\n" +
      "dynamicConfigFile=$DIR/zoo.cfg.dynamic\n",
    files: { ...MYID1, "zoo.cfg.dynamic": THREE },
    zk: "agree",
    check: (c) => assert.equal(c.quorumVerifier!.version, 0n),
  },
  {
    name: "server ids at and above 16 (HashMap order in the config text)",
    cfg: BASE + "server.1=127.0.0.1:2888:3888\nserver.17=127.0.0.1:2889:3889\n" +
      "server.40=127.0.0.1:2890:3890\nserver.3=127.0.0.1:2891:3891\n",
    files: MYID1,
    zk: "agree",
  },
  {
    name: "multiple addresses with multiAddress.enabled in zoo.cfg",
    cfg: BASE + "multiAddress.enabled=true\n" +
      "server.1=127.0.0.2:2888:3888|127.0.0.1:2888:3888\n" +
      "server.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    // 3.8 reads only the -Dzookeeper.multiAddress.enabled JVM flag when parsing
    // server lines; zkt has no JVM flags, so the zoo.cfg key turns it on.
    zk: "zkt-lenient",
    check: (c) => {
      assert.deepEqual(c.servers.get(1)!.addrs.map((a) => a.host), ["127.0.0.2", "127.0.0.1"]);
    },
  },

  {
    name: "compressed and IPv4-mapped IPv6 literals print in Java's long form",
    cfg: BASE + "server.1=[2001:db8::a:1]:2888:3888\nserver.2=[::ffff:127.0.0.1]:2889:3889\n" +
      "server.3=[0:0::1]:2890:3890;[::]:2183\n",
    files: MYID1,
    zk: "agree",
  },
  {
    name: "host names, trailing ';' and ':' dropped as Java's split does",
    cfg: BASE + "server.1=localhost:2888:3888;\nserver.2=localhost:2889:3889:\n" +
      "server.3=zk3.example.invalid:2890:3890:observer\nserver.4=localhost:2891:3891\n",
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.servers.get(1)!.clientAddr, undefined);
      assert.equal(c.servers.get(2)!.type, "participant");
      assert.equal(c.servers.get(3)!.addrs[0].host, "zk3.example.invalid");
    },
  },
  {
    name: "unicode escapes and escaped separators in keys and values",
    cfg: "tick\\Time=2\u0030\u00300\ndataDir=$DIR/d\\u0061ta\nclientPort=2181\nmy\\=key=a\\:b\n",
    zk: "agree",
    check: (c) => {
      assert.equal(c.tickTime, 2000);
      assert.ok(c.dataDir.endsWith("/data"));
      assert.equal(c.extra.get("my=key"), "a:b");
    },
  },
  {
    name: "hierarchical with large ids (HashMap order of groups and weights)",
    cfg: BASE + "server.1=127.0.0.1:2888:3888\nserver.17=127.0.0.1:2889:3889\n" +
      "server.33=127.0.0.1:2890:3890\nserver.2=127.0.0.1:2891:3891\n" +
      "server.18=127.0.0.1:2892:3892\nserver.50=127.0.0.1:2893:3893\n" +
      "group.20=1:17:33\ngroup.4=2:18:50\nweight.17=3\nweight.50=2\n",
    files: MYID1,
    zk: "agree",
    check: (c) => {
      assert.equal(c.quorumVerifier!.weight(17), 3);
      assert.equal(c.quorumVerifier!.weight(1), 1);
    },
  },

  // ---- invalid files ----
  { name: "dataDir missing", cfg: "clientPort=2181\n", error: "dataDir: is not set", zk: "agree" },
  {
    name: "tickTime not a number",
    cfg: "tickTime=2s\ndataDir=$DIR/data\nclientPort=2181\n",
    error: 'tickTime: "2s" is not an integer',
    zk: "agree",
  },
  {
    name: "tickTime=0",
    cfg: "tickTime=0\ndataDir=$DIR/data\nclientPort=2181\n",
    error: "tickTime: is not set",
    zk: "agree",
  },
  {
    name: "tickTime beyond int range",
    cfg: "tickTime=3000000000\ndataDir=$DIR/data\nclientPort=2181\n",
    error: "tickTime: ",
    zk: "agree",
  },
  {
    name: "clientPort out of range",
    cfg: "dataDir=$DIR/data\nclientPort=70000\n",
    error: "clientPort: port 70000 is out of range",
    zk: "agree",
  },
  {
    name: "clientPortAddress without clientPort",
    cfg: "dataDir=$DIR/data\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888\n",
    error: "clientPortAddress: is set but clientPort is not set",
    zk: "agree",
  },
  {
    name: "standalone without any client port",
    cfg: "dataDir=$DIR/data\n",
    error: "clientPort: is not set",
    zk: "zkt-stricter",
  },
  {
    name: "myid 255 with extendedTypesEnabled: its session ids would read as TTL owners",
    cfg: BASE + "extendedTypesEnabled=true\nserver.255=127.0.0.1:2888:3888\n" +
      "server.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    files: { "data/myid": "255\n" },
    error:
      "extendedTypesEnabled: is true but Server ID 255 is too large. Cannot be larger than 254",
    // ZooKeeper parses it and fails once the peer's session tracker starts.
    zk: "zkt-stricter",
  },
  {
    name: "myid 255 without extended types is an ordinary peer",
    cfg: BASE + "server.255=127.0.0.1:2888:3888\n" +
      "server.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    files: { "data/myid": "255\n" },
    zk: "agree",
    check: (c) => assert.equal(c.myid, 255),
  },
  {
    name: "secureClientPort is refused clearly",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nsecureClientPort=2281\n",
    error: "secureClientPort: TLS client connections are not supported",
    zk: "zkt-stricter",
  },
  {
    name: "sslQuorum=true is refused clearly",
    cfg: BASE + "sslQuorum=true\n" + THREE,
    files: MYID1,
    error: "sslQuorum: TLS between servers is not supported",
    zk: "zkt-stricter",
  },
  {
    name: "a key zkt does not use is still checked as ZooKeeper checks it",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nconnectToLearnerMasterLimit=ten\n",
    error: 'connectToLearnerMasterLimit: "ten" is not an integer',
    zk: "agree",
  },
  {
    name: "jvm.pause.monitor must be a boolean",
    cfg: "dataDir=$DIR/data\nclientPort=2181\njvm.pause.monitor=on\n",
    error: "jvm.pause.monitor: invalid option",
    zk: "agree",
  },
  {
    name: "requiring quorum SASL without enabling it",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nquorum.auth.learnerRequireSasl=true\n",
    error: "quorum.auth.learnerRequireSasl: quorum.auth.enableSasl is disabled, so cannot enable",
    zk: "agree",
  },
  {
    name: "oracle quorums are refused clearly",
    cfg: BASE + "oraclePath=$DIR/oracle\n" + THREE,
    files: MYID1,
    error: "oraclePath: the oracle quorum (QuorumOracleMaj) is not supported",
    zk: "zkt-stricter",
  },
  {
    name: "electionAlg other than 3",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nelectionAlg=0\n",
    error: "electionAlg: invalid value 0; only 3 is supported",
    zk: "agree",
  },
  {
    name: "peerType not a role",
    cfg: "dataDir=$DIR/data\nclientPort=2181\npeerType=leader\n",
    error: 'peerType: unrecognised peer type "leader"',
    zk: "agree",
  },
  {
    name: "boolean that is not true/false",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nstandaloneEnabled=yes\n",
    error: "standaloneEnabled: invalid option \"yes\"; choose 'true' or 'false'",
    zk: "agree",
  },
  {
    name: "boolean localSessionsEnabled=1",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nlocalSessionsEnabled=1\n",
    error: "localSessionsEnabled: invalid option",
    zk: "agree",
  },
  {
    name: "minSessionTimeout larger than maxSessionTimeout",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nminSessionTimeout=50000\nmaxSessionTimeout=40000\n",
    error: "minSessionTimeout: 50000 must not be larger than maxSessionTimeout 40000",
    zk: "agree",
  },
  {
    name: "minSessionTimeout larger than the default max (20 ticks)",
    cfg: "tickTime=1000\ndataDir=$DIR/data\nclientPort=2181\nminSessionTimeout=30000\n",
    error: "minSessionTimeout: 30000 must not be larger than maxSessionTimeout 20000",
    zk: "agree",
  },
  {
    name: "unknown metrics provider class",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nmetricsProvider.className=com.example.Nope\n",
    error: 'metricsProvider.className: metrics provider class "com.example.Nope" was not found',
    zk: "agree",
  },
  {
    name: "forceSync=false (ZooKeeper would silently keep fsync on)",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nforceSync=false\n",
    error: "forceSync: invalid option \"false\"; choose 'yes' or 'no'",
    zk: "zkt-stricter",
  },
  {
    name: "initLimit missing in ensemble mode",
    cfg: "tickTime=2000\nsyncLimit=5\ndataDir=$DIR/data\nclientPort=2181\n" + THREE,
    files: MYID1,
    error: "initLimit: is not set",
    zk: "agree",
  },
  {
    name: "syncLimit missing in ensemble mode",
    cfg: "tickTime=2000\ninitLimit=5\ndataDir=$DIR/data\nclientPort=2181\n" + THREE,
    files: MYID1,
    error: "syncLimit: is not set",
    zk: "agree",
  },
  {
    name: "myid missing in ensemble mode",
    cfg: BASE + THREE,
    error: "myid: file $DIR/data/myid is missing",
    zk: "agree",
  },
  {
    name: "myid not a number",
    cfg: BASE + THREE,
    files: { "data/myid": "one\n" },
    error: 'myid: "one" in $DIR/data/myid is not a number',
    zk: "agree",
  },
  {
    name: "myid with a trailing blank (ZooKeeper does not trim it)",
    cfg: BASE + THREE,
    files: { "data/myid": "1 \n" },
    error: 'myid: "1 " in',
    zk: "agree",
  },
  {
    name: "empty myid file",
    cfg: BASE + THREE,
    files: { "data/myid": "" },
    error: 'myid: "" in',
    zk: "agree",
  },
  {
    name: "myid not in the server list",
    cfg: BASE + THREE,
    files: { "data/myid": "4\n" },
    error: "myid: 4 is not in the server list (server.1, server.2, server.3)",
    // 3.8 parses it and dies at startup with "My id 4 not in the peer list".
    zk: "zkt-stricter",
  },
  {
    name: "server line without an election port",
    cfg: BASE + "server.1=127.0.0.1:2888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: 'server.1: "127.0.0.1:2888" does not have the form host:port:port',
    zk: "agree",
  },
  {
    name: "server line with too many parts",
    cfg: BASE + "server.1=127.0.0.1:2888:3888:participant:x\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "server.1: ",
    zk: "agree",
  },
  {
    name: "server line with two client parts",
    cfg: BASE + "server.1=127.0.0.1:2888:3888;2181;2182\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "does not have the form",
    zk: "agree",
  },
  {
    name: "server quorum port out of range",
    cfg: BASE + "server.1=127.0.0.1:65536:3888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "server.1: quorum port 65536 is out of range (1-65535)",
    zk: "agree",
  },
  {
    name: "server election port not a number",
    cfg: BASE + "server.1=127.0.0.1:2888:x3888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: 'server.1: election port "x3888" is not a number',
    zk: "agree",
  },
  {
    name: "server line with a trailing blank (ZooKeeper does not trim server lines)",
    cfg: BASE + "server.1=127.0.0.1:2888:3888 \nserver.2=127.0.0.1:2889:3889\n" +
      "server.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error: 'server.1: election port "3888 " is not a number (stray whitespace)',
    zk: "agree",
  },
  {
    name: "client port in a server line out of range",
    cfg: BASE + "server.1=127.0.0.1:2888:3888;99999\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "server.1: client port 99999 is out of range",
    zk: "agree",
  },
  {
    name: "same quorum and election port in one server",
    cfg: BASE + "server.1=127.0.0.1:2888:2888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "server.1: quorum port and election port must be different (both 2888)",
    zk: "agree",
  },
  {
    name: "bad server type",
    cfg: BASE + "server.1=127.0.0.1:2888:3888:leader\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: 'server.1: unrecognised peer type "leader"',
    zk: "agree",
  },
  {
    name: "server id not a number",
    cfg: BASE + "server.one=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: 'server.one: "one" is not a number',
    zk: "agree",
  },
  {
    name: "IPv6 literal without a closing bracket",
    cfg: BASE + "server.1=[::1:2888:3888\nserver.2=127.0.0.1:2889:3889\n",
    files: MYID1,
    error: "server.1: \"[::1:2888:3888\" starts with '[' but has no matching ']:'",
    zk: "agree",
  },
  {
    name: "multiple addresses without multiAddress.enabled",
    cfg: BASE + "server.1=127.0.0.2:2888:3888|127.0.0.1:2888:3888\n" +
      "server.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error: "server.1: multiple addresses given but the multiple address feature is disabled",
    zk: "agree",
  },
  {
    name: "multiple addresses with different roles",
    cfg: BASE + "multiAddress.enabled=true\n" +
      "server.1=127.0.0.2:2888:3888:participant|127.0.0.1:2888:3888:observer\n" +
      "server.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error: "server.1: multiple addresses must have the same role",
    zk: "agree",
  },
  {
    name: "observer-only ensemble",
    cfg: BASE + "server.1=127.0.0.1:2888:3888:observer\nserver.2=127.0.0.1:2889:3889:observer\n",
    files: MYID1,
    error: "server.1: observers without participants is an invalid configuration",
    zk: "agree",
  },
  {
    name: "one participant and an observer",
    cfg: BASE + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889:observer\n",
    files: MYID1,
    error: "server.2: observers without a quorum is an invalid configuration",
    zk: "agree",
  },
  {
    name: "standaloneEnabled=false without servers",
    cfg: "dataDir=$DIR/data\nclientPort=2181\nstandaloneEnabled=false\n",
    error: "standaloneEnabled: standaloneEnabled=false needs at least one participant",
    zk: "agree",
  },
  {
    name: "two servers on one quorum address",
    cfg: BASE + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2888:3889\n" +
      "server.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error:
      "server.2: quorum address 127.0.0.1:2888 reuses the quorum address port of server.1 (127.0.0.1:2888)",
    zk: "zkt-stricter",
  },
  {
    name: "an election port equal to another server's quorum port on the same host",
    cfg: BASE + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:2888\n" +
      "server.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error: "server.2: election address 127.0.0.1:2888 reuses the quorum address port",
    zk: "zkt-stricter",
  },
  {
    name: "clientPort equal to this server's election port",
    cfg: BASE.replace("clientPort=2181", "clientPort=3888") + THREE,
    files: MYID1,
    error: "clientPort: client address 0.0.0.0:3888 reuses the election address port",
    zk: "zkt-stricter",
  },
  {
    name: "every server on its own host with the same ';2181' client port",
    cfg: BASE.replace("clientPort=2181\n", "") +
      "server.1=zk1.example.invalid:2888:3888;2181\nserver.2=zk2.example.invalid:2888:3888;2181\n" +
      "server.3=zk3.example.invalid:2888:3888;2181\n",
    files: MYID1,
    zk: "agree",
    check: (c) => assert.equal(c.clientPort, 2181),
  },
  {
    name: "a loopback ensemble giving every server the same ';2181' client port",
    cfg: BASE.replace("clientPort=2181\n", "") +
      "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889;2181\n" +
      "server.3=127.0.0.1:2890:3890;2183\n",
    files: MYID1,
    error: "server.2: client address 0.0.0.0:2181 reuses the client address port of server.1",
    zk: "zkt-stricter",
  },
  {
    name: "standalone: the client port from the server line clashing with the admin port",
    cfg: "dataDir=$DIR/data\nserver.1=127.0.0.1:2888:3888;8080\n",
    files: MYID1,
    error: "admin.serverPort: admin server address 0.0.0.0:8080 reuses the client address port",
    zk: "zkt-stricter",
  },
  {
    name: "clientPort equal to the admin server port",
    cfg: "dataDir=$DIR/data\nclientPort=8080\n",
    error: "admin.serverPort: admin server address 0.0.0.0:8080 reuses the client address port",
    zk: "zkt-stricter",
  },
  {
    name: "static clientPort contradicts the server line",
    cfg: BASE + "server.1=127.0.0.1:2888:3888;2191\nserver.2=127.0.0.1:2889:3889\n" +
      "server.3=127.0.0.1:2890:3890\n",
    files: MYID1,
    error: "clientPort: client address for this server (id = 1) in the static config is",
    zk: "agree",
  },
  {
    name: "server lines beside dynamicConfigFile",
    cfg: BASE + "dynamicConfigFile=$DIR/zoo.cfg.dynamic.100000000\n" + THREE,
    files: { ...MYID1, "zoo.cfg.dynamic.100000000": THREE },
    error: "must be in the separate dynamic config file",
    zk: "agree",
  },
  {
    name: "dynamic file with a version key",
    cfg: BASE + "dynamicConfigFile=$DIR/zoo.cfg.dynamic.100000000\n",
    files: { ...MYID1, "zoo.cfg.dynamic.100000000": THREE + "version=100000000\n" },
    error: "dynamicConfigFile: $DIR/zoo.cfg.dynamic.100000000 must not contain version",
    zk: "agree",
  },
  {
    name: "dynamic file with a static key",
    cfg: BASE + "dynamicConfigFile=$DIR/zoo.cfg.dynamic.100000000\n",
    files: { ...MYID1, "zoo.cfg.dynamic.100000000": THREE + "tickTime=2000\n" },
    error: "tickTime: unrecognised parameter in dynamic file",
    zk: "agree",
  },
  {
    name: "dynamic file missing",
    cfg: BASE + "dynamicConfigFile=$DIR/nope.dynamic\n",
    files: MYID1,
    error: "dynamicConfigFile: cannot read $DIR/nope.dynamic",
    zk: "agree",
  },
  {
    name: "version key not hex",
    cfg: BASE + THREE + "version=10g\n",
    files: MYID1,
    error: 'version: "10g" is not a hex number',
    zk: "agree",
  },
  {
    name: "hierarchical: a participant in no group",
    cfg: BASE + THREE + "group.1=1:2\n",
    files: MYID1,
    error: "server.3: participant 3 is not in any group.N",
    zk: "agree",
  },
  {
    name: "hierarchical: a server in two groups",
    cfg: BASE + THREE + "group.1=1:2\ngroup.2=2:3\n",
    files: MYID1,
    error: "server 2 is in multiple groups",
    zk: "agree",
  },
  {
    name: "hierarchical: an observer in a group without a weight",
    cfg: BASE + THREE + "server.4=127.0.0.1:2891:3891:observer\ngroup.1=1:2:3:4\n",
    files: MYID1,
    error: "group.1: server 4 has no weight.4",
    // ZooKeeper throws a NullPointerException out of QuorumHierarchical.
    zk: "agree",
  },
  {
    name: "hierarchical: a weight that is not a number",
    cfg: BASE + THREE + "group.1=1:2:3\nweight.1=heavy\n",
    files: MYID1,
    error: 'weight.1: "heavy" is not a weight',
    zk: "agree",
  },
];
