/**
 * The training shuffle (`Rng.permutation`, Fisher–Yates) must draw every order, evenly.
 * The classic off-by-one, `int(i)` for `int(i + 1)`, is Sattolo's algorithm: it draws
 * only single-cycle orders (never a fixed point), so 2 of the 6 orders of 3, and every
 * other test of the training loop still passes with it.
 */
import assert from "node:assert/strict";
import { Rng } from "../kernels/rng.ts";

Deno.test("Rng.permutation: all 6 orders of 3 appear, each about 1/6 of the time", () => {
  const counts = new Map<string, number>();
  const draws = 6000;
  for (let seed = 0; seed < draws; seed++) {
    const order = [...new Rng(seed).permutation(3)].join("");
    counts.set(order, (counts.get(order) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ["012", "021", "102", "120", "201", "210"]);
  // 1,000 expected each; the standard deviation is ≈ 29, so ±150 is > 5 σ: a fixed set of
  // seeds either passes or fails for good, and a biased shuffle fails.
  for (const [order, n] of counts) assert.ok(Math.abs(n - 1000) < 150, `${order}: ${n}`);
});

Deno.test("Rng.permutation: one stream's successive shuffles of 10 keep fixed points as often as chance", () => {
  const rng = new Rng(1);
  const runs = 2000;
  let withFixedPoint = 0;
  let firstStaysFirst = 0;
  for (let r = 0; r < runs; r++) {
    const p = rng.permutation(10);
    assert.deepEqual([...p].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (p.some((v, i) => v === i)) withFixedPoint++;
    if (p[0] === 0) firstStaysFirst++;
  }
  // P(some fixed point) = 1 − 1/e ≈ 0.632 for a uniform order; P(p[0] = 0) = 1/10.
  assert.ok(Math.abs(withFixedPoint / runs - 0.632) < 0.05, `${withFixedPoint}/${runs}`);
  assert.ok(Math.abs(firstStaysFirst / runs - 0.1) < 0.03, `${firstStaysFirst}/${runs}`);
});

Deno.test("Rng.permutation: edge sizes 0 and 1, and the same seed gives the same order", () => {
  assert.deepEqual([...new Rng(3).permutation(0)], []);
  assert.deepEqual([...new Rng(3).permutation(1)], [0]);
  assert.deepEqual([...new Rng(7).permutation(50)], [...new Rng(7).permutation(50)]);
  assert.notDeepEqual([...new Rng(7).permutation(50)], [...new Rng(8).permutation(50)]);
});
