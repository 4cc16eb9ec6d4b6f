# Client load for the fault tests (tests/support/nemesis.ts): several kazoo
# sessions, each a thread doing seeded random operations on a few registers
# and a sequential-create parent, recording every operation's invocation and
# completion (time.monotonic, ms) and what the client learned: "ok", "fail"
# (a definite no: BadVersion) or "unknown" (connection loss, timeout, expiry:
# it may or may not have happened). Bounded by a deadline and an op count.
# Reads one JSON object from argv[1]; prints {"history": [...]} on stdout.
import json
import random
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, KazooException, ZookeeperError
from kazoo.handlers.threading import KazooTimeoutError

cfg = json.loads(sys.argv[1])
T0 = time.monotonic()
history = []
hist_lock = threading.Lock()
deadline = T0 + cfg["seconds"]


def now():
    return (time.monotonic() - T0) * 1000.0


def record(op):
    with hist_lock:
        history.append(op)


def session_of(c):
    try:
        return "%x" % c.client_id[0]
    except Exception:
        return "none"


def run(idx):
    rng = random.Random(cfg["seed"] * 1009 + idx)
    c = KazooClient(
        hosts=cfg["hosts"],
        timeout=cfg.get("session_timeout", 6),
        connection_retry={"max_tries": -1, "delay": 0.05, "max_delay": 0.5},
        randomize_hosts=True,
    )
    try:
        c.start(timeout=60)
    except Exception as e:
        sys.stderr.write("session %d never connected: %r\n" % (idx, e))
        return
    keys = cfg["keys"]
    seen = {}
    n = 0
    op_timeout = cfg.get("op_timeout", 5)
    while time.monotonic() < deadline and n < cfg["ops_per_session"]:
        n += 1
        key = rng.choice(keys)
        x = rng.random()
        label = "t%d" % idx
        op = {"key": key}
        if x < 0.35:
            op["kind"] = "read"
            fn = lambda: c.get_async(key)
        elif x < 0.6:
            op["kind"] = "write"
            op["value"] = "%d-%d" % (idx, n)
            fn = lambda: c.set_async(key, op["value"].encode(), -1)
        elif x < 0.85:
            op["kind"] = "cas"
            op["value"] = "%d-%d" % (idx, n)
            op["expect"] = seen.get(key, 0)
            fn = lambda: c.set_async(key, op["value"].encode(), op["expect"])
        else:
            op["kind"] = "create"
            op["key"] = cfg["seq_parent"]
            fn = lambda: c.create_async(cfg["seq_parent"] + "/s-", ("%d-%d" % (idx, n)).encode(),
                                        sequence=True)
        op["invoke"] = now()
        try:
            res = fn().get(timeout=op_timeout)
            op["complete"] = now()
            op["status"] = "ok"
            if op["kind"] == "read":
                data, st = res
                op["data"] = data.decode() if data is not None else None
                op["version"] = st.version
                seen[key] = max(seen.get(key, 0), st.version)
            elif op["kind"] in ("write", "cas"):
                op["version"] = res.version
                seen[key] = max(seen.get(key, 0), res.version)
            else:
                op["path"] = res
        except BadVersionError as e:
            op["complete"] = now()
            op["status"] = "fail"
            op["error"] = type(e).__name__
        except (KazooException, ZookeeperError, KazooTimeoutError, Exception) as e:
            op["complete"] = now()
            op["status"] = "unknown"
            op["error"] = type(e).__name__
        # An answer comes from the session current when it arrives (kazoo starts
        # a new one after an expiry).
        op["session"] = label + ":" + session_of(c)
        record(op)
        # Pace the load a little (2 shared cores); not a wait for a state.
        time.sleep(rng.random() * cfg.get("pause", 0.02))
    try:
        c.stop()
        c.close()
    except Exception:
        pass


threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(cfg["sessions"])]
for t in threads:
    t.start()
for t in threads:
    t.join(cfg["seconds"] + 120)
with hist_lock:
    print(json.dumps({"history": history}), flush=True)
