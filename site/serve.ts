/**
 * `deno task site [--port N]`: serves the site on 127.0.0.1, rendering pages on request.
 *
 * @module
 */
import { flagHelp, parseFlags, usageLine } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";
import { startServer } from "./lib/server.ts";

const FLAGS = {
  port: { type: "string", value: "N", help: "the port on 127.0.0.1 (default 8000)" },
} as const;

const USAGE = `deno task site [flags]

Serves the course as a website on http://127.0.0.1:8000, rendering each page on request.

${flagHelp(FLAGS)}
`;

if (import.meta.main) {
  let port = 8000;
  try {
    const { values } = parseFlags(Deno.args, FLAGS);
    if (values.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a whole number from 0 to 65535, got ${values.port}`);
      }
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine("deno task site", e));
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
