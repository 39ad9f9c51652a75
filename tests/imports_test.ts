/**
 * The library imports its npm packages by full `npm:name@version` specifiers (not through
 * deno.json's import map), so that `mod.ts` resolves from a student's folder outside the repo.
 * The price is that a version is written in several files: this test keeps them in step.
 */
import assert from "node:assert/strict";

const SPECIFIER = /["']npm:((?:@[\w.-]+\/)?[\w.-]+)@([^/"']+)/g;

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (/\.(ts|tsx|md)$/.test(entry.name)) yield url;
  }
}

Deno.test("every npm package is pinned to one version across the code", async () => {
  const versions = new Map<string, Map<string, string[]>>();
  for await (const file of sourceFiles(new URL("../", import.meta.url))) {
    for (const [, name, version] of (await Deno.readTextFile(file)).matchAll(SPECIFIER)) {
      const byVersion = versions.get(name) ?? new Map<string, string[]>();
      byVersion.set(version, [...(byVersion.get(version) ?? []), file.pathname]);
      versions.set(name, byVersion);
    }
  }
  assert.ok(versions.has("@tensorflow/tfjs-core"), "found no npm: specifiers at all");
  for (const [name, byVersion] of versions) {
    assert.equal(
      byVersion.size,
      1,
      `${name} is imported at several versions: ${[...byVersion.keys()]}`,
    );
  }
});
