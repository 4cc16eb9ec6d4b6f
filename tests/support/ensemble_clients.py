# kazoo clients driven by JSON lines on stdin, for ensemble acceptance tests
# (tests/support/kazoo_driver.ts). One request per line:
#   {"id": 1, "op": "connect", "name": "a", "hosts": "127.0.0.1:p1,...", "timeout": 10}
# one reply per line: {"id": 1, "ok": true, "value": ...} or {"id": 1, "ok": false,
# "error": "ExceptionName: text"}. Requests run one at a time, except a write
# load, which runs in a thread (load-start / load-status / load-wait).
# Every loop is bounded by a count and a deadline.
import base64
import json
import os
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NoNodeError, ZookeeperError
from kazoo.protocol.states import KazooState
from kazoo.recipe.watchers import DataWatch

clients = {}
events = {}
states = {}
loads = {}
reads = {}
out_lock = threading.Lock()


def reply(v):
    with out_lock:
        print(json.dumps(v), flush=True)


def b(s):
    return (s or "").encode()


def stat_of(st):
    return {
        "czxid": hex(st.czxid),
        "mzxid": hex(st.mzxid),
        "pzxid": hex(st.pzxid),
        "ctime": st.ctime,
        "mtime": st.mtime,
        "version": st.version,
        "cversion": st.cversion,
        "aversion": st.aversion,
        "ephemeralOwner": hex(st.ephemeralOwner),
        "numChildren": st.numChildren,
    }


def data_of(d):
    if d is None:
        return None
    try:
        return d.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(d).decode()


def connect(r):
    name = r["name"]
    kw = {}
    if "session" in r:
        kw["client_id"] = (int(r["session"], 16), base64.b64decode(r["passwd"]))
    c = KazooClient(
        hosts=r["hosts"],
        timeout=r.get("timeout", 10),
        # Keep reconnecting (bounded by the test's own deadlines), fast.
        connection_retry={"max_tries": -1, "delay": 0.05, "max_delay": 0.5},
        randomize_hosts=r.get("randomize", True),
        **kw
    )
    states[name] = []
    events[name] = []
    c.add_listener(lambda s: states[name].append(str(s)))
    c.start(timeout=r.get("start_timeout", 30))
    clients[name] = c
    sid, pw = c.client_id
    return {"session": hex(sid), "passwd": base64.b64encode(pw).decode()}


def watcher(name):
    def fn(ev):
        events[name].append({"type": ev.type, "path": ev.path, "state": ev.state})

    return fn


def walk(c, path, out):
    d, st = c.get(path)
    node = stat_of(st)
    node["data"] = data_of(d)
    out[path] = node
    for child in sorted(c.get_children(path)):
        walk(c, (path.rstrip("/") + "/" + child), out)


def pace(start, i, rate):
    # At most `rate` ops per second (0: as fast as they return).
    if rate > 0:
        ahead = start + i / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)


def run_load(name, prefix, count, seconds, rate, state):
    # Sequential creates; an ack is a create that returned. A create that
    # raised may or may not have been applied (connection loss): not acked.
    c = clients[name]
    start = time.time()
    deadline = start + seconds
    for i in range(count):
        pace(start, i, rate)
        if time.time() > deadline or state["stop"]:
            break
        path = "%s/n%06d" % (prefix, i)
        try:
            c.create(path, b("v%d" % i))
            state["acked"].append(path)
        except (KazooException, ZookeeperError) as e:
            state["failed"] += 1
            state["last_error"] = type(e).__name__
            # Wait for a connection again (bounded by the deadline) instead of spinning.
            while c.state != KazooState.CONNECTED and time.time() < deadline:
                time.sleep(0.02)
    state["done"] = True


def run_reads(name, target, count, seconds, rate, state):
    # getData of paths the write load `target` had acked, newest first then
    # older ones: a read that returns must carry the value written ("v<i>");
    # NoNode is a read served by a peer behind the writer's (allowed: no sync).
    c = clients[name]
    acked = loads[target]["acked"]
    start = time.time()
    deadline = start + seconds
    for i in range(count):
        pace(start, i, rate)
        if time.time() > deadline or state["stop"]:
            break
        if not acked:
            continue
        path = acked[-1 - (i % min(len(acked), 50))]
        want = "v%d" % int(path.rsplit("/n", 1)[1])
        try:
            d, _ = c.get(path)
            if data_of(d) == want:
                state["ok"] += 1
            else:
                state["bad"].append("%s=%r" % (path, data_of(d)))
        except NoNodeError:
            state["stale"] += 1
        except (KazooException, ZookeeperError) as e:
            state["failed"] += 1
            state["last_error"] = type(e).__name__
            while c.state != KazooState.CONNECTED and time.time() < deadline:
                time.sleep(0.02)
    state["done"] = True


