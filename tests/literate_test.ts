import assert from "node:assert/strict";
import { formatArray, formatNumber, renderText, splitLiterate } from "../lessons/literate.ts";

const SAMPLE = `// deno-lint-ignore-file no-explicit-any
/**
 * # A lesson
 *
 * Prose with math, $\\lfloor (n + 2p - m)/s \\rfloor + 1$.
 *
 *     an indented Markdown code block
 *
 * @module
 */
import { conv1d } from "./conv.ts";

/**
 * The flip.
 */
// deno-lint-ignore no-unused-vars
const w = [1, 0, 3];
function f() {
  /** an indented doc comment is code */
  return w;
}

/** One-liner. */ export const x = 1;
/**/
const after = "/** not prose, not at column 0";
`;

Deno.test("splitLiterate: prose and code alternate in reading order, with start lines", () => {
  const blocks = splitLiterate(SAMPLE);
  assert.deepEqual(blocks.map((b) => [b.kind, b.line]), [
    ["prose", 2],
    ["code", 11],
    ["prose", 13],
    ["code", 17],
    ["prose", 23],
    ["code", 23],
  ]);
});

Deno.test("splitLiterate: a code block's endLine is its last line kept, past pragmas and blanks", () => {
  const code = splitLiterate(SAMPLE).filter((b) => b.kind === "code");
  assert.deepEqual(code.map((b) => b.kind === "code" && [b.line, b.endLine]), [
    [11, 11],
    [17, 21],
    [23, 25],
  ]);
});

Deno.test("splitLiterate: strips JSDoc margins, keeps Markdown indentation, drops @module", () => {
  const [header, , flip, , oneLiner] = splitLiterate(SAMPLE);
  assert.equal(
    header.kind === "prose" && header.markdown,
    "# A lesson\n\nProse with math, $\\lfloor (n + 2p - m)/s \\rfloor + 1$.\n\n" +
      "    an indented Markdown code block",
  );
  assert.equal(flip.kind === "prose" && flip.markdown, "The flip.");
  assert.equal(oneLiner.kind === "prose" && oneLiner.markdown, "One-liner.");
});

Deno.test("splitLiterate: code is verbatim, minus lint/fmt pragmas", () => {
  const code = splitLiterate(SAMPLE).filter((b) => b.kind === "code").map((b) =>
    b.kind === "code" ? b.code : ""
  );
  assert.equal(code[0], `import { conv1d } from "./conv.ts";`);
  assert.equal(
    code[1],
    "const w = [1, 0, 3];\nfunction f() {\n  /** an indented doc comment is code */\n  return w;\n}",
  );
  assert.equal(
    code[2],
    `export const x = 1;\n/**/\nconst after = "/** not prose, not at column 0";`,
  );
  assert.ok(!code.join("\n").includes("deno-lint"));
});

Deno.test("splitLiterate: no prose, CRLF line ends and an unterminated comment", () => {
  assert.deepEqual(splitLiterate("const a = 1;\r\nconst b = 2;\r\n"), [
    { kind: "code", code: "const a = 1;\nconst b = 2;", line: 1, endLine: 2 },
  ]);
  assert.deepEqual(splitLiterate("/**\n * dangling\n"), [
    { kind: "prose", markdown: "dangling", line: 1 },
  ]);
  assert.deepEqual(splitLiterate(""), []);
});

Deno.test("splitLiterate: joining the blocks loses only comment syntax and pragmas", async () => {
  // On a real lesson: every code line appears in the split, in order.
  const source = await Deno.readTextFile(new URL("../lessons/literate.ts", import.meta.url));
  const blocks = splitLiterate(source);
  assert.equal(blocks[0].kind, "prose");
  const codeLines = blocks.flatMap((b) => b.kind === "code" ? b.code.split("\n") : []);
  let at = 0;
  for (const line of source.split("\n")) {
    if (line === codeLines[at]) at++;
  }
  assert.equal(at, codeLines.length, "code lines out of order or altered");
  assert.ok(codeLines.some((l) => l.startsWith("export function splitLiterate")));
});

Deno.test("renderText: headings underlined, code indented behind a gutter", () => {
  const text = renderText([
    { kind: "prose", markdown: "# Title\n\nBody.\n\n```text\nn = 8\n```", line: 1 },
    { kind: "code", code: "const a = 1;\n\nfoo();", line: 5, endLine: 7 },
  ]);
  assert.equal(
    text,
    "Title\n═════\n\nBody.\n\n    n = 8\n\n    │ const a = 1;\n    │\n    │ foo();\n",
  );
});

Deno.test("formatArray prints like NumPy: aligned columns, rows on lines", () => {
  assert.equal(formatArray([5, 14, 16, 26]), "[ 5 14 16 26]");
  assert.equal(formatArray([[0, 3], [-1, 0]]), "[[ 0  3]\n [-1  0]]");
  assert.equal(formatArray(new Uint8Array([255, 0])), "[255   0]");
  assert.equal(formatArray([[[1]], [[2]]]), "[[[1]]\n\n [[2]]]");
  assert.equal(formatNumber(0.37110), "0.3711");
  assert.equal(formatNumber(-0), "0");
  assert.equal(formatNumber(-1e-9), "0");
  assert.throws(() => formatArray(["a"]), /formatArray/);
});
