// zookeeper.jute's module org.apache.zookeeper.proto (the client protocol), in
// four rooms: the handshake and frame headers, requests, responses, and multi.
// Pattern: see mod.ts (interface + readX/writeX per record).
export * from "./proto_session.ts";
export * from "./proto_requests.ts";
export * from "./proto_responses.ts";
export * from "./proto_multi.ts";
