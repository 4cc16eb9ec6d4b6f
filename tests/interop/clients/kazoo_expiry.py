# Session expiry with real clients: a holder process (same script, --hold) owns
# an ephemeral and a Lock; it is killed with SIGKILL, so it never closes its
# session. When the server expires the session, the ephemeral goes (an exists
# watch fires NodeDeleted) and a waiting Lock contender gets the lock. Prints JSON.
# Run with /usr/bin/python3.
import json, os, signal, subprocess, sys, threading
from kz_common import client

if "--hold" in sys.argv:
    holder = client(timeout=2)  # servers clamp it to [2, 20] ticks
    holder.create("/eph", b"mine", ephemeral=True)
    holder.Lock("/lock", "holder").acquire(timeout=10)
    print("ready", flush=True)
    sys.stdin.read()  # until killed
    sys.exit(0)

out = {}
watcher = client()
child = subprocess.Popen(
    [sys.executable, __file__, sys.argv[1], sys.argv[2], "--hold"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
try:
    out["holder_ready"] = child.stdout.readline().strip()
    deleted = threading.Event()
    events = []

    def on_event(ev):
        events.append([ev.type, ev.path])
        deleted.set()

    st = watcher.exists("/eph", watch=on_event)
    out["ephemeral_owned"] = st is not None and st.ephemeralOwner != 0
    lock = watcher.Lock("/lock", "waiter")
    out["contenders_before"] = lock.contenders()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    out["deleted_on_expiry"] = deleted.wait(60)
    out["events"] = events
    out["ephemeral_after"] = watcher.exists("/eph")
    out["lock_after_expiry"] = lock.acquire(timeout=60)
    out["contenders_after"] = lock.contenders()
    lock.release()
finally:
    if child.poll() is None:
        child.kill()
        child.wait()
watcher.stop()
watcher.close()
print(json.dumps(out))
