/**
 * Judges that cannot be gamed (issue 15): every judge (the element-by-element one and each
 * contract) accepts the reference answer and rejects wrong answers, on every graded case and
 * on random draws, and none of them throws on an answer a hostile child could send.
 */
import assert from "node:assert/strict";
import fc from "../deps/fast_check.ts";
import { OP_LIST } from "../kernels/registry.ts";
import type { Op } from "../kernels/op.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import { DROPOUT_FALSE_ALARM } from "../kernels/contracts.ts";
import { UNDERFLOW } from "../kernels/float32.ts";
import { judgementOf } from "../grading/cases.ts";
import { judgeAnswer } from "../grading/judge.ts";

const map = (x: unknown, f: (v: number, i: number) => number): unknown => {
  let i = 0;
  const walk = (v: unknown): unknown => (Array.isArray(v) ? v.map(walk) : f(v as number, i++));
  return walk(x);
};

/** Wrong answers for `op` on `args`, each with a name; every one must be rejected. */
function wrongAnswers(op: Op, args: unknown[], right: unknown): [string, unknown][] {
  // Answers no judge may take, whatever the operation.
  const garbage: [string, unknown][] = [
    ["null", null],
    ["a string", "the answer"],
    ["NaN", NaN],
    ["nested 200 deep", Array.from({ length: 200 }).reduce<unknown>((a) => [a], [])],
  ];
  if (op.contract === "modelSummary") {
    const s = right as { layers: { name: string; shape: number[] }[]; params: number };
    return [
      ...garbage,
      ["params off by one", { ...s, params: s.params + 1 }],
      ["a layer's shape wrong", {
        ...s,
        layers: s.layers.map((l, i) => (i === 0 ? { ...l, shape: l.shape.map((d) => d + 1) } : l)),
      }],
      ["the last layer missing", { ...s, layers: s.layers.slice(0, -1) }],
      ["layers not a list", { ...s, layers: "conv, pool" }],
    ];
  }
  if (op.contract === "dropout" || op.contract === "dropoutBackward") {
    // dropoutBackward(dy, p, { seed }) is judged as dropout of dy in training.
    const [x, p, o] =
      (op.contract === "dropout" ? args : [args[0], args[1], { training: true }]) as [
        unknown,
        number,
        { training: boolean },
      ];
    const wrong: [string, unknown][] = [...garbage, ["a wrong shape", [right]]];
    // Elements whose fate shows: beyond the contract's absolute slack for values float32
    // would flush (UNDERFLOW = 2⁻¹⁰⁰), so that scaling or zeroing them is visible.
    const shows = String(x).split(",").some((v) => Math.abs(Number(v)) > 1e6 * UNDERFLOW);
    if (!shows) return wrong;
    if (!o.training) return [...wrong, ["training applied in evaluation", map(x, (v) => 2 * v)]];
    if (p === 0) return [...wrong, ["all zeros with p = 0", map(x, () => 0)]];
    // A p so small that x/(1 − p) rounds to x within the allowed 10⁻¹²: scaling cannot show.
    if (p < 1e-9) return wrong;
    // Where the mask dropped every element, scaling the kept ones twice changes nothing.
    const kept = String(right).split(",").some((v) => Math.abs(Number(v)) > 1e6 * UNDERFLOW);
    return [
      ...wrong,
      ["kept values not scaled", map(x, (v) => v)],
      ...(kept
        ? [["kept values scaled twice", map(right, (v) => v / (1 - p))] as [string, unknown]]
        : []),
    ];
  }
  // An object (a backward pass's { dx, dweight, dbias }): each value wrong in each of the
  // ways below, and a value missing.
  if (right !== null && typeof right === "object" && !Array.isArray(right)) {
    const entries = Object.entries(right);
    return [
      ...garbage,
      ...entries.flatMap(([key, value]) =>
        wrongAnswers(op, args, value).slice(garbage.length).map(([what, wrong]): [
          string,
          unknown,
        ] => [`${key}: ${what}`, { ...right, [key]: wrong }])
      ),
      [`${entries[0][0]} missing`, Object.fromEntries(entries.slice(1))],
      ["an array instead of the object", entries.map(([, v]) => v)],
    ];
  }
  // Element by element: one element moved by a whole unit (far beyond any rounding), a wrong
  // shape, an element that is not a finite number.
  const moved = Array.isArray(right)
    ? map(right, (v, i) => (i === 0 ? v + Math.max(1, Math.abs(v)) : v))
    : (right as number) + Math.max(1, Math.abs(right as number));
  return [
    ...garbage,
    ["one element moved", moved],
    ["a wrong shape", Array.isArray(right) ? [...right, right[0]] : [right]],
    ["an Infinity inside", map(right, (v, i) => (i === 0 ? Infinity : v))],
  ];
}

/** Judges `got`; the judge must not throw, whatever it is given. */
function judge(op: Op, args: unknown[], got: unknown): string | undefined {
  try {
    return judgeAnswer(judgementOf(op, args), got);
  } catch (e) {
    assert.fail(`${op.name}: the judge threw on ${JSON.stringify(got)?.slice(0, 100)}: ${e}`);
  }
}

Deno.test("every judge accepts the reference and rejects wrong answers, on every graded case", () => {
  let checked = 0;
  for (const op of OP_LIST) {
    const cases = [...op.task.examples, ...op.task.edges].flatMap(([, lists]) => lists);
    for (const args of cases) {
      const right = op.naive(...args);
      assert.equal(judge(op, args, right), undefined, `${op.name} rejects its own reference`);
      for (const [what, wrong] of wrongAnswers(op, args, right)) {
        assert.notEqual(judge(op, args, wrong), undefined, `${op.name} takes "${what}"`);
        checked++;
      }
    }
  }
  assert.ok(checked > 300, `${checked} wrong answers rejected`);
});

Deno.test("every judge on random draws: the reference passes, each wrong answer fails", () => {
  for (const op of OP_LIST) {
    for (const args of fc.sample(arbitraryOf(op), { seed: 11, numRuns: 30 }) as unknown[][]) {
      const right = op.naive(...args);
      assert.equal(judge(op, args, right), undefined, `${op.name}: ${JSON.stringify(args)}`);
      for (const [what, wrong] of wrongAnswers(op, args, right)) {
        assert.notEqual(judge(op, args, wrong), undefined, `${op.name} takes "${what}"`);
      }
    }
  }
});

Deno.test("dropout: all zeros fails the graded 1,000-element case; a fair mask fails 1 in 10⁹", () => {
  const op = OP_LIST.find((o) => o.name === "dropout")!;
  const big = op.task.edges.find(([what]) => /1,000/.test(what))![1][0];
  const [x] = big as [number[][]];
  assert.match(judge(op, big, x.map((r) => r.map(() => 0))) ?? "", /1000 of 1000/);
  // Keeping everything (scaled) is as wrong as dropping everything.
  const [, p] = big as [number[][], number];
  assert.match(judge(op, big, x.map((r) => r.map((v) => v / (1 - p)))) ?? "", /0 of 1000/);
  // Fair masks from another generator pass (the stated false-failure rate is 1e-9).
  assert.equal(DROPOUT_FALSE_ALARM, 1e-9);
  let rejected = 0;
  for (let seed = 0; seed < 200; seed++) {
    const r = op.naive(x, p, { training: true, seed: seed + 1000 });
    if (judge(op, [x, p, { training: true, seed: 11 }], r) !== undefined) rejected++;
  }
  assert.equal(rejected, 0);
});
