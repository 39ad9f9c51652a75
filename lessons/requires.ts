/**
 * Tests that need something outside the code: a library, a program, root, the lecture's
 * text, a committed data file. Such a test never passes by checking nothing. Where its
 * requirement is missing it is registered as ignored, with the reason in its name, and the
 * module's missing pieces are printed in one line when it ends; with exactly
 * `LITCONV_REQUIRE=all` in the environment (CI sets it) it runs instead and fails, naming
 * what is missing.
 *
 * ```ts ignore
 * Deno.test(needs(lectureMissing, { name: "the lecture's numbers", fn: () => { … } }));
 * await t.step(needs(python ? undefined : "python3 missing", { name: "…", fn: … }));
 * ```
 *
 * Lessons state claims as tests too, which is why this lives here rather than in tests/:
 * nothing below tests may import from it. `tests/requirements.ts` names the outside pieces.
 *
 * @module
 */

/** The environment variable, and the one value of it, that make every requirement mandatory. */
export const REQUIRE_SWITCH = "LITCONV_REQUIRE=all";

/**
 * Whether this run demands every requirement (`LITCONV_REQUIRE=all`). Any other value is an
 * error rather than a quiet "no": a CI script that sets `LITCONV_REQUIRE=1` must not pass
 * with tests ignored.
 */
export function requireAll(): boolean {
  let value: string | undefined;
  try {
    value = Deno.env.get("LITCONV_REQUIRE");
  } catch {
    return false; // no permission to read the environment: nothing was asked of us
  }
  if (value === undefined || value === "") return false;
  if (value === "all") return true;
  throw new Error(`LITCONV_REQUIRE is "${value}": the only value it takes is "all"`);
}

/** What this module's tests found missing, in the order they were registered. */
const missingHere = new Set<string>();
let reportOnUnload = false;

/** The pieces missing so far in this module (for the closing line and for tests). */
export function missingPieces(): string[] {
  return [...missingHere];
}

/** The closing line: what was skipped here, and how to make it fail instead. */
export function missingLine(pieces: readonly string[]): string {
  return `litconv: skipped for missing pieces: ${pieces.join("; ")}. ` +
    `Set ${REQUIRE_SWITCH} to make them fail.`;
}

/**
 * Prints {@link missingLine} when the module ends, if anything was missing. Called by the
 * test files (through tests/requirements.ts), never by a lesson: a lesson imported by the
 * site or a notebook must not print it.
 */
export function reportMissingOnUnload(): void {
  if (reportOnUnload) return;
  reportOnUnload = true;
  globalThis.addEventListener("unload", () => {
    if (missingHere.size > 0) console.error(missingLine([...missingHere]));
  });
}

/** A test or a step: both take `name`, `fn` and `ignore`. */
type Definition = Deno.TestDefinition | Deno.TestStepDefinition;

/**
 * `definition` as it should run given what it needs: unchanged when `missing` is undefined
 * (nothing is missing); otherwise ignored, with `missing` in its name, or, under
 * `LITCONV_REQUIRE=all`, a test that fails with "required by LITCONV_REQUIRE=all: <missing>".
 *
 * `missing` says what is absent in a few words, the package first where there is one:
 * "python3-torch missing (import torch failed: …)".
 */
export function needs<D extends Definition>(missing: string | undefined, definition: D): D {
  if (missing === undefined) return definition;
  if (requireAll()) {
    return {
      ...definition,
      fn: () => {
        throw new Error(`required by ${REQUIRE_SWITCH}: ${missing}`);
      },
    };
  }
  missingHere.add(missing);
  return { ...definition, name: `${definition.name} (ignored: ${missing})`, ignore: true };
}

/** `undefined` where the file at `url` exists, else "<what> missing (<path>)". */
export function fileMissing(url: URL, what: string): string | undefined {
  try {
    if (Deno.statSync(url).isFile) return undefined;
  } catch { /* absent or unreadable: missing */ }
  return `${what} missing (${url.pathname})`;
}

/**
 * Marks a claim a notebook does not run, saying why: `[NOT_IN_NOTEBOOK]: "why"` in its
 * definition (`notebooks/claims.ts` reads it; `deno test` runs the claim as ever). For a
 * claim a notebook cannot check honestly, e.g. one about what the lesson's `show` calls
 * recorded. A registered symbol, so `Deno.test` takes no notice of it.
 */
export const NOT_IN_NOTEBOOK: unique symbol = Symbol.for("litconv.notInNotebook");

/** Why a claim about a lesson's recorded outputs skips a notebook ({@link NOT_IN_NOTEBOOK}). */
export const READS_RECORDED_OUTPUTS =
  "it reads the outputs the lesson records, which a notebook displays instead";
