// Golden bytes for zkt's jute codecs, written by Apache ZooKeeper 3.8's own
// generated record classes and BinaryOutputArchive. Each record value here is
// mirrored field by field in tests/unit/jute/golden_test.ts; change both together.
// Also prints the protocol constants (op codes, error codes and messages, Zab
// packet types, watcher enums) as ZooKeeper defines them, for constants.ts.
//
// Usage: java -cp <classes>:/usr/share/java/zookeeper.jar GoldenRecords OUT_DIR
// (scripts/gen-golden compiles and runs it).

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.proto.*;
import org.apache.zookeeper.server.Request;
import org.apache.zookeeper.server.persistence.FileHeader;
import org.apache.zookeeper.server.persistence.FileSnap;
import org.apache.zookeeper.server.persistence.FileTxnLog;
import org.apache.zookeeper.server.quorum.Leader;
import org.apache.zookeeper.server.quorum.LearnerInfo;
import org.apache.zookeeper.server.quorum.QuorumPacket;
import org.apache.zookeeper.server.quorum.auth.QuorumAuth;
import org.apache.zookeeper.txn.*;

public class GoldenRecords {
    private static final TreeMap<String, byte[]> OUT = new TreeMap<>();

    static final String UNICODE_PATH = "/\u00fcn\u00ef/\u65e5\u672c/\ud83e\udd80";
    static final Stat STAT = new Stat(0x100000001L, 0x100000002L, 1700000000123L, 1700000000456L,
            3, -2, 1, 0x1234567890abcdefL, 5, 2, 0x100000003L);
    static final ACL DIGEST_ACL = new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN,
            new Id("digest", "alice:Xk7Vz4yM2Xb0ZdyBStIIZoqG7zQ="));
    static final long SESSION = 0x1000123456789abL;

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ser(Record r) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        r.serialize(BinaryOutputArchive.getArchive(b), "r");
        return b.toByteArray();
    }

    static void put(String name, Record r) throws IOException {
        OUT.put(name, ser(r));
    }

    /** A record followed by the optional readOnly flag, as client and server send it. */
    static void putWithReadOnly(String name, Record r, boolean readOnly) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(b);
        r.serialize(a, "connect");
        a.writeBool(readOnly, "readOnly");
        OUT.put(name, b.toByteArray());
    }

    static List<ACL> acls(ACL... a) {
        return new ArrayList<>(Arrays.asList(a));
    }

    static List<String> strs(String... s) {
        return new ArrayList<>(Arrays.asList(s));
    }

    static void data() throws IOException {
        put("Id", new Id("ip", "127.0.0.1"));
        put("ACL", DIGEST_ACL);
        put("Stat", STAT);
        put("StatPersisted", new StatPersisted(0x100000001L, 0x100000002L, 1700000000123L,
                1700000000456L, 3, -2, 1, 0x1234567890abcdefL, 0x100000003L));
        put("ClientInfo", new ClientInfo("digest", "alice"));
    }

    static void proto() throws IOException {
        byte[] passwd = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        put("ConnectRequest", new ConnectRequest(0, 0x200000005L, 30000, 0L, new byte[16]));
        putWithReadOnly("ConnectRequestReadOnly",
                new ConnectRequest(0, 0x200000005L, 30000, SESSION, passwd), true);
        put("ConnectResponse", new ConnectResponse(0, 30000, SESSION, passwd));
        putWithReadOnly("ConnectResponseReadOnly", new ConnectResponse(0, 4000, SESSION, passwd), false);
        put("RequestHeader", new RequestHeader(7, ZooDefs.OpCode.create));
        put("ReplyHeader", new ReplyHeader(7, 0x200000006L, KeeperException.Code.NONODE.intValue()));
        put("MultiHeader", new MultiHeader(-1, true, -1));
        put("AuthPacket", new AuthPacket(0, "digest", utf8("alice:secret")));
        put("GetDataRequest", new GetDataRequest(UNICODE_PATH, true));
        put("SetDataRequest", new SetDataRequest("/a", bytes(0, 1, 2, 0xff), -1));
        put("ReconfigRequest", new ReconfigRequest("server.4=127.0.0.1:2891:3891:participant;2184", null, null, -1L));
        put("SetDataResponse", new SetDataResponse(STAT));
        put("GetSASLRequest", new GetSASLRequest(bytes(0xde, 0xad)));
        put("SetSASLRequest", new SetSASLRequest(null));
        put("SetSASLResponse", new SetSASLResponse(new byte[0]));
        put("CreateRequest", new CreateRequest("/app/node-", utf8("hello"),
                acls(ZooDefs.Ids.OPEN_ACL_UNSAFE.get(0), DIGEST_ACL), CreateMode.EPHEMERAL_SEQUENTIAL.toFlag()));
        put("CreateRequestNulls", new CreateRequest("/n", null, null, 0));
        put("CreateTTLRequest", new CreateTTLRequest("/ttl", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_WITH_TTL.toFlag(), 60000L));
        put("DeleteRequest", new DeleteRequest("/a", 4));
        put("GetChildrenRequest", new GetChildrenRequest("/", false));
        put("GetAllChildrenNumberRequest", new GetAllChildrenNumberRequest("/app"));
        put("GetAllChildrenNumberResponse", new GetAllChildrenNumberResponse(12));
        put("GetChildren2Request", new GetChildren2Request("/app", true));
        put("CheckVersionRequest", new CheckVersionRequest("/a", -1));
        put("GetMaxChildrenRequest", new GetMaxChildrenRequest("/a"));
        put("GetMaxChildrenResponse", new GetMaxChildrenResponse(100));
        put("SetMaxChildrenRequest", new SetMaxChildrenRequest("/a", 100));
        put("SyncRequest", new SyncRequest("/"));
        put("SyncResponse", new SyncResponse("/"));
        put("GetACLRequest", new GetACLRequest("/a"));
        put("SetACLRequest", new SetACLRequest("/a", acls(DIGEST_ACL), 2));
        put("SetACLResponse", new SetACLResponse(STAT));
        put("AddWatchRequest", new AddWatchRequest("/app", AddWatchMode.PERSISTENT_RECURSIVE.getMode()));
        put("WatcherEvent", new WatcherEvent(Watcher.Event.EventType.NodeDataChanged.getIntValue(),
                Watcher.Event.KeeperState.SyncConnected.getIntValue(), "/app"));
        put("ErrorResponse", new ErrorResponse(KeeperException.Code.NODEEXISTS.intValue()));
        put("CreateResponse", new CreateResponse("/app/node-0000000001"));
        put("Create2Response", new Create2Response("/app/node-0000000001", STAT));
        put("ExistsRequest", new ExistsRequest("/a", true));
        put("ExistsResponse", new ExistsResponse(STAT));
        put("GetDataResponse", new GetDataResponse(utf8("data"), STAT));
        put("GetChildrenResponse", new GetChildrenResponse(strs("a", "b", "\u00fcn\u00ef")));
        put("GetChildren2Response", new GetChildren2Response(strs(), STAT));
        put("GetACLResponse", new GetACLResponse(acls(ZooDefs.Ids.OPEN_ACL_UNSAFE.get(0), DIGEST_ACL), STAT));
        put("CheckWatchesRequest", new CheckWatchesRequest("/a", Watcher.WatcherType.Any.getIntValue()));
        put("RemoveWatchesRequest", new RemoveWatchesRequest("/a", Watcher.WatcherType.Data.getIntValue()));
        put("GetEphemeralsRequest", new GetEphemeralsRequest("/app"));
        put("GetEphemeralsResponse", new GetEphemeralsResponse(strs("/app/e1", "/app/e2")));
        put("WhoAmIResponse", new WhoAmIResponse(new ArrayList<>(Arrays.asList(
                new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "alice")))));
        put("SetWatches", new SetWatches(0x200000005L, strs("/d"), strs("/e1", "/e2"), strs()));
        put("SetWatches2", new SetWatches2(0x200000005L, strs("/d"), strs(), strs("/c"), strs("/p"), strs("/r")));

        put("MultiRequest", new MultiOperationRecord(Arrays.asList(
                Op.create("/m", utf8("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/t", utf8("t"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 5000L),
                Op.delete("/old", 3),
                Op.setData("/m", utf8("y"), 0),
                Op.check("/m", 1))));
        put("MultiReadRequest", new MultiOperationRecord(Arrays.asList(
                Op.getChildren("/"), Op.getData("/m"))));
        MultiResponse mr = new MultiResponse();
        mr.add(new OpResult.CreateResult("/m"));
        mr.add(new OpResult.CreateResult("/m2", STAT));
        mr.add(new OpResult.DeleteResult());
        mr.add(new OpResult.SetDataResult(STAT));
        mr.add(new OpResult.CheckResult());
        mr.add(new OpResult.ErrorResult(KeeperException.Code.NONODE.intValue()));
        put("MultiResponse", mr);
        MultiResponse rr = new MultiResponse();
        rr.add(new OpResult.GetChildrenResult(strs("m", "zookeeper")));
        rr.add(new OpResult.GetDataResult(utf8("y"), STAT));
        rr.add(new OpResult.ErrorResult(KeeperException.Code.NOAUTH.intValue()));
        put("MultiReadResponse", rr);
    }

    static void txn() throws IOException {
        List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        put("TxnHeader", new TxnHeader(SESSION, 42, 0x200000007L, 1700000000789L, ZooDefs.OpCode.create));
        put("TxnDigest", new TxnDigest(2, 0x1122334455667788L));
        CreateTxn create = new CreateTxn("/app/node-0000000001", utf8("hello"), open, true, 7);
        put("CreateTxn", create);
        put("CreateTxnV0", new CreateTxnV0("/v0", new byte[0], open, false));
        put("CreateContainerTxn", new CreateContainerTxn("/c", null, open, 0));
        put("CreateTTLTxn", new CreateTTLTxn("/ttl", utf8("t"), open, 1, 60000L));
        put("DeleteTxn", new DeleteTxn("/a"));
        SetDataTxn setData = new SetDataTxn("/a", bytes(1, 2), 5);
        put("SetDataTxn", setData);
        put("CheckVersionTxn", new CheckVersionTxn("/a", 5));
        put("SetACLTxn", new SetACLTxn("/a", acls(DIGEST_ACL), 3));
        put("SetMaxChildrenTxn", new SetMaxChildrenTxn("/a", 10));
        put("CreateSessionTxn", new CreateSessionTxn(30000));
        put("CloseSessionTxn", new CloseSessionTxn(strs("/e1", "/e2")));
        put("ErrorTxn", new ErrorTxn(KeeperException.Code.NONODE.intValue()));
        put("Txn", new Txn(ZooDefs.OpCode.delete, ser(new DeleteTxn("/a"))));
        put("MultiTxn", new MultiTxn(new ArrayList<>(Arrays.asList(
                new Txn(ZooDefs.OpCode.create, ser(create)),
                new Txn(ZooDefs.OpCode.setData, ser(setData)),
                new Txn(ZooDefs.OpCode.error, ser(new ErrorTxn(KeeperException.Code.NONODE.intValue())))))));
    }

    /** A Zab packet type; most of Leader's constants are package-private. */
    static int leaderConst(String name) throws IOException {
        try {
            Field f = Leader.class.getDeclaredField(name);
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IOException(e);
        }
    }

    static void persistenceAndQuorum() throws IOException {
        put("FileHeaderSnap", new FileHeader(FileSnap.SNAP_MAGIC, 2, -1L));
        put("FileHeaderLog", new FileHeader(FileTxnLog.TXNLOG_MAGIC, 2, 0L));
        put("QuorumPacket", new QuorumPacket(Leader.PROPOSAL, 0x200000007L, bytes(1, 2, 3, 4, 5), null));
        put("QuorumPacketAuth", new QuorumPacket(leaderConst("REQUEST"), -1L, bytes(0),
                new ArrayList<>(Arrays.asList(new Id("digest", "alice:x"), new Id("ip", "127.0.0.1")))));
        put("QuorumPacketNulls", new QuorumPacket(leaderConst("PING"), 0x300000000L, null, null));
        put("LearnerInfo", new LearnerInfo(3L, 0x10000, 0x100000000L));
        put("QuorumAuthPacket", QuorumAuth.createPacket(QuorumAuth.Status.SUCCESS, bytes(9, 8)));
    }

    /** Lines "group name value" for every protocol constant zkt mirrors. */
    static String constants() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Field f : ZooDefs.OpCode.class.getFields()) {
            int v = f.getInt(null);
            sb.append("op ").append(f.getName()).append(' ').append(v).append('\n');
        }
        for (int op = -12; op <= 110; op++) {
            sb.append("opName ").append(op).append(' ').append(Request.op2String(op)).append('\n');
        }
        Method msg = KeeperException.class.getDeclaredMethod("getCodeMessage", KeeperException.Code.class);
        msg.setAccessible(true);
        for (KeeperException.Code c : KeeperException.Code.values()) {
            sb.append("err ").append(c.name()).append(' ').append(c.intValue()).append('\n');
            sb.append("errMessage ").append(c.intValue()).append(' ').append(msg.invoke(null, c)).append('\n');
        }
        for (Field f : ZooDefs.Perms.class.getFields()) {
            sb.append("perm ").append(f.getName()).append(' ').append(f.getInt(null)).append('\n');
        }
        for (CreateMode m : CreateMode.values()) {
            sb.append("createMode ").append(m.name()).append(' ').append(m.toFlag()).append('\n');
        }
        for (Watcher.Event.EventType t : Watcher.Event.EventType.values()) {
            sb.append("eventType ").append(t.name()).append(' ').append(t.getIntValue()).append('\n');
        }
        for (Watcher.Event.KeeperState s : Watcher.Event.KeeperState.values()) {
            sb.append("keeperState ").append(s.name()).append(' ').append(s.getIntValue()).append('\n');
        }
        for (Watcher.WatcherType t : Watcher.WatcherType.values()) {
            sb.append("watcherType ").append(t.name()).append(' ').append(t.getIntValue()).append('\n');
        }
        for (AddWatchMode m : AddWatchMode.values()) {
            sb.append("addWatchMode ").append(m.name()).append(' ').append(m.getMode()).append('\n');
        }
        for (Field f : Leader.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class
                    && f.getName().equals(f.getName().toUpperCase())) {
                f.setAccessible(true);
                sb.append("quorumPacket ").append(f.getName()).append(' ').append(f.getInt(null)).append('\n');
            }
        }
        sb.append("quorumAuthMagic ").append(Long.toHexString(QuorumAuth.QUORUM_AUTH_MAGIC_NUMBER)).append('\n');
        Method status = QuorumAuth.Status.class.getDeclaredMethod("status");
        status.setAccessible(true);
        for (QuorumAuth.Status s : QuorumAuth.Status.values()) {
            sb.append("quorumAuthStatus ").append(s.name()).append(' ').append(status.invoke(s)).append('\n');
        }
        for (String xid : new String[] {"NOTIFICATION_XID", "PING_XID", "AUTHPACKET_XID", "SET_WATCHES_XID"}) {
            sb.append("xid ").append(xid).append(' ')
              .append(org.apache.zookeeper.ClientCnxn.class.getField(xid).getInt(null)).append('\n');
        }
        for (String name : new String[] {"OPEN_ACL_UNSAFE", "CREATOR_ALL_ACL", "READ_ACL_UNSAFE"}) {
            @SuppressWarnings("unchecked")
            List<ACL> list = (List<ACL>) ZooDefs.Ids.class.getField(name).get(null);
            StringBuilder v = new StringBuilder();
            for (ACL a : list) {
                v.append(a.getPerms()).append(',').append(a.getId().getScheme()).append(',').append(a.getId().getId()).append(';');
            }
            sb.append("acl ").append(name).append(' ').append(v).append('\n');
        }
        for (String name : new String[] {"ANYONE_ID_UNSAFE", "AUTH_IDS"}) {
            Id id = (Id) ZooDefs.Ids.class.getField(name).get(null);
            sb.append("id ").append(name).append(' ').append(id.getScheme()).append(',').append(id.getId()).append('\n');
        }
        sb.append("magic SNAP ").append(FileSnap.SNAP_MAGIC).append('\n');
        sb.append("magic TXNLOG ").append(FileTxnLog.TXNLOG_MAGIC).append('\n');
        // Fields come back in no guaranteed order: sort for a stable file.
        String[] lines = sb.toString().split("\n");
        Arrays.sort(lines);
        return String.join("\n", lines) + "\n";
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GoldenRecords OUT_DIR");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]);
        Files.createDirectories(dir);
        data();
        proto();
        txn();
        persistenceAndQuorum();
        for (String name : OUT.keySet()) {
            Files.write(dir.resolve(name + ".hex"), (hex(OUT.get(name)) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(dir.resolve("constants.txt"), constants().getBytes(StandardCharsets.UTF_8));
        System.out.println(OUT.size() + " records written to " + dir);
    }
}
