# kazoo clients for the `zkt serve` leader interop test
# (tests/interop/zab_serve_leader_test.ts). Prints one JSON line.
#   write host:port prefix   — through one server, with digest auth: a node,
#       3 sequential children, an ephemeral (kept until exit), a multi, an
#       ACL'd node only user:pw may read and write, a create that must fail
#       (NodeExists: an error txn with this client's cxid) and a setData on
#       the ACL'd node; prints the sequential names.
#   read host:port prefix... — sync() then the tree under each prefix
#       (children, data, the ACL'd node read with auth, denied without).
#   ephemeral host:port path — creates an ephemeral, prints its session id,
#       then exits without closing (the session must expire on the leader).
import json
import os
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError, NodeExistsError
from kazoo.security import make_digest_acl

mode, host = sys.argv[1], sys.argv[2]
AUTH = ("digest", "user:pw")


def client(auth=True, timeout=30):
    c = KazooClient(hosts=host, timeout=timeout, auth_data=[AUTH] if auth else None)
    c.start(timeout=60)
    return c


if mode == "write":
    prefix = sys.argv[3]
    c = client()
    c.create(prefix, b"top")
    seqs = [c.create(prefix + "/s-", b"s", sequence=True) for _ in range(3)]
    c.create(prefix + "/eph", b"e", ephemeral=True)
    t = c.transaction()
    t.create(prefix + "/m1", b"multi")
    t.set_data(prefix, b"top2")
    res = t.commit()
    if any(isinstance(r, Exception) for r in res):
        raise SystemExit("multi failed: %r" % (res,))
    acl = make_digest_acl("user", "pw", all=True)
    c.create(prefix + "/secret", b"hidden", acl=[acl])
    c.set(prefix + "/secret", b"hidden2")
    try:
        c.create(prefix, b"again")
        raise SystemExit("a duplicate create succeeded")
    except NodeExistsError:
        pass
    print(json.dumps({"seqs": [s.rsplit("/", 1)[1] for s in seqs]}), flush=True)
    c.stop()
    c.close()
elif mode == "read":
    c = client()
    anon = client(auth=False)
    out = {}
    for prefix in sys.argv[3:]:
        c.sync(prefix)
        anon.sync(prefix)
        kids = sorted(c.get_children(prefix))
        top = c.get(prefix)[0].decode()
        secret = c.get(prefix + "/secret")[0].decode()
        try:
            anon.get(prefix + "/secret")
            denied = False
        except NoAuthError:
            denied = True
        out[prefix] = {"children": kids, "data": top, "secret": secret, "denied": denied}
    print(json.dumps(out), flush=True)
    for x in (c, anon):
        x.stop()
        x.close()
elif mode == "ephemeral":
    path = sys.argv[3]
    # 10 s: the test reads the ephemeral through another server before it expires,
    # from a new kazoo process that can take seconds to start on a loaded machine.
    c = client(auth=False, timeout=10)
    c.create(path, b"e", ephemeral=True)
    print(json.dumps({"session": "0x%x" % c.client_id[0]}), flush=True)
    os._exit(0)
elif mode == "exists":
    c = client(auth=False)
    out = {}
    for path in sys.argv[3:]:
        c.sync(path)
        out[path] = c.exists(path) is not None
    print(json.dumps(out), flush=True)
    c.stop()
    c.close()
else:
    raise SystemExit("unknown mode " + mode)
