/**
 * Starter folders (`deno task assignment new DIR --tasks 02.1,04.1`): a `mod.ts` with the
 * chosen tasks' functions, each throwing "not implemented yet (task …)"; the lecture's
 * examples and the edge cases as visible tests that run with a plain `deno test` in that
 * folder; a README.
 *
 * Each stub's signature and summary are read from the naive kernel's own source, so a
 * starter always states the real type. The folder works outside the repository: it carries
 * the judge (`judge.js`, `grading/judge.ts` bundled with the contracts it uses: no
 * operation's answer is in it), the argument types (`types.ts`) and the expected answers of
 * its visible tests as data, so it imports nothing from the course and nothing from npm.
 *
 * @module
 */
import type { TaskInfo } from "../kernels/registry.ts";
import { judgementOf, opOf, testsFor } from "./cases.ts";
import { declarationOf } from "../kernels/declaration.ts";
import type { Judgement } from "./judge.ts";

const KERNELS = new URL("../kernels/", import.meta.url);

/** One task's stub: the real declaration, with a body that says it is not written yet. */
export async function stub(task: TaskInfo): Promise<string> {
  const declaration = await declarationOf(task.fn);
  return `${declaration} {\n  throw new Error("not implemented yet (task ${task.id})");\n}\n`;
}

/** One visible case, with what the carried judge needs. */
export interface VisibleCase extends Judgement {
  task: string;
  fn: string;
  /** The graded test this case belongs to (`conv1d: stride 2`): one point, shared by its cases. */
  test: string;
  name: string;
  /** Positions of `undefined` arguments (JSON writes them as null). */
  undef: number[];
}

/** The visible cases of `tasks`, with expected answers and scales, as JSON data. */
export function visibleCases(tasks: readonly TaskInfo[]): VisibleCase[] {
  return tasks.flatMap((task) =>
    testsFor(task, { hidden: false, seed: 1, numRuns: 1 }).flatMap((spec) =>
      (spec.cases ?? []).map((args, i) => {
        const judgement = judgementOf(opOf(task), args);
        return {
          task: task.id,
          fn: task.fn,
          test: spec.name,
          name: `${spec.name}${spec.cases!.length > 1 ? ` (case ${i + 1})` : ""}`,
          ...judgement,
          args: args.map((a) => (a === undefined ? null : a)),
          undef: args.flatMap((a, k) => (a === undefined ? [k] : [])),
        };
      })
    )
  );
}

const TEST_FILE = `// The visible tests of this assignment: the lecture's examples and edge cases.
// Run them with \`deno test\` in this folder. The grader runs these and hidden property tests.
// One Deno test per graded test (one point each); its cases are its steps, and the grader
// gives the share of cases passed.
import * as mod from "./mod.ts";
import data from "./visible_cases.json" with { type: "json" };
import { judgeAnswer } from "./judge.js";

interface VisibleCase {
  task: string;
  fn: string;
  test: string;
  name: string;
  args: unknown[];
  undef: number[];
  expected: unknown;
  contract?: string;
  scale?: number | number[];
}

const cases = data as unknown as VisibleCase[];
const functions = mod as unknown as Record<string, (...args: unknown[]) => unknown>;

function check(c: VisibleCase): void {
  const args: unknown[] = [...c.args];
  for (const i of c.undef) args[i] = undefined;
  const got = functions[c.fn](...args);
  const wrong = judgeAnswer({ ...c, args }, got);
  if (wrong) {
    throw new Error(\`\${c.fn}(\${JSON.stringify(c.args).slice(1, -1)})\\n  expected: \${
      JSON.stringify(c.expected)
    }\\n  \${wrong}\\n  got: \${JSON.stringify(got)}\`);
  }
}

for (const test of new Set(cases.map((c) => c.test))) {
  const ofTest = cases.filter((c) => c.test === test);
  Deno.test(\`task \${ofTest[0].task} \${test}\`, async (t) => {
    if (ofTest.length === 1) return check(ofTest[0]);
    for (const c of ofTest) await t.step(c.name.slice(test.length).trim(), () => check(c));
  });
}
`;

