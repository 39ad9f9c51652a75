/**
 * `deno task site:build [--out DIR]`: writes the static site (default `_site/`, git-ignored).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ROOT_DIR } from "./lib/assets.ts";
import { buildSite } from "./lib/build_site.ts";

const USAGE = "usage: deno task site:build [--out DIR]   (default DIR: _site)";

if (import.meta.main) {
  let out = `${ROOT_DIR}/_site`;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string" }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    // `deno task` runs in the repository root; a relative DIR is the caller's (INIT_CWD).
    const cwd = Deno.env.get("INIT_CWD") || Deno.cwd();
    if (values.out) out = values.out.startsWith("/") ? values.out : `${cwd}/${values.out}`;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const { pages, seconds } = await buildSite({ out, log: (l) => console.log(l) });
  console.log(`built ${pages.length} pages into ${out} in ${seconds.toFixed(1)} s`);
  console.log(`open ${out}/index.html, or serve the folder with any static server`);
}
