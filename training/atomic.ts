/**
 * Writing run-folder files so that a run killed at any moment never leaves half a file:
 * write a temporary file beside the target, then rename it over the target (a rename
 * within one folder is atomic on POSIX file systems).
 *
 * @module
 */

/** Writes `data` to `path` through `path.tmp` and a rename. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/** `value` as indented JSON with a final newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