function readme(tasks: readonly TaskInfo[]): string {
  const ids = tasks.map((t) => t.id).join(",");
  return `# litconv assignment

Tasks:

${tasks.map((t) => `- **${t.id}** \`${t.fn}\`: ${t.title} (lesson ${t.lesson})`).join("\n")}

1. Write each function in \`mod.ts\` (replace the \`throw new Error("not implemented yet …")\`).
   Plain nested arrays of numbers in and out; \`types.ts\` has the option types.
2. Run the visible tests here: \`deno test\`. They are the lecture's examples and a few edge
   cases (stride with a remainder, padding larger than the kernel, 1×1 inputs, logits of ±1000).
3. Check your work with the grader: from the course's folder,
   \`deno task grade PATH/TO/THIS/FOLDER\`, or from this folder,
   \`deno task --config PATH/TO/litconv/deno.json grade .\`: the visible tests of tasks ${ids}
   (\`assignment.json\` records them; the grade is out of these tasks only); add \`--hidden\`
   for the property runs that grading adds: random inputs, compared with the course's
   reference in float64. Your instructor's grading chooses its tasks itself and never reads
   \`assignment.json\`.
4. \`deno test\` here counts one test per graded test (one point each), with a step per case
   where a test has several: the grader gives the share of cases passed.

Rules the grader enforces: \`mod.ts\` may import only files inside this folder (no npm, no
URLs, not the course's own kernels; a \`deno.json\` here is ignored); it runs without file,
network or environment access, with a few seconds per call and limited memory. Anything it
prints is shown to you, never graded. (\`judge.js\` is the course's judge, bundled: it holds
the checks, not the answers.)
`;
}

/** `grading/judge.ts` bundled into one self-contained module (no imports). */
async function bundledJudge(): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--format",
      "esm",
      new URL("./judge.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`bundling the judge failed:\n${new TextDecoder().decode(stderr)}`);
  }
  return `// The course's judge (grading/judge.ts and the contracts it uses), bundled by\n` +
    `// \`deno task assignment\`. It checks answers; it holds none.\n` +
    new TextDecoder().decode(stdout);
}

/** The type names a declaration uses, among those `kernels/types.ts` exports. */
async function typesUsed(declarations: string[]): Promise<string[]> {
  const types = await Deno.readTextFile(new URL("types.ts", KERNELS));
  const names = [...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  return names.filter((n) => declarations.some((d) => new RegExp(`\\b${n}\\b`).test(d)));
}

/** Writes a starter folder for `tasks` into `dir` (created; it must not hold a mod.ts yet). */
export async function writeStarter(dir: string, tasks: readonly TaskInfo[]): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  if (await Deno.stat(`${dir}/mod.ts`).then(() => true, () => false)) {
    throw new Error(`${dir}/mod.ts exists already: not overwriting a student's work`);
  }
  const stubs = await Promise.all(tasks.map(stub));
  const typeNames = await typesUsed(stubs);
  const mod = [
    `// Your solutions. Task list: README.md. Run \`deno test\` here to try them.`,
    ...(typeNames.length ? [`import type { ${typeNames.join(", ")} } from "./types.ts";`] : []),
    "",
    stubs.join("\n"),
  ].join("\n");
  const files: Record<string, string> = {
    "mod.ts": mod,
    "mod_test.ts": TEST_FILE,
    "visible_cases.json": JSON.stringify(visibleCases(tasks), null, 1) + "\n",
    "judge.js": await bundledJudge(),
    "types.ts": await Deno.readTextFile(new URL("types.ts", KERNELS)),
    "README.md": readme(tasks),
    // What check-my-work grades when no --tasks is given (grading/cli.ts, starterTasks).
    "assignment.json": JSON.stringify({ tasks: tasks.map((t) => t.id) }) + "\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return Object.keys(files);
}
