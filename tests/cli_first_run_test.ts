/**
 * A new user's first command in a fresh copy of the project prints the lesson and
 * nothing else: no `Initialize …` line per npm package (deno.json's `nodeModulesDir:
 * "none"` uses Deno's shared cache instead of copying every package into a local
 * node_modules/), and no boxed "Ignored build scripts" warning (deno.json's
 * `allowScripts` denies core-js's postinstall, which only prints a funding banner).
 *
 * The copy lives at a new path because Deno warns about ignored scripts once per
 * project folder. (A machine whose cache is empty also prints one `Download` line per
 * package on its very first run; that is the download itself, not repeated.)
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;

/** Copies the project's sources (not run folders, not node_modules) into `to`. */
async function copyProject(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const [src, dst] = [`${from}/${entry.name}`, `${to}/${entry.name}`];
    if (entry.name === "node_modules" || entry.name === "runs" || entry.name.startsWith(".")) {
      continue;
    }
    if (entry.isDirectory) {
      await Deno.mkdir(dst);
      await copyProject(src, dst);
    } else if (entry.isFile) await Deno.copyFile(src, dst);
  }
}

Deno.test("first run in a fresh copy: the lesson's output, and nothing on stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-fresh-" });
  await copyProject(ROOT.replace(/\/$/, ""), dir);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lessons/02_conv1d.ts"],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.doesNotMatch(stderr, /Initialize|Ignored build scripts|approve-scripts/);
  assert.equal(stderr, "");
  assert.match(new TextDecoder().decode(out.stdout), /5 14 16 26 24 34 19 22/);
  await Deno.remove(dir, { recursive: true });
});
