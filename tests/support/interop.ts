// Whether interop tests run: always in CI; skipped only when a developer sets
// ZKT_SKIP_INTEROP=1. Missing tools fail loudly instead of skipping silently.

/** True when the developer asked to skip interop tests. */
export const SKIP_INTEROP = Deno.env.get("ZKT_SKIP_INTEROP") === "1";

/** The class path that runs Debian's Apache ZooKeeper 3.8 with logs on stderr. */
export const ZK_CLASSPATH =
  "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar:/usr/share/java/servlet-api.jar";

/** Path to the system python that has Debian's kazoo. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
