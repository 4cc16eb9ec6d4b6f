// The connect handshake and session lifecycle as 3.8 runs them: timeout
// negotiation, reconnect with id + password, refusals (wrong password, expired
// session, client ahead of our zxid), closeSession, expiry, frame limits.
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { FramedConn } from "../../../src/net/framed_conn.ts";
import {
  readConnectResponse,
  readReplyHeader,
  writeConnectRequest,
  writeRequestHeader,
} from "../../../src/jute/proto.ts";
import { Reader } from "../../../src/jute/reader.ts";
import { Writer } from "../../../src/jute/writer.ts";
import { sessionPassword } from "../../../src/server/session_id.ts";
import { type InProc, startInProc } from "../../support/zkt_inproc.ts";
import { ZkClient } from "../../support/zk_client.ts";
import { waitFor } from "../../support/wait.ts";
import { fourLetter } from "../../support/four_letter.ts";

/**
 * Runs f against an in-process server. The sessionless timeout is ZooKeeper's 10 s
 * unless a test is about that timer: a short one can close a handshake whose
 * createSession fsync is slow on a busy machine (ZooKeeper would close it too).
 */
async function withServer(
  lines: string[],
  f: (s: InProc) => Promise<void>,
  sessionlessTimeoutMs = 10_000,
): Promise<void> {
  const s = await startInProc(lines, { sessionlessTimeoutMs });
  try {
    await f(s);
  } finally {
    await s.stop();
  }
}

async function rawConn(port: number): Promise<FramedConn> {
  return new FramedConn(await Deno.connect({ hostname: "127.0.0.1", port }), { maxFrame: 1 << 20 });
}

Deno.test("session timeout is negotiated into [minSessionTimeout, maxSessionTimeout]", async () => {
  await withServer(["minSessionTimeout=400", "maxSessionTimeout=3000"], async (s) => {
    const low = await ZkClient.connect(s.port, { timeoutMs: 1 });
    const high = await ZkClient.connect(s.port, { timeoutMs: 1_000_000 });
    const mid = await ZkClient.connect(s.port, { timeoutMs: 1234 });
    assertEquals([low.session.timeOut, high.session.timeOut, mid.session.timeOut], [
      400,
      3000,
      1234,
    ]);
    for (const c of [low, high, mid]) await c.close();
  });
});

Deno.test("session ids carry server id 1 in the high byte and passwords are 3.8's", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port);
    assertEquals(BigInt.asUintN(64, c.session.sessionId) >> 56n, 1n);
    assertEquals([...c.session.passwd], [...sessionPassword(c.session.sessionId)]);
    assertEquals(c.session.readOnly, false);
    await c.close();
  });
});

Deno.test("a client that asks for read-only gets a read-write session, as from 3.8's ZooKeeperServer", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port, { readOnly: true });
    assertEquals(c.session.readOnly, false);
    assertEquals((await c.create("/w")).err, 0, "its writes are served");
    assertEquals(await fourLetter(s.port, "isro"), "rw");
    await c.close();
  });
});

Deno.test("an old client (no readOnly byte) gets a response without it", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port, { oldClient: true });
    assertEquals(c.session.readOnly, null);
    await c.close();
  });
});

Deno.test("reconnect with id and password keeps the session and its ephemerals", async () => {
  await withServer([], async (s) => {
    const a = await ZkClient.connect(s.port, { timeoutMs: 5000 });
    assertEquals((await a.create("/e", "x", 1)).err, 0);
    await a.drop();
    const b = await ZkClient.connect(s.port, {
      sessionId: a.session.sessionId,
      passwd: a.session.passwd,
      timeoutMs: 5000,
    });
    assertEquals(b.session.sessionId, a.session.sessionId);
    assertEquals((await b.exists("/e")).stat?.ephemeralOwner, a.session.sessionId);
    await b.close();
  });
});

Deno.test("a wrong password is refused as 3.8 refuses it: timeout 0, id 0, zero password, close", async () => {
  await withServer([], async (s) => {
    const a = await ZkClient.connect(s.port);
    const conn = await rawConn(s.port);
    const bad = new Uint8Array(16).fill(7);
    const rsp = await ZkClient.handshake(conn, { sessionId: a.session.sessionId, passwd: bad });
    assertEquals(rsp, { timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false });
    assertEquals(await conn.readFrame(), null, "the server closes after the refusal");
    conn.close();
    // As in 3.8 the attempt closes the session's current connection (closeSession
    // before the password check), but the session itself lives on.
    await a.ended();
    const again = await ZkClient.connect(s.port, {
      sessionId: a.session.sessionId,
      passwd: a.session.passwd,
    });
    assertEquals(again.session.sessionId, a.session.sessionId);
    await again.close();
  });
});

Deno.test("reconnecting to an expired session is refused and its ephemerals are gone", async () => {
  await withServer(["minSessionTimeout=200"], async (s) => {
    const a = await ZkClient.connect(s.port, { timeoutMs: 200 });
    await a.create("/gone", "", 1);
    const watcher = await ZkClient.connect(s.port, { timeoutMs: 10_000 });
    await watcher.exists("/gone", true);
    await a.drop();
    await watcher.waitEvent((e) => e.path === "/gone" && e.type === 2);
    const conn = await rawConn(s.port);
    const rsp = await ZkClient.handshake(conn, {
      sessionId: a.session.sessionId,
      passwd: a.session.passwd,
    });
    assertEquals(rsp?.sessionId, 0n);
    assertEquals(rsp?.timeOut, 0);
    conn.close();
    await watcher.close();
  });
});

