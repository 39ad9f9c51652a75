/**
 * Starter folders (`deno task assignment new DIR --tasks 02.1,04.1`): a `mod.ts` with the
 * contract's signatures for the chosen tasks, each throwing "not implemented yet (task …)";
 * the lecture's examples and the edge cases as visible tests that run with a plain
 * `deno test` in that folder; a README. The folder works outside the repository: it carries
 * the judge it needs (copies of `judge.ts` and `structural.ts`, the contract's `types.ts`)
 * and the expected answers as data, so it imports nothing from the course and nothing from npm.
 *
 * @module
 */
import type { Task } from "../lessons/tasks.ts";
import { testsFor } from "./cases.ts";
import { REFERENCES } from "./reference.ts";

/** Each task's stub: JSDoc and signature (the body is written by {@link stub}). */
const SIGNATURES: Record<string, string> = {
  conv1d: `/** True 1-D convolution (flip the kernel), zero padding, stride. */
export function conv1d(x: number[], w: number[], options: ConvOptions = {}): number[]`,
  convOutputSize: `/** The output length ⌊(n + 2p − m)/s⌋ + 1. */
export function convOutputSize(n: number, m: number, padding = 0, stride = 1): number`,
  conv2d: `/** True 2-D convolution; padding and stride are a number or [rows, cols]. */
export function conv2d(X: number[][], W: number[][], options: ConvOptions = {}): number[][]`,
  maxPool2d: `/** Max pooling, no padding; stride defaults to the window size. */
export function maxPool2d(X: number[][], options: PoolOptions): number[][]`,
  avgPool2d: `/** Average pooling, no padding; stride defaults to the window size. */
export function avgPool2d(X: number[][], options: PoolOptions): number[][]`,
  conv2dLayer:
    `/** nn.Conv2d: x is [N][Cin][H][W], weight [Cout][Cin][kH][kW]; cross-correlation plus bias. */
export function conv2dLayer(
  x: number[][][][],
  weight: number[][][][],
  bias?: number[],
  options: ConvOptions = {},
): number[][][][]`,
  sigmoid: `/** The logistic sigmoid, element-wise, for logits as large as ±1000. */
export function sigmoid(x: number[]): number[]`,
  softmax: `/** Softmax of each row, stable for logits of ±1000. */
export function softmax(x: number[][]): number[][]`,
  logSoftmax: `/** Log-softmax of each row, stable for logits of ±1000. */
export function logSoftmax(x: number[][]): number[][]`,
  binaryCrossEntropy: `/** Mean BCE of probabilities, each log clamped at −100 (nn.BCELoss). */
export function binaryCrossEntropy(probs: number[], targets: number[]): number`,
  binaryCrossEntropyWithLogits:
    `/** Mean BCE from logits, stable for |logit| ≫ 1 (nn.BCEWithLogitsLoss). */
export function binaryCrossEntropyWithLogits(logits: number[], targets: number[]): number`,
  nllLoss: `/** Mean negative log-likelihood of the target classes (nn.NLLLoss). */
export function nllLoss(logProbs: number[][], targets: number[]): number`,
  crossEntropy: `/** Cross-entropy from logits (nn.CrossEntropyLoss), stable for logits of ±1000. */
export function crossEntropy(logits: number[][], targets: number[]): number`,
  l2Penalty: `/** λ Σ w² over every number of every parameter. */
export function l2Penalty(params: NestedNumberArray[], lambda: number): number`,
  dropout:
    `/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1 − p). */
export function dropout<T extends NestedNumberArray>(x: T, p: number, options: DropoutOptions): T`,
  extraConvModel: `/**
 * The lecture's CNN with an extra 5×5×128 conv block (pad 2, ReLU, max-pool 2) after pool2,
 * for one 1×size×size image: each layer's output shape, channels first and without the batch
 * axis (conv1 [32, size, size], pool1 …, flatten [features], fc1 [1024], fc2 [10]), and the
 * number of parameters (weights plus biases). Layers that keep the shape may be left out.
 */
export function extraConvModel(size: number): ModelSummary`,
};

/** One stub. */
function stub(task: Task): string {
  return `${
    SIGNATURES[task.fn]
  } {\n  throw new Error("not implemented yet (task ${task.id})");\n}\n`;
}

/** One visible case, with what the carried judge needs. */
interface VisibleCase {
  task: string;
  fn: string;
  name: string;
  args: unknown[];
  undef: number[];
  kind: "numbers" | "dropout" | "model";
  expected: unknown;
  scale?: number | number[];
}

