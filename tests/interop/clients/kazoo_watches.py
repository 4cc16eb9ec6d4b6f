# kazoo one-shot watches (data, child, exists) and the order of events, against
# one server. Prints one JSON object. Run with /usr/bin/python3.
import json, threading
from kz_common import client

out = {}
events = []
cond = threading.Condition()


def record(tag):
    def cb(ev):
        with cond:
            events.append([tag, ev.type, ev.path])
            cond.notify_all()
    return cb


def wait_events(n):
    # Bounded wait; a missing event shows up as a shorter list in the JSON.
    with cond:
        cond.wait_for(lambda: len(events) >= n, timeout=10)
        got = list(events)
        events.clear()
        return got


zk = client()
writer = client()
zk.create("/w", b"0")

# Data watch: fires once on the first change, not on the second.
zk.get("/w", watch=record("data"))
writer.set("/w", b"1")
out["data_first"] = wait_events(1)
writer.set("/w", b"2")
zk.sync("/w")  # anything still in flight for us arrives before the sync reply
out["data_second"] = list(events)
events.clear()

# Child watch: fires on a child create; one-shot.
zk.get_children("/w", watch=record("child"))
writer.create("/w/c1", b"")
out["child_create"] = wait_events(1)
writer.create("/w/c2", b"")
zk.sync("/w")
out["child_second"] = list(events)
events.clear()

# Exists watch on a missing node fires NodeCreated; on a present node NodeDeleted.
out["exists_missing"] = zk.exists("/w/new", watch=record("exists")) is None
writer.create("/w/new", b"")
out["exists_created"] = wait_events(1)
zk.exists("/w/new", watch=record("exists"))
writer.delete("/w/new")
out["exists_deleted"] = wait_events(1)

# A data watch and a child watch on the same node when it is deleted: both fire.
zk.create("/w2", b"")
zk.get("/w2", watch=record("data"))
zk.get_children("/w2", watch=record("child"))
writer.delete("/w2")
out["delete_both"] = sorted(wait_events(2))

# Parent child watch fires when a child is deleted.
zk.get_children("/w", watch=record("child"))
writer.delete("/w/c1")
out["child_delete"] = wait_events(1)

# DataWatch/ChildrenWatch helpers (re-registering watches) see every change.
seen = []
seen_cond = threading.Condition()


@zk.DataWatch("/w")
def _dw(data, stat):
    with seen_cond:
        seen.append(data.decode() if data is not None else None)
        seen_cond.notify_all()


for v in (b"4", b"5"):
    with seen_cond:
        n = len(seen)
    writer.set("/w", v)
    with seen_cond:
        seen_cond.wait_for(lambda: len(seen) > n, timeout=10)
out["datawatch_recipe"] = seen

writer.stop()
writer.close()
zk.stop()
zk.close()
print(json.dumps(out))
