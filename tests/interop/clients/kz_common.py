# Shared by the kazoo scripts: argv[1] is host:port, argv[2] a chroot that keeps
# one script's znodes apart from the others' on the same server.
import sys
from kazoo.client import KazooClient


def hosts():
    """host:port/chroot, creating the chroot first."""
    server, root = sys.argv[1], sys.argv[2]
    boot = KazooClient(hosts=server, timeout=10)
    boot.start(timeout=20)
    boot.ensure_path(root)
    boot.stop()
    boot.close()
    return server + root


def client(**kw):
    """A started client inside the chroot."""
    c = KazooClient(hosts=HOSTS, timeout=10, **kw)
    c.start(timeout=20)
    return c


HOSTS = hosts()
