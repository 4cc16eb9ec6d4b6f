# kazoo ACLs with digest auth: the owner reads and writes, others get NoAuth,
# world-readable nodes stay readable, getAcl/setAcl round-trip. Prints JSON.
import json
from kz_common import client
from kazoo.security import make_acl, make_digest_acl, OPEN_ACL_UNSAFE

out = {}


def err(fn):
    try:
        r = fn()
        return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e:
        return type(e).__name__


def acl_list(acls):
    return [[a.perms, a.id.scheme, a.id.id] for a in acls]


owner = client(auth_data=[("digest", "alice:secret")])
stranger = client()
wrong = client(auth_data=[("digest", "alice:wrong")])

alice_all = make_digest_acl("alice", "secret", all=True)
world_read = make_acl("world", "anyone", read=True)
owner.create("/secure", b"top", acl=[alice_all])
owner.create("/public", b"pub", acl=[alice_all, world_read])

out["owner_get"] = err(lambda: owner.get("/secure")[0])
out["stranger_get"] = err(lambda: stranger.get("/secure")[0])
out["wrong_password_get"] = err(lambda: wrong.get("/secure")[0])
out["stranger_set"] = err(lambda: stranger.set("/secure", b"x").version)
out["stranger_create_child"] = err(lambda: stranger.create("/secure/c", b""))
out["stranger_delete_child"] = err(lambda: stranger.delete("/public/none"))
out["owner_create_child"] = err(lambda: owner.create("/secure/c", b""))
out["public_read"] = err(lambda: stranger.get("/public")[0])
out["public_write"] = err(lambda: stranger.set("/public", b"no").version)
# exists needs no permission; getAcl needs READ or ADMIN (3.8).
out["stranger_exists"] = stranger.exists("/secure") is not None
out["stranger_get_acls"] = err(lambda: acl_list(stranger.get_acls("/secure")[0]))
acls, st = owner.get_acls("/secure")
out["get_acls"] = acl_list(acls)
out["get_acls_aversion"] = st.aversion

# setAcl: needs ADMIN; then versions move and the new ACL applies.
out["stranger_set_acls"] = err(lambda: stranger.set_acls("/secure", OPEN_ACL_UNSAFE).aversion)
out["owner_set_acls_bad_version"] = err(
    lambda: owner.set_acls("/secure", OPEN_ACL_UNSAFE, version=5).aversion)
out["owner_set_acls"] = err(lambda: owner.set_acls("/secure", OPEN_ACL_UNSAFE).aversion)
out["stranger_get_after_open"] = err(lambda: stranger.get("/secure")[0])
out["acls_after_open"] = acl_list(stranger.get_acls("/secure")[0])

# The "auth" scheme: ACL of the authenticated ids of the creating session.
owner.create("/authnode", b"a", acl=[make_acl("auth", "", all=True)])
out["auth_scheme_acls"] = acl_list(owner.get_acls("/authnode")[0])
out["auth_scheme_stranger"] = err(lambda: stranger.get("/authnode")[0])
# Without any auth, an "auth" ACL is invalid.
out["auth_scheme_unauthenticated"] = err(
    lambda: stranger.create("/authless", b"", acl=[make_acl("auth", "", all=True)]))
# A later add_auth grants access on the same session.
stranger.add_auth("digest", "alice:secret")
out["stranger_after_add_auth"] = err(lambda: stranger.get("/authnode")[0])

# Several ids: the "auth" ACL lists them in the order the server keeps them.
many = client(auth_data=[("digest", u + ":pw") for u in ("dave", "bob", "carol", "erin")])
many.create("/many", b"", acl=[make_acl("auth", "", read=True)])
out["auth_scheme_many"] = [a.id.id.split(":")[0] for a in many.get_acls("/many")[0]]
many.stop()
many.close()

for c in (owner, stranger, wrong):
    c.stop()
    c.close()
print(json.dumps(out))
