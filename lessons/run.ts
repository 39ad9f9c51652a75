/**
 * `deno task lesson 02` (or `2`, `conv1d`, `02-conv1d`, `lessons/02_conv1d.ts`): runs one
 * lesson, as `deno run -A lessons/02_conv1d.ts` does; an unknown name lists the lessons.
 *
 * It finds the lessons by their file names (`NN_words.ts`), without importing them, so
 * naming one costs nothing before the lesson itself starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findLesson } from "./run.ts";
 * const slugs = ["02-conv1d", "05-pooling"];
 * assert.equal(findLesson("2", slugs), "02-conv1d");
 * assert.equal(findLesson("pooling", slugs), "05-pooling");
 * assert.throws(() => findLesson("03", slugs), /no lesson '03'; the lessons: 02 conv1d, 05 pooling/);
 * ```
 *
 * @module
 */
import { basename } from "node:path";
import { didYouMean, flagHelp, parseFlags, usageLine } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";

const LESSON_DIR = new URL("./", import.meta.url);
const LESSON_FILE = /^(\d\d)_([a-z0-9_]+)\.ts$/;

/** Every lesson's slug (`02_conv1d.ts` → `02-conv1d`), in course order, from the folder. */
export function lessonSlugs(): string[] {
  return [...Deno.readDirSync(LESSON_DIR)].flatMap((e) => {
    const m = LESSON_FILE.exec(e.name);
    return e.isFile && m ? [`${m[1]}-${m[2].replace(/_/g, "-")}`] : [];
  }).sort();
}

/**
 * The slug among `slugs` that `query` names: its number (`2`, `02`), its slug, its file name
 * or path, or the words after the number (`conv1d`, or a prefix of them only one lesson has).
 * Anything else is a {@link UsageError} that lists the lessons.
 */
export function findLesson(query: string, slugs: readonly string[]): string {
  const q = basename(query.trim().toLowerCase()).replace(/\.ts$/, "").replace(/_/g, "-");
  const words = (slug: string) => slug.slice(3);
  const found = /^\d+$/.test(q)
    ? slugs.filter((s) => Number(s.slice(0, 2)) === Number(q))
    : slugs.filter((s) => s === q || words(s) === q).concat(
      slugs.filter((s) => q.length >= 3 && words(s).startsWith(q)),
    );
  const unique = [...new Set(found)];
  if (unique.length === 1 || (unique.length > 1 && (unique[0] === q || words(unique[0]) === q))) {
    return unique[0];
  }
  const near = didYouMean(q, slugs.map(words));
  const list = slugs.map((s) => `${s.slice(0, 2)} ${words(s)}`).join(", ");
  throw new UsageError(
    `no lesson '${query}'${near ? ` (did you mean ${near}?)` : ""}; the lessons: ${list}`,
  );
}

const COMMAND = "deno task lesson";

/** Runs the command; returns the exit code (the lesson's own when it ran). */
export async function main(argv: string[]): Promise<number> {
  let slug: string;
  try {
    const { values, positionals } = parseFlags(argv, {}, { positionals: true });
    if (values.help) {
      console.log(
        `${COMMAND} LESSON   runs one lesson: a number (02 or 2), a name (conv1d) or a file\n\n` +
          `Lessons: ${lessonSlugs().join(", ")}\n\n${flagHelp({})}`,
      );
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`name one lesson; the lessons: ${lessonSlugs().join(", ")}`);
    }
    slug = findLesson(positionals[0], lessonSlugs());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine(COMMAND, e));
    return 2;
  }
  const file = new URL(`${slug.slice(0, 2)}_${slug.slice(3).replace(/-/g, "_")}.ts`, LESSON_DIR);
  // A child, so that the lesson is the main module and prints, as under `deno run`.
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file.pathname],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
