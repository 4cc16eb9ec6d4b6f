// Drives Apache ZooKeeper 3.8's own session trackers (LeaderSessionTracker,
// LearnerSessionTracker, SessionTrackerImpl) with a script read from stdin and prints one
// result line per step, so tests/unit/server/sessions/oracle_test.ts can run the same script
// against zkt's trackers and compare. Written for zkt; it only calls ZooKeeper's public API.
//
// Script: one step a line, words separated by spaces. A session is an alias (made by
// `create`) or a number (0x... hex or decimal, a Java long). Owners are names; `me` is the
// server's own client port (ServerCnxn.me). Steps:
//   new leader|learner SID LOCAL(0|1) [ID:TIMEOUT ...]   a fresh tracker with committed sessions
//   create ALIAS TIMEOUT      createSession; prints the sid in the id's high byte
//   track S TO | commit S TO | touch S TO                  -> true/false
//   check S OWNER | checkGlobal S OWNER | setOwner S OWNER -> ok or the exception's name
//   prepCreate S TO OWNER     trackSession + setOwner (PrepRequestProcessor's createSession)
//   revalidate S TO OWNER     Leader.revalidateSession's rule -> true/false
//   reconnect S TO            a client reconnecting on the leader's own port -> true/false
//   closing S | remove S      -> ok
//   upgrade S                 -> the timeout, or -1
//   isLocal S | isGlobal S | isUpgrading S | isTracking S  -> true/false
//   snapshot                  a learner's touch table, sorted: S:TO,...
//   ids SID N                 N ids of initializeNextSessionId(SID) read in one clock ms: T ID...
//   passwd ID                 ZooKeeperServer.generatePasswd(ID) in hex
//   end                       prints "end" (a scenario boundary)

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.common.Time;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.SessionTrackerImpl;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.quorum.LeaderSessionTracker;
import org.apache.zookeeper.server.quorum.LearnerSessionTracker;
import org.apache.zookeeper.server.quorum.UpgradeableSessionTracker;

public class SessionOracle {
    interface Step {
        void run() throws Exception;
    }

    private final Map<String, Long> aliases = new HashMap<>();
    private final Map<String, Object> owners = new HashMap<>();
    private UpgradeableSessionTracker tracker;
    private boolean leader;
    private boolean localEnabled;

    private long session(String s) {
        Long a = aliases.get(s);
        if (a != null) {
            return a;
        }
        if (s.startsWith("0x")) {
            return Long.parseUnsignedLong(s.substring(2), 16);
        }
        return Long.parseLong(s);
    }

    private String name(long id) {
        for (Map.Entry<String, Long> e : aliases.entrySet()) {
            if (e.getValue() == id) {
                return e.getKey();
            }
        }
        return Long.toString(id);
    }

    private Object owner(String n) {
        if (n.equals("me")) {
            return ServerCnxn.me;
        }
        return owners.computeIfAbsent(n, k -> new Object());
    }

    private static String outcome(Step s) throws Exception {
        try {
            s.run();
            return "ok";
        } catch (KeeperException e) {
            return e.getClass().getSimpleName().replace("Exception", "");
        }
    }

