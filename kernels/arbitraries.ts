/**
 * fast-check arbitraries for the argument tuples of every kernel in the pair
 * registry. Shapes are valid *by construction* (a kernel never outgrows its padded
 * input, a pooling window fits, targets are in range), so every generated case
 * exercises the arithmetic, not the argument checks.
 *
 * Values are float64 doubles, not float32-friendly ones: the TF.js twins round
 * them to float32 and the registry's tolerances account for that rounding.
 *
 * ```ts
 * import fc from "npm:fast-check@4.10.2";
 * import { conv1dArgs } from "./arbitraries.ts";
 * import { convOutputSize } from "./conv.ts";
 * for (const [x, w, { padding, stride }] of fc.sample(conv1dArgs, 20)) {
 *   convOutputSize(x.length, w.length, padding as number, stride as number); // never throws
 * }
 * ```
 *
 * @module
 */
import fc from "npm:fast-check@4.10.2";
import type {
  ConvOptions,
  DropoutOptions,
  IntPair,
  NestedNumberArray,
  PoolOptions,
} from "./types.ts";

/**
 * A moderate value: a whole number or a double. `withCrossShrink` lets a failing
 * double shrink to a whole number, so counterexamples read like `[1, 0, -2]`.
 */
export const value: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
);

/**
 * A logit: usually moderate, often huge (up to ±1000), because the stable
 * formulas exist precisely for |x| ≫ 1 (e^800 overflows float64, e^89 float32).
 */
export const logit: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  value,
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.constantFrom(-1000, -800, -100, 100, 800, 1000),
);

/** A probability: exactly 0 or 1 (where BCE's clamp at −100 acts), or in between. */
export const probability: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1),
  fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
);

/** A vector of exactly `n` entries. */
export function vectorOf(n: number, v: fc.Arbitrary<number> = value): fc.Arbitrary<number[]> {
  return fc.array(v, { minLength: n, maxLength: n });
}

/** An `r × c` matrix. */
export function matrixOf(
  r: number,
  c: number,
  v: fc.Arbitrary<number> = value,
): fc.Arbitrary<number[][]> {
  return fc.array(vectorOf(c, v), { minLength: r, maxLength: r });
}

/** A nested array of exactly `shape` (a scalar for shape `[]`). */
export function tensorOf(
  shape: number[],
  v: fc.Arbitrary<number> = value,
): fc.Arbitrary<NestedNumberArray> {
  if (shape.length === 0) return v;
  const [first, ...rest] = shape;
  return fc.array(tensorOf(rest, v), { minLength: first, maxLength: first });
}

/** A tensor of rank 0 to `maxRank`, each dimension 1 to `maxDim`. */
export function anyTensor(maxRank = 3, maxDim = 4): fc.Arbitrary<NestedNumberArray> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { maxLength: maxRank })
    .chain((shape) => tensorOf(shape));
}

/** `n` as a plain number when both halves agree, sometimes; as `[r, c]` otherwise. */
function pairOption(pair: [number, number]): fc.Arbitrary<IntPair> {
  return pair[0] === pair[1] ? fc.constantFrom<IntPair>(pair[0], pair) : fc.constant(pair);
}

/** conv1d(x, w, { padding, stride }): 1 ≤ m ≤ n + 2p, stride 1 to 4. */
export const conv1dArgs: fc.Arbitrary<[number[], number[], ConvOptions]> = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    padding: fc.integer({ min: 0, max: 3 }),
    stride: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ n, padding, stride }) =>
    fc.tuple(
      vectorOf(n),
      fc.integer({ min: 1, max: n + 2 * padding }).chain((m) => vectorOf(m)),
      fc.constant<ConvOptions>({ padding, stride }),
    )
  );

/** Sizes of a 2-D convolution whose kernel fits the padded input. */
const conv2dShape = fc
  .record({
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    pr: fc.integer({ min: 0, max: 2 }),
    pc: fc.integer({ min: 0, max: 2 }),
    sr: fc.integer({ min: 1, max: 3 }),
    sc: fc.integer({ min: 1, max: 3 }),
  })
  .chain((s) =>
    fc.record({
      kh: fc.integer({ min: 1, max: Math.min(5, s.h + 2 * s.pr) }),
      kw: fc.integer({ min: 1, max: Math.min(5, s.w + 2 * s.pc) }),
      padding: pairOption([s.pr, s.pc]),
      stride: pairOption([s.sr, s.sc]),
      h: fc.constant(s.h),
      w: fc.constant(s.w),
    })
  );

