/**
 * Environment variables read only where permitted: the native kernels are optional, so a
 * run without `--allow-env` must not stop on a permission prompt or error.
 *
 * @module
 */

/** The variable's value, or undefined when it is unset or reading it is not permitted. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
      ? Deno.env.get(name)
      : undefined;
  } catch {
    return undefined;
  }
}
