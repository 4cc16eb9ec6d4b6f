// A server's HTTP side follows its config: admin.enableServer, the admin
// address/port, the Prometheus provider's port; a taken port is logged and the
// client port keeps serving; conf announces the AdminServer (zkt only).
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { parseConfig } from "../../../../src/config/load.ts";
import { adminConfLines, startServerHttp } from "../../../../src/server/admin/start.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";
import { fourLetter } from "../../../support/four_letter.ts";
import { freePorts } from "../../../support/ports.ts";

function cfgOf(lines: string[]) {
  return parseConfig(["dataDir=/unused", "clientPort=2181", ...lines].join("\n"), {
    readFile: (p) => {
      throw new Deno.errors.NotFound(p);
    },
  });
}

const PROM =
  "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

Deno.test("admin and Prometheus listeners start where the config says and answer", async () => {
  const s = await startInProc();
  const [adminPort, metricsPort] = freePorts(2);
  const http = await startServerHttp(
    cfgOf([
      "admin.serverAddress=127.0.0.1",
      `admin.serverPort=${adminPort}`,
      PROM,
      "metricsProvider.httpHost=127.0.0.1",
      `metricsProvider.httpPort=${metricsPort}`,
    ]),
    s.server,
  );
  try {
    assertEquals(http.admin?.addr.port, adminPort);
    const r = await fetch(`http://127.0.0.1:${adminPort}/commands/ruok`);
    assertEquals((await r.json()).error, null);
    const m = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert((await m.text()).includes("# TYPE znode_count gauge"));
    assertEquals(adminConfLines(http), [
      ["admin.serverAddress", "127.0.0.1"],
      ["admin.serverPort", adminPort],
    ]);
  } finally {
    await http.stop();
    await s.stop();
  }
});

Deno.test("admin.enableServer=false and the default metrics provider start no listener", async () => {
  const s = await startInProc();
  const http = await startServerHttp(cfgOf(["admin.enableServer=false"]), s.server);
  try {
    assertEquals([http.admin, http.metrics], [null, null]);
    assertEquals(adminConfLines(http), []);
  } finally {
    await http.stop();
    await s.stop();
  }
});

Deno.test("a taken admin port is logged; the client port keeps serving", async () => {
  const s = await startInProc();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const http = await startServerHttp(
      cfgOf(["admin.serverAddress=127.0.0.1", `admin.serverPort=${port}`]),
      s.server,
    );
    assertEquals(http.admin, null);
    assertEquals(await fourLetter(s.port, "ruok"), "imok");
    await http.stop();
  } finally {
    taken.close();
    await s.stop();
  }
});