def handle(r):
    op = r["op"]
    name = r.get("name")
    c = clients.get(name)
    if op == "connect":
        return connect(r)
    if op == "create":
        return c.create(
            r["path"],
            b(r.get("data")),
            ephemeral=r.get("ephemeral", False),
            sequence=r.get("sequence", False),
            makepath=r.get("makepath", False),
        )
    if op == "ensure":
        c.ensure_path(r["path"])
        return True
    if op == "set":
        return stat_of(c.set(r["path"], b(r.get("data"))))
    if op == "get":
        d, st = c.get(r["path"])
        node = stat_of(st)
        node["data"] = data_of(d)
        return node
    if op == "exists":
        return c.exists(r["path"]) is not None
    if op == "sync":
        c.sync(r.get("path", "/"))
        return True
    if op == "children":
        return sorted(c.get_children(r["path"]))
    if op == "delete":
        c.delete(r["path"], recursive=r.get("recursive", False))
        return True
    if op == "watch-data":
        c.get(r["path"], watch=watcher(name))
        return True
    if op == "watch-exists":
        return c.exists(r["path"], watch=watcher(name)) is not None
    if op == "watch-children":
        c.get_children(r["path"], watch=watcher(name))
        return True
    if op == "datawatch":
        # kazoo's DataWatch recipe: it re-arms itself after a reconnect (kazoo
        # 2.8 sends no SetWatches; its one-shot watches end on a disconnect).
        def on_data(data, stat, event=None):
            events[name].append(
                {"type": "DATAWATCH", "path": r["path"], "data": data_of(data), "state": None}
            )

        DataWatch(c, r["path"], on_data)
        return True
    if op == "events":
        return events[name]
    if op == "states":
        return states[name]
    if op == "session":
        sid, pw = c.client_id
        return {"session": hex(sid), "passwd": base64.b64encode(pw).decode()}
    if op == "peer":
        # The host:port kazoo is connected to now (None while disconnected).
        sock = c._connection._socket
        if sock is None or c.state != KazooState.CONNECTED:
            return None
        return "%s:%d" % sock.getpeername()[:2]
    if op == "connected":
        return c.state == KazooState.CONNECTED
    if op == "tree":
        c.sync("/")
        out = {}
        walk(c, r.get("root", "/"), out)
        return out
    if op == "close":
        c.stop()
        c.close()
        del clients[name]
        return True
    if op == "load-start":
        state = {"acked": [], "failed": 0, "done": False, "stop": False, "last_error": None}
        loads[name] = state
        t = threading.Thread(
            target=run_load,
            args=(name, r["prefix"], r["count"], r["seconds"], r.get("rate", 0), state),
            daemon=True,
        )
        state["thread"] = t
        t.start()
        return True
    if op == "load-stop":
        loads[name]["stop"] = True
        return True
    if op == "reads-start":
        state = {"ok": 0, "stale": 0, "bad": [], "failed": 0, "done": False, "stop": False,
                 "last_error": None}
        reads[name] = state
        t = threading.Thread(
            target=run_reads,
            args=(name, r["target"], r["count"], r["seconds"], r.get("rate", 0), state),
            daemon=True,
        )
        state["thread"] = t
        t.start()
        return True
    if op == "reads-stop":
        s = reads[name]
        s["stop"] = True
        s["thread"].join(r.get("seconds", 120))
        return {k: v for k, v in s.items() if k != "thread"}
    if op == "load-status":
        s = loads[name]
        return {"acked": len(s["acked"]), "failed": s["failed"], "done": s["done"]}
    if op == "load-wait":
        s = loads[name]
        s["thread"].join(r.get("seconds", 120))
        return {
            "acked": s["acked"],
            "failed": s["failed"],
            "done": s["done"],
            "last_error": s["last_error"],
        }
    if op == "exit":
        # Leave without closing sessions, as a crashed client would.
        sys.stdout.flush()
        os._exit(0)
    raise ValueError("unknown op %r" % op)


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    req = json.loads(line)
    try:
        reply({"id": req["id"], "ok": True, "value": handle(req)})
    except Exception as e:  # every failure goes back to the test as text
        reply({"id": req["id"], "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
os._exit(0)
