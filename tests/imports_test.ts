/**
 * Each npm package's version is written in one place: its file in `deps/`. Every other module
 * imports the package from there, so `mod.ts` still resolves from a folder with no
 * configuration, and a version bump is one edit. The JSX runtime is the one exception Deno
 * forces (deno.json's `jsxImportSource` must name a package): it must match `deps/preact.ts`.
 */
import assert from "node:assert/strict";

const SPECIFIER = /npm:((?:@[\w.-]+\/)?[\w.-]+)@(\d[^/"'`\s]*)/g;
const ROOT = new URL("../", import.meta.url);

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (url.pathname.includes("/data/runs/")) continue;
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (/\.(ts|tsx|js|py|ipynb)$/.test(entry.name)) yield url;
  }
}

/** Where each `npm:name@version` is spelled: name → the files that spell it. */
async function spellings(): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  for await (const file of sourceFiles(ROOT)) {
    const path = file.pathname.slice(ROOT.pathname.length);
    // Test files that build hostile submissions spell specifiers as data, not imports.
    if (path.startsWith("tests/fixtures/")) continue;
    for (const [, name] of (await Deno.readTextFile(file)).matchAll(SPECIFIER)) {
      found.set(name, (found.get(name) ?? new Set()).add(path));
    }
  }
  return found;
}

Deno.test("every npm package's version is spelled in one file, under deps/", async () => {
  const found = await spellings();
  assert.ok(found.has("@tensorflow/tfjs-core"), "found no npm: specifiers at all");
  for (const [name, files] of found) {
    const where = [...files];
    assert.equal(where.length, 1, `${name}'s version is spelled in ${where.join(", ")}`);
    assert.match(where[0], /^deps\//, `${name} is imported by version outside deps/: ${where[0]}`);
  }
});

Deno.test("deno.json's JSX runtime is deps/preact.ts's preact", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const deps = await Deno.readTextFile(new URL("deps/preact.ts", ROOT));
  const [, , version] = /npm:(preact)@([\d.]+)/.exec(deps) ?? [];
  assert.equal(config.compilerOptions.jsxImportSource, `npm:preact@${version}`);
});
