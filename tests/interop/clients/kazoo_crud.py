# kazoo CRUD, sequences, ephemerals and transactions against one server.
# Prints one JSON object of observed results. Run with /usr/bin/python3.
import json
from kz_common import client
from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError,
                              NoChildrenForEphemeralsError, NotEmptyError)

out = {}


def err(fn):
    try:
        fn()
        return None
    except Exception as e:  # the class name is what a kazoo user sees
        return type(e).__name__


zk = client()

# CRUD
out["create"] = zk.create("/crud", b"v0")
data, st = zk.get("/crud")
out["get"] = [data.decode(), st.version, st.dataLength, st.numChildren]
st = zk.set("/crud", b"value-1")
out["set_version"] = st.version
out["set_bad_version"] = err(lambda: zk.set("/crud", b"x", version=7))
out["create_exists"] = err(lambda: zk.create("/crud", b""))
out["get_missing"] = err(lambda: zk.get("/crud/none"))
out["create_no_parent"] = err(lambda: zk.create("/none/child", b""))
zk.create("/crud/a", b"1")
zk.create("/crud/b", b"2")
out["children"] = sorted(zk.get_children("/crud"))
out["exists_stat"] = zk.exists("/crud").numChildren
out["exists_missing"] = zk.exists("/crud/zzz")
out["delete_not_empty"] = err(lambda: zk.delete("/crud"))
out["delete_bad_version"] = err(lambda: zk.delete("/crud/a", version=3))
zk.delete("/crud/a", version=0)
out["after_delete"] = sorted(zk.get_children("/crud"))
zk.ensure_path("/crud/deep/er/path")
out["ensure_path"] = zk.exists("/crud/deep/er/path") is not None
zk.delete("/crud", recursive=True)
out["recursive_delete"] = zk.exists("/crud")

# Sequences: 10-digit zero-padded counters from the parent's cversion.
zk.create("/seq", b"")
out["sequences"] = [zk.create("/seq/n-", b"", sequence=True) for _ in range(3)]
zk.delete("/seq/n-0000000001")
out["sequence_after_delete"] = zk.create("/seq/n-", b"", sequence=True)

# Ephemerals: another session's ephemerals vanish when it closes.
other = client()
other.create("/eph", b"mine", ephemeral=True)
eph_seq = other.create("/seq/e-", b"", ephemeral=True, sequence=True)
st = zk.exists("/eph")
out["ephemeral_owner_is_other"] = st.ephemeralOwner == other.client_id[0]
out["ephemeral_seq"] = eph_seq
out["ephemeral_child"] = err(lambda: other.create("/eph/child", b""))
other.stop()
other.close()
out["ephemeral_after_close"] = [zk.exists("/eph"), zk.exists(eph_seq)]

# Transactions
t = zk.transaction()
t.create("/txn", b"t")
t.create("/txn/a", b"")
t.set_data("/txn", b"t2")
t.check("/txn/a", 0)
out["txn_ok"] = [r if isinstance(r, (str, bool)) else type(r).__name__ for r in t.commit()]
out["txn_ok_state"] = [zk.get("/txn")[0].decode(), sorted(zk.get_children("/txn"))]
t = zk.transaction()
t.create("/txn/b", b"")
t.delete("/txn/a")
t.set_data("/txn", b"never", version=42)
t.create("/txn/c", b"")
out["txn_fail"] = [type(r).__name__ for r in t.commit()]
out["txn_fail_state"] = [zk.get("/txn")[0].decode(), sorted(zk.get_children("/txn"))]

zk.stop()
zk.close()
print(json.dumps(out))
