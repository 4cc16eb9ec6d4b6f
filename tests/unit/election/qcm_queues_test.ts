// QuorumCnxManager's queues as 3.8 runs them: one message waits per peer (a newer
// one drops it), the last message sent is written again on a new connection
// only when nothing newer waits, and the receive queue drops its oldest at 100.
import assert from "node:assert/strict";
import { RECV_CAPACITY, RecvQueue, SendSlots } from "../../../src/election/qcm_queues.ts";

Deno.test("qcm queues: a send slot holds one message; a newer one drops the waiting one", () => {
  const s = new SendSlots<string>();
  assert.equal(s.offer(2n, "a"), undefined);
  assert.equal(s.offer(2n, "b"), "a");
  assert.equal(s.queued(2n), 1);
  assert.equal(s.take(2n), "b");
  assert.equal(s.take(2n), undefined);
  assert.equal(s.queued(2n), 0);
});

Deno.test("qcm queues: a new connection re-sends the last message only when nothing newer waits", () => {
  const s = new SendSlots<string>();
  assert.equal(s.connected(2n), undefined, "nothing sent yet");
  s.offer(2n, "a");
  s.take(2n); // written, then the connection broke
  assert.equal(s.connected(2n), "a");
  s.offer(2n, "b");
  assert.equal(s.connected(2n), undefined, "the newer waiting message goes instead");
  assert.equal(s.take(2n), "b");
});

Deno.test("qcm queues: haveDelivered is true when any known peer's slot is empty (3.8)", () => {
  const s = new SendSlots<string>();
  assert.equal(s.haveDelivered(), false, "no peer known yet");
  s.offer(2n, "a");
  s.offer(3n, "a");
  assert.equal(s.haveDelivered(), false);
  s.take(3n);
  assert.equal(s.haveDelivered(), true);
  s.connected(4n);
  assert.deepEqual(s.sids(), [2n, 3n, 4n]);
});

Deno.test("qcm queues: the receive queue keeps the newest 100, dropping the oldest", () => {
  const q = new RecvQueue<number>();
  assert.equal(q.capacity, RECV_CAPACITY);
  for (let i = 0; i < RECV_CAPACITY; i++) assert.equal(q.push(i), undefined);
  assert.equal(q.push(100), 0);
  assert.equal(q.push(101), 1);
  const got = q.drain();
  assert.equal(got.length, 100);
  assert.equal(got[0], 2);
  assert.equal(got[99], 101);
  assert.equal(q.length, 0);
});
