# kazoo clients driven line by line from stdin, for the Zab capture
# (tests/support/zab_capture.ts). Each command prints one JSON line when done.
#   argv: leader, proxied follower, other follower, observer (host:port each)
#   revalidate        session made on the other follower, moved to the proxied one
#   follower-writes   digest-auth create (REQUEST with authinfo), setData, sync,
#                     ephemeral create, a failing create (error txn)
#   observer-writes   a create through the observer (REQUEST from OBSERVERINFO's side)
#   leader-writes N   N creates on the leader (PROPOSAL/COMMIT without REQUEST)
#   leader-write-async a create on the leader, not waited for
#   exit              leave without closing sessions
import json
import os
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE

leader, proxied, other, observer = sys.argv[1:5]
clients = {}


def reply(v):
    print(json.dumps(v), flush=True)


def on(host, **kw):
    c = KazooClient(hosts=host, timeout=10, **kw)
    c.start(timeout=30)
    return c


seq = 0
for line in sys.stdin:
    cmd = line.split()
    if not cmd:
        continue
    if cmd[0] == "revalidate":
        first = on(other)
        sid, pw = first.client_id
        clients["first"] = first
        moved = on(proxied, client_id=(sid, pw))
        clients["moved"] = moved
        reply({"session": hex(sid)})
    elif cmd[0] == "follower-writes":
        c = clients["moved"]
        c.add_auth("digest", "golden:secret")
        acl = [make_digest_acl("golden", "secret", all=True)] + [OPEN_ACL_UNSAFE[0]]
        c.create("/zab-golden", b"v1", acl=acl)
        c.set("/zab-golden", b"v2")
        c.sync("/zab-golden")
        c.create("/zab-golden/eph", b"", ephemeral=True)
        try:
            c.create("/zab-golden", b"again")
        except NodeExistsError:
            pass
        reply({"ok": True})
    elif cmd[0] == "observer-writes":
        c = on(observer)
        clients["observer"] = c
        c.create("/via-observer", b"o")
        reply({"ok": True})
    elif cmd[0] == "leader-writes":
        c = clients.get("leader") or on(leader)
        clients["leader"] = c
        for _ in range(int(cmd[1])):
            seq += 1
            c.create("/from-leader-%d" % seq, b"x" * seq)
        reply({"ok": True})
    elif cmd[0] == "leader-write-async":
        # With the followers stopped this is logged by the leader, never committed.
        clients["leader"].create_async("/lost", b"never committed")
        reply({"ok": True})
    elif cmd[0] == "exit":
        break
sys.stdout.flush()
# No close: the sessions stay until they expire, as a crashed client's would.
os._exit(0)