    private String step(String[] w) throws Exception {
        switch (w[0]) {
        case "new": {
            leader = w[1].equals("leader");
            localEnabled = w[3].equals("1");
            ConcurrentHashMap<Long, Integer> sessions = new ConcurrentHashMap<>();
            for (int i = 4; i < w.length; i++) {
                String[] kv = w[i].split(":");
                sessions.put(session(kv[0]), Integer.parseInt(kv[1]));
            }
            long sid = Long.parseLong(w[2]);
            tracker = leader
                ? new LeaderSessionTracker(null, sessions, 2000, sid, localEnabled, null)
                : new LearnerSessionTracker(null, sessions, 2000, sid, localEnabled, null);
            aliases.clear();
            owners.clear();
            return "ok";
        }
        case "create": {
            long id = tracker.createSession(Integer.parseInt(w[2]));
            aliases.put(w[1], id);
            return "sid=" + (id >> 56);
        }
        case "track":
            return Boolean.toString(tracker.trackSession(session(w[1]), Integer.parseInt(w[2])));
        case "commit":
            return Boolean.toString(tracker.commitSession(session(w[1]), Integer.parseInt(w[2])));
        case "touch":
            return Boolean.toString(tracker.touchSession(session(w[1]), Integer.parseInt(w[2])));
        case "check":
            return outcome(() -> tracker.checkSession(session(w[1]), owner(w[2])));
        case "checkGlobal":
            return outcome(() -> tracker.checkGlobalSession(session(w[1]), owner(w[2])));
        case "setOwner":
            return outcome(() -> tracker.setOwner(session(w[1]), owner(w[2])));
        case "prepCreate":
            return outcome(() -> {
                tracker.trackSession(session(w[1]), Integer.parseInt(w[2]));
                tracker.setOwner(session(w[1]), owner(w[3]));
            });
        case "revalidate": {
            // LeaderZooKeeperServer.checkIfValidGlobalSession, then Leader.revalidateSession.
            long id = session(w[1]);
            boolean valid = !(localEnabled && !tracker.isGlobalSession(id))
                && tracker.touchSession(id, Integer.parseInt(w[2]));
            if (valid) {
                tracker.setOwner(id, owner(w[3]));
            }
            return Boolean.toString(valid);
        }
        case "reconnect": {
            // ZooKeeperServer.revalidateSession, then LeaderZooKeeperServer's setOwner(me).
            long id = session(w[1]);
            boolean valid = tracker.touchSession(id, Integer.parseInt(w[2]));
            outcome(() -> tracker.setOwner(id, ServerCnxn.me));
            return Boolean.toString(valid);
        }
        case "closing":
            tracker.setSessionClosing(session(w[1]));
            return "ok";
        case "remove":
            tracker.removeSession(session(w[1]));
            return "ok";
        case "upgrade":
            return Integer.toString(tracker.upgradeSession(session(w[1])));
        case "isLocal":
            return Boolean.toString(tracker.isLocalSession(session(w[1])));
        case "isGlobal":
            return Boolean.toString(tracker.isGlobalSession(session(w[1])));
        case "isUpgrading":
            return Boolean.toString(tracker.isUpgradingSession(session(w[1])));
        case "isTracking":
            return Boolean.toString(tracker.isTrackingSession(session(w[1])));
        case "snapshot": {
            TreeMap<String, Integer> sorted = new TreeMap<>();
            for (Map.Entry<Long, Integer> e : ((LearnerSessionTracker) tracker).snapshot().entrySet()) {
                sorted.put(name(e.getKey()), e.getValue());
            }
            List<String> out = new ArrayList<>();
            sorted.forEach((k, v) -> out.add(k + ":" + v));
            return String.join(",", out);
        }
        case "ids": {
            long sid = Long.parseLong(w[1]);
            int n = Integer.parseInt(w[2]);
            while (true) {
                long t0 = Time.currentElapsedTime();
                StringBuilder sb = new StringBuilder(Long.toString(t0));
                for (int i = 0; i < n; i++) {
                    sb.append(' ').append(SessionTrackerImpl.initializeNextSessionId(sid));
                }
                if (Time.currentElapsedTime() == t0) {
                    return sb.toString();
                }
            }
        }
        case "passwd": {
            Method m = ZooKeeperServer.class.getDeclaredMethod("generatePasswd", long.class);
            m.setAccessible(true);
            byte[] p = (byte[]) m.invoke(new ZooKeeperServer(), session(w[1]));
            StringBuilder sb = new StringBuilder();
            for (byte b : p) {
                sb.append(String.format("%02x", b & 0xff));
            }
            return sb.toString();
        }
        case "end":
            return "end";
        default:
            throw new IllegalArgumentException("unknown step: " + w[0]);
        }
    }

    public static void main(String[] args) throws Exception {
        SessionOracle o = new SessionOracle();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }
            out.append(o.step(line.split(" +"))).append('\n');
        }
        System.out.print(out);
    }
}