Deno.test("a client that has seen a later zxid is refused without a response", async () => {
  await withServer([], async (s) => {
    const conn = await rawConn(s.port);
    const rsp = await ZkClient.handshake(conn, { lastZxidSeen: 1000n });
    assertEquals(rsp, null);
    conn.close();
  });
});

Deno.test("closeSession deletes ephemerals at once and replies before closing", async () => {
  await withServer([], async (s) => {
    const a = await ZkClient.connect(s.port);
    const b = await ZkClient.connect(s.port);
    await a.create("/eph", "", 1);
    await b.exists("/eph", true);
    assertEquals(await a.close(), 0);
    await b.waitEvent((e) => e.path === "/eph" && e.type === 2);
    assertEquals((await b.exists("/eph")).err, -101);
    await b.close();
  });
});

Deno.test("ping replies carry xid -2 and the last zxid", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port);
    const { zxid } = await c.create("/p");
    const rep = await c.call(11, undefined, -2);
    assertEquals([rep.xid, rep.err, rep.zxid], [-2, 0, zxid]);
    await c.close();
  });
});

Deno.test("an oversize frame closes that connection and the server keeps serving", async () => {
  await withServer(["jute.maxbuffer=1024"], async (s) => {
    const c = await ZkClient.connect(s.port);
    const big = "x".repeat(4096);
    await assertRejects(() => c.setData("/", big));
    const d = await ZkClient.connect(s.port);
    assertEquals((await d.exists("/")).err, 0);
    await d.close();
  });
});

Deno.test("a negative frame length on a fresh connection is closed, not allocated", async () => {
  await withServer([], async (s) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    await conn.write(new Uint8Array([0xff, 0xff, 0xff, 0x00, 1, 2, 3, 4]));
    const buf = new Uint8Array(16);
    assertEquals(await conn.read(buf), null);
    conn.close();
  });
});

Deno.test("a connection that never sends a connect request is closed after the sessionless timeout", async () => {
  await withServer([], async (s) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    const buf = new Uint8Array(16);
    assertEquals(await conn.read(buf), null);
    conn.close();
  }, 300);
});

Deno.test("maxClientCnxns limits connections per client IP", async () => {
  await withServer(["maxClientCnxns=2"], async (s) => {
    const a = await ZkClient.connect(s.port);
    const b = await ZkClient.connect(s.port);
    await assertRejects(() => ZkClient.connect(s.port));
    await a.close();
    await waitFor("a slot to free up", async () => {
      try {
        const c = await ZkClient.connect(s.port);
        await c.close();
        return true;
      } catch {
        return false;
      }
    });
    await b.close();
  });
});

Deno.test("a truncated request body gets MarshallingError and the connection stays", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port);
    const rep = await c.call(1, (w) => void w.int(3)); // create with a cut-off path
    assertEquals(rep.err, -5);
    const rep2 = await c.call(4, (w) => void w.int(99)); // getData with a cut-off path
    assertEquals(rep2.err, -5);
    assertEquals((await c.exists("/")).err, 0);
    await c.close();
  });
});

Deno.test("an unknown op code is Unimplemented and closes the connection, as 3.8 does", async () => {
  await withServer([], async (s) => {
    const c = await ZkClient.connect(s.port);
    assertEquals((await c.call(999)).err, -6);
    await c.ended();
    assert(c.closed);
  });
});

async function assertRejects(f: () => Promise<unknown>): Promise<void> {
  let threw = false;
  try {
    await f();
  } catch {
    threw = true;
  }
  assert(threw, "expected a rejection");
}

Deno.test("an established session stays connected past the sessionless timeout while idle", async () => {
  await withServer([], async (s) => {
    // The sessionless timeout of this server is 300 ms; a handshake whose createSession
    // fsync outlasts it is closed (as in ZooKeeper), so retry until one is established.
    let c: ZkClient | undefined;
    await waitFor("a session established within the sessionless timeout", async () => {
      c = await ZkClient.connect(s.port, { timeoutMs: 5000 }).catch(() => undefined);
      return c !== undefined;
    });
    // Idle well past the sessionless timeout.
    await new Promise((r) => setTimeout(r, 700));
    assertEquals((await c!.exists("/")).err, 0);
    await c!.close();
  }, 300);
});

Deno.test("a request pipelined right behind the connect request is answered after the handshake", async () => {
  await withServer([], async (s) => {
    const conn = await rawConn(s.port);
    const connect = new Writer(64);
    writeConnectRequest(connect, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 5000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    const req = new Writer(64);
    writeRequestHeader(req, { xid: 1, type: 3 });
    req.ustring("/").boolean(false);
    conn.send(connect.toBytes());
    conn.send(req.toBytes());
    const rsp = readConnectResponse(new Reader((await conn.readFrame())!));
    assert(rsp.sessionId !== 0n);
    const h = readReplyHeader(new Reader((await conn.readFrame())!));
    assertEquals([h.xid, h.err], [1, 0]);
    conn.close();
  });
});
