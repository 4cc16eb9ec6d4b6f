// `zkt config check FILE [--json]`: validate a zoo.cfg and print the effective config.
import { loadConfig } from "../config/load.ts";
import { configToJson, renderConfigText } from "../config/render.ts";
import { type Command, expectPositionals, parseFlags } from "./command.ts";

/** The `config check` command. */
export const configCheckCommand: Command = {
  names: ["config", "check"],
  summary: "validate a zoo.cfg as ZooKeeper 3.8 would and print the effective config",
  usage: "FILE [--json]",
  help: [
    "Reads FILE (and dataDir/myid and the dynamic config file it names), applies",
    "ZooKeeper 3.8's defaults and checks, and prints every key with its value and",
    "whether it was defaulted, the server list and the quorum verifier.",
    "",
    "Flags:",
    "  --json  print one JSON object instead of a table",
    "",
    "Exits 0 when the config is valid, 2 with one line naming the key when not.",
  ].join("\n"),
  async run(args, io) {
    const { values, positionals } = parseFlags<{ json?: boolean }>(args, {
      json: { type: "boolean" },
    });
    expectPositionals(positionals, ["FILE"]);
    const cfg = await loadConfig(positionals[0]);
    io.out(values.json ? JSON.stringify(configToJson(cfg)) + "\n" : renderConfigText(cfg));
    return 0;
  },
};
