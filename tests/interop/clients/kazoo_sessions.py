# kazoo sessions: when the TCP connection drops, kazoo reconnects with its session
# id and password; the server resumes the same session (its ephemeral survives),
# and the DataWatch recipe sees changes made meanwhile and after. kazoo 2.8 fires
# its one-shot watchers with a NONE event on the drop (client side). Prints JSON.
# Run with /usr/bin/python3.
import json, socket, threading
from kz_common import client

out = {}
cond = threading.Condition()
states, seen, events = [], [], []


def on_state(s):
    with cond:
        states.append(str(s))
        cond.notify_all()


zk = client()
writer = client()
zk.add_listener(on_state)
zk.create("/s", b"0")
zk.create("/s/eph", b"", ephemeral=True)
session = zk.client_id


@zk.DataWatch("/s")
def _dw(data, stat):
    with cond:
        seen.append(data.decode())
        cond.notify_all()


def one_shot(ev):
    with cond:
        events.append([ev.type, ev.path])
        cond.notify_all()


zk.get_children("/s", watch=one_shot)
zk._connection._socket.shutdown(socket.SHUT_RDWR)  # the network, not the session, goes
with cond:
    cond.wait_for(lambda: states[-2:] == ["SUSPENDED", "CONNECTED"], timeout=15)
    cond.wait_for(lambda: len(events) >= 1, timeout=10)
out["states"] = states[:]
out["same_session"] = zk.client_id == session
out["one_shot_on_drop"] = events[:]
out["ephemeral_kept"] = writer.exists("/s/eph").ephemeralOwner == session[0]
writer.set("/s", b"after")
with cond:
    cond.wait_for(lambda: seen[-1:] == ["after"], timeout=10)
out["datawatch"] = seen[:]
out["ops_after_reconnect"] = sorted(zk.get_children("/s"))

zk.stop()
zk.close()
out["ephemeral_after_close"] = writer.exists("/s/eph")
writer.stop()
writer.close()
print(json.dumps(out))
