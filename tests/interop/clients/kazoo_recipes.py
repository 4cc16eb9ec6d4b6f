# kazoo recipes (Lock, Election, Barrier, DoubleBarrier, Queue, LockingQueue,
# Counter) with two or more sessions against one server. Prints one JSON object.
# Run with /usr/bin/python3. Every wait is bounded.
import json, threading, time
from kz_common import client
from kazoo.exceptions import LockTimeout

out = {}


def poll(read, want_len, deadline_s=10):
    """Reads until the result has want_len items or the deadline passes."""
    end = time.monotonic() + deadline_s
    while True:
        got = read()
        if len(got) == want_len or time.monotonic() > end:
            return got
        time.sleep(0.02)


a, b, c = client(), client(), client()

# Lock: one holder at a time; a second contender times out, then gets it after release.
la, lb = a.Lock("/recipes/lock", "a"), b.Lock("/recipes/lock", "b")
got_a = la.acquire(timeout=10)
try:
    got_b_while_held = lb.acquire(timeout=0.5)
except LockTimeout:
    got_b_while_held = "LockTimeout"
contenders = la.contenders()
acquired_b = threading.Event()


def take_b():
    if lb.acquire(timeout=10):
        acquired_b.set()


t = threading.Thread(target=take_b)
t.start()
# b waits on a's lock node being deleted (an exists watch) — released by la.release().
b_before_release = acquired_b.is_set()
la.release()
t.join(15)
out["lock"] = {
    "a": got_a,
    "b_while_held": got_b_while_held,
    "contenders": contenders,
    "b_before_release": b_before_release,
    "b_after_release": acquired_b.is_set(),
}
lb.release()

# Election: the first candidate leads; when it leaves, the next one does.
order = []
order_cond = threading.Condition()
leave = {name: threading.Event() for name in ("a", "b")}


def lead(name):
    with order_cond:
        order.append(name)
        order_cond.notify_all()
    leave[name].wait(15)


ea, eb = a.Election("/recipes/election", "a"), b.Election("/recipes/election", "b")
ta = threading.Thread(target=ea.run, args=(lead, "a"))
ta.start()
with order_cond:
    order_cond.wait_for(lambda: order == ["a"], timeout=10)
tb = threading.Thread(target=eb.run, args=(lead, "b"))
tb.start()
election_contenders = poll(lambda: c.Election("/recipes/election").contenders(), 2)
leave["a"].set()
with order_cond:
    order_cond.wait_for(lambda: order == ["a", "b"], timeout=10)
leave["b"].set()
ta.join(15)
tb.join(15)
out["election"] = {"order": order, "contenders": election_contenders}

# Barrier: waiters block until the barrier node is removed.
barrier = a.Barrier("/recipes/barrier")
barrier.create()
blocked = b.Barrier("/recipes/barrier").wait(timeout=0.5)
released = []
tw = threading.Thread(target=lambda: released.append(b.Barrier("/recipes/barrier").wait(10)))
tw.start()
c.Barrier("/recipes/barrier").remove()
tw.join(15)
out["barrier"] = {"blocked": blocked, "released": released}

# DoubleBarrier: enter returns when all 3 arrived; leave when all have left.
events = []
ev_lock = threading.Lock()


def participant(zk, name):
    db = zk.DoubleBarrier("/recipes/double", 3, identifier=name)
    db.enter()
    with ev_lock:
        events.append(("enter", name))
    db.leave()
    with ev_lock:
        events.append(("leave", name))


ths = [threading.Thread(target=participant, args=(z, n)) for z, n in ((a, "a"), (b, "b"), (c, "c"))]
for th in ths:
    th.start()
for th in ths:
    th.join(20)
kinds = [k for k, _ in events]
out["double_barrier"] = {
    "entered": sorted(n for k, n in events if k == "enter"),
    "left": sorted(n for k, n in events if k == "leave"),
    "all_enter_before_any_leave": kinds == ["enter"] * 3 + ["leave"] * 3,
    "empty_after": a.get_children("/recipes/double"),
}

# Queue: FIFO within a priority, lower priority value first.
qa, qb = a.Queue("/recipes/queue"), b.Queue("/recipes/queue")
for item, prio in ((b"one", 100), (b"two", 100), (b"urgent", 1), (b"three", 100)):
    qa.put(item, priority=prio)
out["queue_len"] = len(qb)
out["queue"] = [qb.get().decode() for _ in range(4)] + [qb.get()]

# LockingQueue: get() takes an item under a lock; consume() removes it.
lq_a, lq_b = a.LockingQueue("/recipes/lqueue"), b.LockingQueue("/recipes/lqueue")
lq_a.put_all([b"x", b"y"])
first = lq_b.get(timeout=10)
holding = lq_b.holds_lock()
other = lq_a.get(timeout=10)  # the next item; x is locked by b
consumed_b = lq_b.consume()
consumed_a = lq_a.consume()
out["locking_queue"] = {
    "b_got": first.decode(), "b_holds": holding, "a_got": other.decode(),
    "consumed": [consumed_b, consumed_a], "left": len(lq_a),
}

# Counter: concurrent increments from three sessions add up exactly.
ca = a.Counter("/recipes/counter")
ca += 5
ca -= 2
after_ops = ca.value


def bump(zk):
    counter = zk.Counter("/recipes/counter")
    for _ in range(10):
        counter += 1


ths = [threading.Thread(target=bump, args=(z,)) for z in (a, b, c)]
for th in ths:
    th.start()
for th in ths:
    th.join(30)
fc = c.Counter("/recipes/fcounter", default=0.0)
fc += 1.5
fc += 1.25
out["counter"] = {
    "after_ops": after_ops,
    "after_concurrent": b.Counter("/recipes/counter").value,
    "float": a.Counter("/recipes/fcounter", default=0.0).value,
}

for z in (a, b, c):
    z.stop()
    z.close()
print(json.dumps(out))
