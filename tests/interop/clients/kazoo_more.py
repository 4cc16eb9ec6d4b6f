# More of kazoo against one server: server_version (it parses `envi`), four-letter
# words, makepath, children with stat, a node near jute.maxbuffer, and the
# Semaphore, ReadLock/WriteLock, Party and TreeCache recipes. Prints JSON.
# Run with /usr/bin/python3.
import json, threading
from kazoo.exceptions import LockTimeout
from kazoo.recipe.cache import TreeCache, TreeEvent
from kz_common import client

out = {}
zk, other = client(), client()
out["server_version"] = list(zk.server_version())
out["ruok"] = zk.command(b"ruok")
out["isro"] = zk.command(b"isro")
zk.create("/x/y/z", b"deep", makepath=True)
out["makepath"] = zk.get("/x/y/z")[0].decode()
kids, st = zk.get_children("/x", include_data=True)
out["children_with_stat"] = [kids, st.numChildren, st.cversion]
big = b"a" * (1024 * 1024 - 200)  # just under the 1 MiB frame limit with headers
zk.create("/big", big)
out["big"] = len(zk.get("/big")[0])

s1 = zk.Semaphore("/sem", "one", max_leases=2)
s2 = other.Semaphore("/sem", "two", max_leases=2)
s3 = other.Semaphore("/sem", "three", max_leases=2)
out["semaphore"] = [s1.acquire(timeout=5), s2.acquire(timeout=5), sorted(s1.lease_holders())]
try:
    out["semaphore_third"] = s3.acquire(timeout=0.5)
except LockTimeout:
    out["semaphore_third"] = "LockTimeout"
s1.release()
s2.release()

r1, r2 = zk.ReadLock("/rw", "r1"), other.ReadLock("/rw", "r2")
out["read_locks"] = [r1.acquire(timeout=5), r2.acquire(timeout=5)]
w = other.WriteLock("/rw", "w")
try:
    out["write_while_read"] = w.acquire(timeout=0.5)
except LockTimeout:
    out["write_while_read"] = "LockTimeout"
r1.release()
r2.release()
out["write_after_release"] = w.acquire(timeout=5)
w.release()

p1, p2 = zk.Party("/party", "p1"), other.Party("/party", "p2")
p1.join()
p2.join()
out["party"] = sorted(p1)
p2.leave()
out["party_after_leave"] = sorted(p1)

cond = threading.Condition()
seen = []


def listener(ev):
    with cond:
        seen.append(ev.event_type)
        cond.notify_all()


tc = TreeCache(zk, "/x")
tc.listen(listener)
tc.start()
with cond:
    cond.wait_for(lambda: TreeEvent.INITIALIZED in seen, timeout=10)
other.set("/x/y/z", b"changed")
with cond:
    cond.wait_for(lambda: TreeEvent.NODE_UPDATED in seen, timeout=10)
out["treecache"] = [tc.get_data("/x/y/z").data.decode(), sorted(tc.get_children("/x/y"))]
tc.close()

for c in (zk, other):
    c.stop()
    c.close()
print(json.dumps(out))
