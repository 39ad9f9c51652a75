/**
 * Finding a shared library: the first of several paths that opens with `Deno.dlopen` and
 * that the caller accepts, or every path's reason for not.
 *
 * @example A library that is not there gives its reason
 * ```ts
 * import { openFirst } from "./open_library.ts";
 * const found = openFirst(["/nonexistent/libnothing.so"], {});
 * if (found.lib || !found.errors[0].includes("/nonexistent")) throw new Error("found it?");
 * ```
 *
 * @module
 */

/** What {@link openFirst} found: the library and its path, or why each path failed. */
export type Found<S extends Deno.ForeignLibraryInterface> =
  | { lib: Deno.DynamicLibrary<S>; path: string }
  | { lib?: undefined; errors: string[] };

/**
 * Opens the first of `paths` that loads and that `check` does not refuse (it returns a
 * reason to refuse, e.g. a wrong version); a refused library is closed again.
 */
export function openFirst<S extends Deno.ForeignLibraryInterface>(
  paths: readonly string[],
  symbols: S,
  check: (lib: Deno.DynamicLibrary<S>, path: string) => string | undefined = () => undefined,
): Found<S> {
  const errors: string[] = [];
  for (const path of paths) {
    let lib: Deno.DynamicLibrary<S>;
    try {
      lib = Deno.dlopen(path, symbols);
    } catch (e) {
      errors.push((e as Error).message.split("\n")[0].replace(/^(Could not open library: )+/, ""));
      continue;
    }
    const refused = check(lib, path);
    if (refused === undefined) return { lib, path };
    errors.push(refused);
    lib.close();
  }
  return { errors };
}