/** conv2d(X, W, { padding, stride }), padding and stride as a number or a pair. */
export const conv2dArgs: fc.Arbitrary<[number[][], number[][], ConvOptions]> = conv2dShape.chain((
  s,
) =>
  fc.tuple(
    matrixOf(s.h, s.w),
    matrixOf(s.kh, s.kw),
    fc.constant<ConvOptions>({ padding: s.padding, stride: s.stride }),
  )
);

/** conv2dLayer(x, weight, bias?, options): N 1–2, Cin and Cout 1–3, bias sometimes absent. */
export const conv2dLayerArgs: fc.Arbitrary<
  [number[][][][], number[][][][], number[] | undefined, ConvOptions]
> = fc
  .record({
    s: conv2dShape,
    n: fc.integer({ min: 1, max: 2 }),
    cin: fc.integer({ min: 1, max: 3 }),
    cout: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ s, n, cin, cout }) =>
    fc.tuple(
      tensorOf([n, cin, s.h, s.w]) as fc.Arbitrary<number[][][][]>,
      tensorOf([cout, cin, s.kh, s.kw]) as fc.Arbitrary<number[][][][]>,
      fc.option(vectorOf(cout), { nil: undefined }),
      fc.constant<ConvOptions>({ padding: s.padding, stride: s.stride }),
    )
  );

/** maxPool2d/avgPool2d(X, { size, stride? }): the window fits X; stride defaults to size. */
export const poolArgs: fc.Arbitrary<[number[][], PoolOptions]> = fc
  .record({ h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }) })
  .chain(({ h, w }) =>
    fc.tuple(
      matrixOf(h, w),
      fc.record({ kh: fc.integer({ min: 1, max: h }), kw: fc.integer({ min: 1, max: w }) })
        .chain(({ kh, kw }) =>
          fc.record(
            {
              size: pairOption([kh, kw]),
              stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
                .chain(pairOption),
            },
            { requiredKeys: ["size"] },
          )
        ),
    )
  );

/** sigmoid(x): a vector of logits. */
export const sigmoidArgs: fc.Arbitrary<[number[]]> = fc.tuple(
  fc.integer({ min: 1, max: 8 }).chain((n) => vectorOf(n, logit)),
);

/** softmax/logSoftmax(x): a batch of rows of logits. */
export const logitRowsArgs: fc.Arbitrary<[number[][]]> = fc.tuple(
  fc.record({ r: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 6 }) })
    .chain(({ r, c }) => matrixOf(r, c, logit)),
);

/** A target of binary cross-entropy: a hard label 0 or 1, or a soft one in [0, 1]. */
const binaryTarget = fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }));

/** binaryCrossEntropy(probs, targets). */
export const bceArgs: fc.Arbitrary<[number[], number[]]> = fc.integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(vectorOf(n, probability), vectorOf(n, binaryTarget)));

/** binaryCrossEntropyWithLogits(logits, targets), logits up to ±1000. */
export const bceWithLogitsArgs: fc.Arbitrary<[number[], number[]]> = fc.integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(vectorOf(n, logit), vectorOf(n, binaryTarget)));

/** A batch of `rows × classes` scores and one class index per row. */
function classBatch(score: fc.Arbitrary<number>): fc.Arbitrary<[number[][], number[]]> {
  return fc.record({ r: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }) })
    .chain(({ r, c }) =>
      fc.tuple(matrixOf(r, c, score), vectorOf(r, fc.integer({ min: 0, max: c - 1 })))
    );
}

/** nllLoss(logProbs, targets): log-probabilities are ≤ 0. */
export const nllArgs: fc.Arbitrary<[number[][], number[]]> = classBatch(
  fc.oneof(fc.integer({ min: -20, max: 0 }), fc.double({ min: -50, max: 0, noNaN: true })),
);

/** crossEntropy(logits, targets), logits up to ±1000. */
export const crossEntropyArgs: fc.Arbitrary<[number[][], number[]]> = classBatch(logit);

/** l2Penalty(params, lambda): one to three tensors of rank 0–3, λ in [0, 1]. */
export const l2Args: fc.Arbitrary<[NestedNumberArray[], number]> = fc.tuple(
  fc.array(anyTensor(), { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.constantFrom(0, 0.001, 1), fc.double({ min: 0, max: 1, noNaN: true })),
);

/** dropout(x, p, { training, seed }): p in [0, 0.9], both modes, a 32-bit seed. */
export const dropoutArgs: fc.Arbitrary<[NestedNumberArray, number, DropoutOptions]> = fc.tuple(
  anyTensor(),
  fc.oneof(fc.constantFrom(0, 0.5), fc.double({ min: 0, max: 0.9, noNaN: true })),
  fc.record({ training: fc.boolean(), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
);