/** The visible cases of `tasks`, with expected answers and scales, as JSON data. */
export function visibleCases(tasks: readonly Task[]): VisibleCase[] {
  return tasks.flatMap((task) =>
    testsFor(task, { hidden: false, seed: 1, numRuns: 1 }).flatMap((spec) =>
      (spec.cases ?? []).map((args, i) => {
        const ref = REFERENCES[task.fn];
        return {
          task: task.id,
          fn: task.fn,
          name: `${spec.name}${spec.cases!.length > 1 ? ` (case ${i + 1})` : ""}`,
          args: args.map((a) => (a === undefined ? null : a)),
          undef: args.flatMap((a, k) => (a === undefined ? [k] : [])),
          kind: ref.kind,
          expected: ref.expected(args),
          scale: ref.scale?.(args),
        };
      })
    )
  );
}

const TEST_FILE = `// The visible tests of this assignment: the lecture's examples and edge cases.
// Run them with \`deno test\` in this folder. The grader runs these and hidden property tests.
import * as mod from "./mod.ts";
import cases from "./visible_cases.json" with { type: "json" };
import { judgeNumbers } from "./judge.ts";
import { judgeDropout, judgeModel, type ModelAnswer } from "./structural.ts";

for (const c of cases) {
  Deno.test(\`task \${c.task} \${c.name}\`, () => {
    const args: unknown[] = [...c.args];
    for (const i of c.undef) args[i] = undefined;
    // deno-lint-ignore no-explicit-any
    const got = (mod as any)[c.fn](...args);
    const scale = c.scale as number | number[] | undefined;
    const wrong = c.kind === "dropout"
      ? judgeDropout(args[0], args[1] as number, (args[2] as { training: boolean }).training, got)
      : c.kind === "model"
      ? judgeModel(c.expected as ModelAnswer, got)
      : judgeNumbers(c.expected, got, (k) => (Array.isArray(scale) ? scale[k] : scale ?? 0));
    if (wrong) {
      throw new Error(\`\${c.fn}(\${JSON.stringify(c.args).slice(1, -1)})\\n  expected: \${
        JSON.stringify(c.expected)
      }\\n  \${wrong}\\n  got: \${JSON.stringify(got)}\`);
    }
  });
}
`;

function readme(tasks: readonly Task[]): string {
  return `# litconv assignment

Tasks:

${tasks.map((t) => `- **${t.id}** \`${t.fn}\`: ${t.title} (lesson ${t.lesson})`).join("\n")}

1. Write each function in \`mod.ts\` (replace the \`throw new Error("not implemented yet …")\`).
   Plain nested arrays of numbers in and out; \`types.ts\` has the option types.
2. Run the visible tests here: \`deno test\`. They are the lecture's examples and a few edge
   cases (stride with a remainder, padding larger than the kernel, 1×1 inputs, logits of ±1000).
3. Check your work with the grader: from the course's folder, \`deno task grade PATH/TO/THIS/FOLDER\`,
   or from this folder, \`deno task --config PATH/TO/litconv/deno.json grade .\` (visible tests;
   add \`--hidden\` for the property runs that grading adds: random inputs, compared with the
   course's reference in float64).

Rules the grader enforces: \`mod.ts\` may import only files inside this folder (no npm, no
URLs, not the course's own kernels; a \`deno.json\` here is ignored); it runs without file,
network or environment access, with a few seconds per call and limited memory. Anything it
prints is shown to you, never graded.
`;
}

/** Writes a starter folder for `tasks` into `dir` (created; it must not hold a mod.ts yet). */
export async function writeStarter(dir: string, tasks: readonly Task[]): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  if (await Deno.stat(`${dir}/mod.ts`).then(() => true, () => false)) {
    throw new Error(`${dir}/mod.ts exists already: not overwriting a student's work`);
  }
  const here = (f: string) => new URL(f, import.meta.url);
  const fns = new Set(tasks.map((t) => t.fn));
  const typeNames = ["ConvOptions", "PoolOptions", "DropoutOptions", "NestedNumberArray"].filter(
    (name) => tasks.some((t) => SIGNATURES[t.fn].includes(name)),
  );
  const mod = [
    `// Your solutions. Task list: README.md. Run \`deno test\` here to try them.`,
    ...(typeNames.length ? [`import type { ${typeNames.join(", ")} } from "./types.ts";`] : []),
    ...(fns.has("extraConvModel")
      ? [`import type { ModelAnswer as ModelSummary } from "./structural.ts";`]
      : []),
    "",
    tasks.map(stub).join("\n"),
  ].join("\n");
  const files: Record<string, string> = {
    "mod.ts": mod,
    "mod_test.ts": TEST_FILE,
    "visible_cases.json": JSON.stringify(visibleCases(tasks), null, 1) + "\n",
    "judge.ts": await Deno.readTextFile(here("./judge.ts")),
    "structural.ts": await Deno.readTextFile(here("./structural.ts")),
    "types.ts": await Deno.readTextFile(here("../kernels/types.ts")),
    "README.md": readme(tasks),
    "assignment.json": JSON.stringify({ tasks: tasks.map((t) => t.id) }) + "\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return Object.keys(files);
}
