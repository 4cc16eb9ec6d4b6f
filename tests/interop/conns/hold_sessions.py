# Opens N kazoo sessions to a server, prints their ids (hex) as one JSON line,
# and keeps them open until stdin closes. Run with /usr/bin/python3 (Debian's kazoo).
import json, sys
from kazoo.client import KazooClient

hosts, n = sys.argv[1], int(sys.argv[2])
clients = [KazooClient(hosts=hosts, timeout=10) for _ in range(n)]
for c in clients:
    c.start(timeout=20)
    c.exists("/")
print(json.dumps(["0x%x" % c.client_id[0] for c in clients]), flush=True)
sys.stdin.read()
for c in clients:
    c.stop()
    c.close()
