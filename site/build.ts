/**
 * `deno task site:build [--out DIR]`: writes the static site (default `_site/`, git-ignored).
 *
 * @module
 */
import { callerPath, flagHelp, parseFlags, usageLine } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";
import { ROOT_DIR } from "./lib/assets.ts";
import { buildSite } from "./lib/build_site.ts";

const FLAGS = {
  out: {
    type: "string",
    value: "DIR",
    help: "where to write it, relative to where you are (default _site/ in the course)",
  },
} as const;

const USAGE = `deno task site:build [flags]

Writes the course's website as static files, with relative links only.

${flagHelp(FLAGS)}
`;

if (import.meta.main) {
  let out = `${ROOT_DIR}/_site`;
  try {
    const { values } = parseFlags(Deno.args, FLAGS);
    if (values.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (values.out) out = callerPath(values.out);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine("deno task site:build", e));
    Deno.exit(2);
  }
  const { pages, seconds } = await buildSite({ out, log: (l) => console.log(l) });
  console.log(`built ${pages.length} pages into ${out} in ${seconds.toFixed(1)} s`);
  console.log(`open ${out}/index.html, or serve the folder with any static server`);
}
