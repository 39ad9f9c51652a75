/** `deno task backends`: which TF.js backends can run here, what they run on, and why not. */
import { bestBackend, probeBackends } from "./backend.ts";

const best = await bestBackend();
console.log("TF.js backends on this machine:\n");
for (const b of await probeBackends()) {
  const mark = b.available ? "yes" : "no ";
  const star = b.name === best ? "  <- default" : "";
  console.log(`  ${b.name.padEnd(10)} ${mark}  ${b.detail}${star}`);
}
console.log("\nChoose one with --backend NAME or TFJS_BACKEND=NAME.");
