/**
 * `deno task site [--port N]`: serves the site on 127.0.0.1, rendering pages on request.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startServer } from "./lib/server.ts";

const USAGE = "usage: deno task site [--port N]   (default port 8000)";

if (import.meta.main) {
  let port = 8000;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { port: { type: "string" }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`--port must be a whole number from 0 to 65535, got ${values.port}`);
      }
    }
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  console.log("preparing static files and island bundles…");
  try {
    const server = await startServer({
      port,
      workDir: Deno.env.get("LITCONV_SITE_WORKDIR") || undefined,
      log: (l) => console.log(l),
    });
    console.log(`litconv site on ${server.url}  (Ctrl-C stops it)`);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      console.error(
        `port ${port} on 127.0.0.1 is already taken (another server, or a second ` +
          `\`deno task site\`?); choose another: deno task site --port ${port + 1}`,
      );
      Deno.exit(1);
    }
    throw e;
  }
}
