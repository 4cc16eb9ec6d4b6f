// The AdminServer's HTTP/1.1 head parsing (Jetty's behaviour where it matters
// to clients): heads end at a blank line with CRLF or bare LF, even when split
// across reads; HTTP/1.1 keeps the connection unless "close", HTTP/1.0 only
// with "keep-alive"; a body is detected (the server closes after answering);
// malformed heads are 400s.
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  formatResponseHead,
  hasBody,
  headEnd,
  HttpHeadError,
  keepAlive,
  parseRequestHead,
} from "../../../src/net/http1.ts";

const enc = new TextEncoder();
const head = (s: string) => parseRequestHead(enc.encode(s));

Deno.test("headEnd finds the blank line (CRLF or LF) and nothing before it", () => {
  const a = enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next");
  assertEquals(headEnd(a, a.length), "GET / HTTP/1.1\r\nHost: x\r\n\r\n".length);
  const b = enc.encode("GET / HTTP/1.0\n\n");
  assertEquals(headEnd(b, b.length), b.length);
  const c = enc.encode("GET / HTTP/1.1\r\nHost: x\r\n");
  assertEquals(headEnd(c, c.length), -1);
});

Deno.test("headEnd finds a blank line split across reads when resumed 3 bytes back", () => {
  const all = enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  for (let cut = 1; cut < all.length; cut++) {
    const first = headEnd(all, cut);
    const resumed = first >= 0 ? first : headEnd(all, all.length, Math.max(0, cut - 3));
    assertEquals(resumed, all.length, `cut at ${cut}`);
  }
});

Deno.test("parseRequestHead: method, target, version, headers lower-cased and joined", () => {
  const h = head("\r\nGET /commands/ruok?x=1 HTTP/1.1\r\nHost: h:1\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
  assertEquals([h.method, h.target, h.version], ["GET", "/commands/ruok?x=1", "HTTP/1.1"]);
  assertEquals(h.headers.get("host"), "h:1");
  assertEquals(h.headers.get("x-a"), "1, 2");
});

Deno.test("malformed request lines, headers and versions are 400s", () => {
  for (
    const bad of [
      "GET\r\n\r\n",
      "GET / HTTP/1.1 extra\r\n\r\n",
      "\x00\x01 / HTTP/1.1\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
      "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
    ]
  ) {
    throws(() => head(bad), (e) => e instanceof HttpHeadError && e.status === 400, bad);
  }
  throws(() => hasBody(head("GET / HTTP/1.1\r\nContent-Length: banana\r\n\r\n")), HttpHeadError);
});

Deno.test("keep-alive: HTTP/1.1 unless close, HTTP/1.0 only when asked", () => {
  assertEquals(keepAlive(head("GET / HTTP/1.1\r\n\r\n")), true);
  assertEquals(keepAlive(head("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n")), false);
  assertEquals(keepAlive(head("GET / HTTP/1.0\r\n\r\n")), false);
  assertEquals(keepAlive(head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")), true);
});

Deno.test("a request with a body is detected (Content-Length > 0 or Transfer-Encoding)", () => {
  assertEquals(hasBody(head("GET / HTTP/1.1\r\n\r\n")), false);
  assertEquals(hasBody(head("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")), false);
  assertEquals(hasBody(head("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n")), true);
  assertEquals(hasBody(head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")), true);
});

Deno.test("formatResponseHead writes the status line, the fields and the blank line", () => {
  assertEquals(
    new TextDecoder().decode(formatResponseHead(404, [["content-length", "0"]])),
    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
  );
});
