# Puts the same state on each server given: one kazoo session that owns an
# ephemeral /e and holds two watches (data on /x, exists on /e). Prints the
# session ids (hex, one JSON list, in argument order) and keeps the sessions
# open until stdin closes. Run with /usr/bin/python3 (Debian's kazoo).
import json, sys
from kazoo.client import KazooClient

clients = []
for hosts in sys.argv[1:]:
    c = KazooClient(hosts=hosts, timeout=10)
    c.start(timeout=20)
    c.create("/e", b"", ephemeral=True)
    c.create("/x", b"x")
    c.get("/x", watch=lambda ev: None)
    c.exists("/e", watch=lambda ev: None)
    clients.append(c)
print(json.dumps(["0x%x" % c.client_id[0] for c in clients]), flush=True)
sys.stdin.read()
for c in clients:
    c.stop()
    c.close()
