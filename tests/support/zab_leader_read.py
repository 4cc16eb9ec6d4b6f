# Reads through one ZooKeeper server with kazoo, for the Zab leader interop
# tests (tests/interop/zab_leader_*_test.ts). Prints one JSON line:
# {prefix: {"children": n, "data": [first, last]}} for each prefix.
#   argv: host:port prefix...
# A global session (createSession forwarded to the leader) and a sync()
# per prefix (a REQUEST the leader answers after the commits before it).
import json
import sys

from kazoo.client import KazooClient

host = sys.argv[1]
c = KazooClient(hosts=host, timeout=30)
c.start(timeout=60)
out = {}
for prefix in sys.argv[2:]:
    c.sync(prefix)
    kids = c.get_children(prefix)
    n = len(kids)
    first = c.get("%s/n0" % prefix)[0].decode() if n else None
    last = c.get("%s/n%d" % (prefix, n - 1))[0].decode() if n else None
    out[prefix] = {"children": n, "data": [first, last]}
print(json.dumps(out), flush=True)
c.stop()
c.close()
