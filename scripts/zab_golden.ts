// scripts/gen-zab-golden's body: captures Zab traffic and writes fixtures/zab.
import { captureZab } from "../tests/support/zab_capture.ts";

const out = Deno.args[0] ?? "fixtures/zab";
await Deno.mkdir(out, { recursive: true });
const cap = await captureZab((m) => console.error(`gen-zab-golden: ${m}`));
for (const c of cap.conns) {
  await Deno.writeFile(`${out}/${c.label}-learner.bin`, c.learner);
  await Deno.writeFile(`${out}/${c.label}-leader.bin`, c.leader);
}
await Deno.writeTextFile(`${out}/capture.json`, JSON.stringify(cap.facts, null, 2) + "\n");
console.error(`gen-zab-golden: wrote ${cap.conns.length * 2} streams to ${out}`);
