/**
 * The command line of every `deno task`: flags parsed by `node:util`'s parseArgs, its errors
 * reworded as one sentence in the course's voice (with a did-you-mean where a flag is close),
 * a `--help` listing generated from the same table, so no flag can be missing from it, and
 * paths resolved against the folder the user typed the command in.
 *
 * This room sits at the bottom, beside kernels/: it imports only `node:` modules and the
 * course's error classes, so training/, grading/, notebooks/, bench/, site/ and lessons/
 * can all use it without importing upward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const flags = { tasks: { type: "string", value: "IDS", help: "tasks to grade" } } as const;
 * assert.throws(
 *   () => parseFlags(["hw", "--task", "02.1"], flags, { positionals: true }),
 *   /unknown flag --task \(did you mean --tasks\?\)/,
 * );
 * ```
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { resolve } from "node:path";
import { UsageError } from "../kernels/errors.ts";

/** One flag: its kind, the placeholder its value shows in `--help`, and one line of help. */
export interface Flag {
  type: "string" | "boolean";
  short?: string;
  /** How `--help` writes its value (`N`, `DIR`); string flags only. */
  value?: string;
  help: string;
}

/** A command's flags by name (without the leading `--`). */
export type Flags = Record<string, Flag>;

/** What parsing gives: each string flag's text, each boolean flag's presence. */
export type FlagValues<T extends Flags> = {
  [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string;
};

/** Edit distance between two short words (insertions, deletions, substitutions, swaps). */
function distance(a: string, b: string): number {
  const d = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The choice closest to `word`, if one is close: a prefix of it, or it of a prefix (`task` →
 * `tasks`), or within two edits (a third of the word's length for short words).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./flags.ts";
 * assert.equal(didYouMean("task", ["tasks", "seed"]), "tasks");
 * assert.equal(didYouMean("epoch", ["epochs", "limit"]), "epochs");
 * assert.equal(didYouMean("prot", ["port"]), "port");
 * assert.equal(didYouMean("zzz", ["tasks", "seed"]), undefined);
 * ```
 */
export function didYouMean(word: string, choices: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const scored = choices.map((c) => {
    const l = c.toLowerCase();
    const prefix = w.length >= 2 && (l.startsWith(w) || w.startsWith(l));
    return { c, d: prefix ? 0.5 : distance(w, l) };
  }).filter(({ d }) => d <= Math.min(2, Math.max(1, Math.floor(w.length / 3))))
    .sort((a, b) => a.d - b.d);
  return scored[0]?.c;
}

/** parseArgs's error, as one sentence naming the flag, with a did-you-mean when one is close. */
function usageOf(e: Error, flags: Flags): UsageError {
  const code = (e as { code?: string }).code;
  const quoted = e.message.match(/'([^']*)'/)?.[1] ?? "";
  const flag = quoted.split(" ")[0];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = flag.startsWith("--") ? didYouMean(flag.slice(2), Object.keys(flags)) : undefined;
    return new UsageError(`unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ""}`);
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return new UsageError(`unexpected argument '${quoted}' (this command takes flags only)`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(e.message)) {
      return new UsageError(`${flag} takes no value`);
    }
    return new UsageError(
      `${flag} needs a value (for one that starts with -, write ${flag}=VALUE)`,
    );
  }
  return new UsageError(e.message.split("\n")[0]);
}

/**
 * Parses `argv` against `flags` (strictly: an unknown flag is a {@link UsageError}); with
 * `positionals`, bare words are allowed and returned in order. `--help`/`-h` is always known.
 */
export function parseFlags<const T extends Flags>(
  argv: string[],
  flags: T,
  opts: { positionals?: boolean } = {},
): {
  values: FlagValues<T> & { help?: boolean };
  positionals: string[];
  tokens: { kind: string; name?: string; value?: string }[];
} {
  const options = Object.fromEntries(
    Object.entries({ ...flags, help: HELP_FLAG }).map(([name, f]) => [
      name,
      f.short ? { type: f.type, short: f.short } : { type: f.type },
    ]),
  );
  try {
    const parsed = parseArgs({
      args: argv,
      options: options as ParseArgsConfig["options"],
      allowPositionals: opts.positionals ?? false,
      strict: true,
      tokens: true,
    });
    return parsed as unknown as ReturnType<typeof parseFlags<T>>;
  } catch (e) {
    if (!(e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw e;
    throw usageOf(e as Error, { ...flags, help: HELP_FLAG });
  }
}

const HELP_FLAG: Flag = { type: "boolean", short: "h", help: "show this text" };

/**
 * The flags as `--help` lists them: one entry each, values named, `--help` last; a help text
 * with line breaks continues under its first line.
 */
export function flagHelp(flags: Flags): string {
  const all = Object.entries({ ...flags, help: HELP_FLAG });
  const left = all.map(([name, f]) => `--${name}${f.value ? ` ${f.value}` : ""}`);
  const width = Math.max(...left.map((l) => l.length));
  const under = "\n" + " ".repeat(width + 4);
  return all.map(([, f], i) => `  ${left[i].padEnd(width)}  ${f.help.replaceAll("\n", under)}`)
    .join("\n");
}

/** The one line a misused command prints: what was wrong, and where the help is. */
export function usageLine(command: string, e: UsageError): string {
  return `${command}: ${e.message} (see ${command} --help)`;
}

/**
 * `path` as the user meant it: `deno task` runs its command in the folder of deno.json and
 * says in `INIT_CWD` where the user was, so a relative path is resolved against that.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callerPath } from "./flags.ts";
 * assert.equal(callerPath("/abs/hw"), "/abs/hw");
 * assert.equal(callerPath("hw", "/home/ada"), "/home/ada/hw");
 * ```
 */
export function callerPath(
  path: string,
  from: string = Deno.env.get("INIT_CWD") || Deno.cwd(),
): string {
  return resolve(from, path);
}
