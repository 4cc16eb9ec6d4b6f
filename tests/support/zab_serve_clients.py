# kazoo clients for the zkt-serve-as-learner interop tests
# (tests/interop/zab_serve_learner_test.ts). Prints one JSON line per step;
# exits non-zero with the failing check on stderr.
#   argv: zkt host:port, java host:port, command
#   writes      through zkt (digest auth): create (persistent, ephemeral,
#               sequential), setData, delete, multi, setACL, a NodeExists on
#               the right client; the Java server reads them after sync
#   java-writes through Java; zkt reads them after sync; a watch set on zkt
#               fires for a write made through Java
#   move        a session made on zkt with an ephemeral moves to Java and back
#               (REVALIDATE both ways); the ephemeral stays
#   idle        a 4 s session on zkt that only pings for 3 timeouts keeps its
#               ephemeral: zkt's PING replies carry its touches to the leader
import json
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE

zkt, java, cmd = sys.argv[1:4]


def on(host, **kw):
    c = KazooClient(hosts=host, timeout=10, **kw)
    c.start(timeout=30)
    return c


def check(cond, what):
    if not cond:
        print("FAILED: " + what, file=sys.stderr, flush=True)
        sys.exit(1)


def step(v):
    print(json.dumps(v), flush=True)


if cmd == "writes":
    z = on(zkt, auth_data=[("digest", "alice:secret")])
    other = on(zkt)
    acl = make_digest_acl("alice", "secret", all=True)
    z.create("/w", b"root")
    z.create("/w/secret", b"s", acl=[acl])
    z.create("/w/eph", b"e", ephemeral=True)
    seq = z.create("/w/seq-", b"q", sequence=True)
    z.set("/w", b"root2")
    z.create("/w/gone", b"")
    z.delete("/w/gone")
    t = z.transaction()
    t.create("/w/m1", b"m")
    t.set_data("/w", b"root3")
    check(all(r is True or isinstance(r, str) or hasattr(r, "version") for r in t.commit()), "multi")
    z.set_acls("/w/m1", [acl])
    # A NodeExists answers the client that caused it, not another one.
    try:
        other.create("/w", b"again")
        check(False, "create of an existing node through zkt succeeded")
    except NodeExistsError:
        pass
    check(other.get("/w")[0] == b"root3", "the other client sees the multi's data")
    step({"zkt_writes": True, "seq": seq, "session": hex(z.client_id[0])})
    j = on(java, auth_data=[("digest", "alice:secret")])
    j.sync("/w")
    check(j.get("/w")[0] == b"root3", "java reads /w")
    check(j.get("/w/secret")[0] == b"s", "java reads /w/secret with digest auth")
    check(j.exists("/w/eph").ephemeralOwner == z.client_id[0], "java sees zkt's ephemeral owner")
    check(j.exists(seq) is not None, "java sees the sequential node")
    check(j.exists("/w/gone") is None, "java sees the delete")
    acls, _ = j.get_acls("/w/m1")
    check(acls[0].id.scheme == "digest", "java sees the setACL")
    noauth = on(java)
    try:
        noauth.get("/w/secret")
        check(False, "an unauthenticated read of a digest node succeeded")
    except Exception:
        pass
    z.stop()
    z.close()
    j.sync("/w")
    check(j.exists("/w/eph") is None, "the ephemeral is gone with zkt's session")
    step({"java_reads": True})
elif cmd in ("java-writes", "java-writes-again"):
    root = "/jw" if cmd == "java-writes" else "/jw2"
    z = on(zkt)
    fired = threading.Event()
    z.exists(root, watch=lambda e: fired.set())
    j = on(java)
    j.create(root, b"from java")
    for i in range(20):
        j.create(root + "/n%d" % i, b"%d" % i)
    check(fired.wait(30), "the watch set on zkt fired for a write made through java")
    z.sync(root)
    check(len(z.get_children(root)) == 20, "zkt reads java's 20 children after sync")
    check(z.get(root + "/n19")[0] == b"19", "zkt reads java's data")
    step({"java_writes_seen": True})
elif cmd == "move":
    z = on(zkt)
    z.create("/mv-eph", b"e", ephemeral=True)
    sid, pw = z.client_id
    # The first connection is abandoned, not closed: kazoo must not reconnect
    # it (it would take the session back) nor send closeSession.
    z._stopped.set()
    moved = []
    for host in (java, zkt, java):
        c = on(host, client_id=(sid, pw))
        moved.append(c)
        check(c.client_id[0] == sid, "the session id survives the move to " + host)
        check(c.exists("/mv-eph").ephemeralOwner == sid, "the ephemeral survives on " + host)
        c.set("/mv-eph", host.encode())
        step({"moved_to": host})
        # Abandon this connection too before the next server takes the session over.
        c._stopped.set()
    j = on(java)
    j.sync("/mv-eph")
    check(j.get("/mv-eph")[0] == java.encode(), "the last write through the moved session")
    step({"moved": True})
elif cmd == "idle":
    import time
    z = KazooClient(hosts=zkt, timeout=4)
    z.start(timeout=30)
    z.create("/idle-eph", b"", ephemeral=True)
    sid = z.client_id[0]
    time.sleep(12)  # the client's own idleness, not a wait for a state
    j = on(java)
    j.sync("/idle-eph")
    st = j.exists("/idle-eph")
    check(st is not None and st.ephemeralOwner == sid, "the idle session's ephemeral survived")
    z.stop()
    j.sync("/idle-eph")
    check(j.exists("/idle-eph") is None, "closed through zkt, the ephemeral is gone")
    step({"idle_kept": True})
else:
    check(False, "unknown command " + cmd)
