# Writes through one ZooKeeper server with kazoo, for the Zab learner interop
# tests (tests/interop/zab_learner_*_test.ts). Prints one JSON line at the end.
#   argv: host:port prefix count [data-bytes] [async]
# Creates <prefix>, then <prefix>/n0 .. n<count-1> (data "v<i>" padded to
# data-bytes), every 10th then set once more (setData txns too).
# With "async": connects, prints, waits for a line on stdin, then sends one
# create of <prefix> without waiting for it, prints, and waits to be killed
# (a write the leader may never commit; the session exists before it).
import json
import sys
import time

from kazoo.client import KazooClient

host, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 0
c = KazooClient(hosts=host, timeout=30)
c.start(timeout=60)
if len(sys.argv) > 5 and sys.argv[5] == "async":
    print(json.dumps({"connected": True}), flush=True)
    sys.stdin.readline()
    c.create_async(prefix, b"never committed")
    print(json.dumps({"sent": prefix}), flush=True)
    while True:
        time.sleep(1)
c.ensure_path(prefix)
for i in range(count):
    data = ("v%d" % i).encode().ljust(size, b"x")
    c.create("%s/n%d" % (prefix, i), data)
    if i % 10 == 0:
        c.set("%s/n%d" % (prefix, i), b"again")
print(json.dumps({"created": count}), flush=True)
c.stop()
c.close()
