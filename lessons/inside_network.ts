/**
 * The three pictures of the inside of a committed reference model (lesson 08 and the
 * results page): conv1's kernels, one test digit's volumes after conv1, pool1, conv2 and
 * pool2, and saliency for the first misread test digits. Computed by `training/inside.ts`
 * from the model's own weights, drawn by `figures/inside.ts`.
 *
 * @module
 */
import { currentBackend } from "../accel/backend.ts";
import { PIXELS, take } from "../data/mnist.ts";
import { activations, firstKernels, type Mistake, mistakes } from "../training/inside.ts";
import { predictLabels } from "../training/loop.ts";
import { loadModel } from "../training/save_model.ts";
import { kernelsFigure, saliencyFigure, volumesFigure } from "./figures/inside.ts";
import { data } from "./mnist_cnn.ts";
import type { Figure } from "./show.ts";

/** What {@link insideNetwork} computes, and the figures drawn from it. */
export interface InsideNetwork {
  kernels: Figure;
  volumes: Figure;
  saliency: Figure;
  /** The test digit the volumes follow (its index in the test set). */
  digit: number;
  mistakes: Omit<Mistake, "image" | "gradient">[];
}

const cache = new Map<string, Promise<InsideNetwork>>();

/**
 * The inside of the model in `dir` (a reference run's folder): kernels, test digit `digit`'s
 * volumes, and saliency for the first `count` misread digits among the first `scan`.
 */
export function insideNetwork(dir: URL, digit = 0, count = 6, scan = 2000) {
  const key = `${dir.href}|${digit}|${count}|${scan}`;
  if (!cache.has(key)) cache.set(key, compute(dir, digit, count, scan));
  return cache.get(key)!;
}

async function compute(dir: URL, digit: number, count: number, scan: number) {
  await currentBackend();
  const model = await loadModel(dir.pathname);
  try {
    const { test } = data();
    const predicted = await predictLabels(model, take(test, scan));
    const wrong = [...predicted.keys()].filter((i) => predicted[i] !== test.labels[i])
      .slice(0, count);
    const image = test.images.slice(digit * PIXELS, (digit + 1) * PIXELS);
    const found = mistakes(model, test.images, test.labels, wrong);
    return {
      kernels: kernelsFigure(firstKernels(model)),
      volumes: volumesFigure(image, test.labels[digit], activations(model, image)),
      saliency: saliencyFigure(found),
      digit,
      mistakes: found.map(({ image: _, gradient: __, ...m }) => m),
    };
  } finally {
    model.dispose();
  }
}
