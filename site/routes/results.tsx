/** Results: every run (committed reference runs first), and lecture vs extra-conv compared. */
import { usePage } from "../lib/context.ts";
import { type ResultsData, resultsData, type RunView } from "../lib/results_data.ts";
import type { SeedRun } from "../../lessons/reference.ts";
import { LECTURE_TEST_ACCURACY } from "../lib/runs_data.ts";
import { FigureOutput } from "../components/Output.tsx";

export const load = (): Promise<ResultsData> => resultsData();
export const title = (): string => "Results";

const pct = (a: number) => `${(100 * a).toFixed(2)} %`;

/** PyTorch's test accuracy for a seed number, or a dash where it has no run of that seed. */
const torchCell = (runs: readonly SeedRun[], seed: number) => {
  const run = runs.find((t) => t.seed === seed);
  return run ? pct(run.testAccuracy) : "–";
};
const epochs = (n: number) => `${n} epoch${n === 1 ? "" : "s"}`;
const count = (n: number) => n.toLocaleString("en-US");

function Chart({ svg, label }: { svg: string; label: string }) {
  return (
    <div class="chart" role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: svg }} />
  );
}

function Run({ v }: { v: RunView }) {
  const page = usePage();
  const { run } = v;
  const m = run.metrics;
  const c = m.config;
  const test = m.testAccuracy;
  return (
    <section class="run" id={run.id}>
      <h2>
        {run.reference ? "Reference run: " : "Run "}
        <code>{run.id}</code>
      </h2>
      <dl class="facts">
        <dt>model</dt>
        <dd>{c.model}</dd>
        <dt>config</dt>
        <dd>
          {epochs(c.epochs)}, batch {c.batchSize}, Adam {c.learningRate}, seed {c.seed}, train on
          {" "}
          {count(c.limit ?? 50000)} images, evaluate on {count(c.evalLimit ?? 10000)}
        </dd>
        <dt>backend</dt>
        <dd>
          {m.backend} ({m.device})
        </dd>
        {v.machine && (
          <>
            <dt>machine</dt>
            <dd>{v.machine}</dd>
          </>
        )}
        <dt>duration</dt>
        <dd>{(v.seconds / 60).toFixed(1)} min of training ({epochs(m.history.length)})</dd>
        <dt>versions</dt>
        <dd>
          TF.js {m.versions.tfjs}, Deno {m.versions.deno}
        </dd>
        <dt>test accuracy</dt>
        <dd>
          {test === null ? "not finished" : (
            <>
              <strong data-test-accuracy>{test.toFixed(4)}</strong> against the lecture's{" "}
              {LECTURE_TEST_ACCURACY} ({test >= LECTURE_TEST_ACCURACY ? "+" : "−"}
              {(Math.abs(test - LECTURE_TEST_ACCURACY) * 100).toFixed(2)} points)
            </>
          )}
        </dd>
        {v.reference && (
          <>
            <dt>weights</dt>
            <dd>
              uint8-quantized for the browser, {(v.reference.quantizedWeightBytes / 1e6).toFixed(1)}
              {" "}
              MB instead of {(v.reference.floatWeightBytes / 1e6).toFixed(1)} MB; test accuracy{" "}
              {v.reference.quantizedTestAccuracy.toFixed(4)} quantized against{" "}
              {v.reference.floatTestAccuracy.toFixed(4)} in float32 ({count(v.reference.testImages)}
              {" "}
              test images, {v.reference.backend})
            </dd>
          </>
        )}
      </dl>
      <h3>Per epoch</h3>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">epoch</th>
              <th scope="col">train loss</th>
              <th scope="col">train acc.</th>
              <th scope="col">valid loss</th>
              <th scope="col">valid acc.</th>
              <th scope="col">seconds</th>
              <th scope="col">images/s</th>
            </tr>
          </thead>
          <tbody>
            {m.history.map((h) => (
              <tr key={h.epoch}>
                <td>{h.epoch}</td>
                <td>{h.trainLoss.toFixed(4)}</td>
                <td>{h.trainAccuracy.toFixed(4)}</td>
                <td>{h.validLoss.toFixed(4)}</td>
                <td>{h.validAccuracy.toFixed(4)}</td>
                <td>{h.seconds.toFixed(0)}</td>
                <td>{h.imagesPerSecond.toFixed(0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="charts">
        {v.curves && (
          <div>
            <h3>Loss and accuracy</h3>
            <Chart svg={v.curves} label={`Loss and accuracy by epoch for ${run.id}`} />
          </div>
        )}
        {v.confusion && (
          <div>
            <h3>Confusion matrix</h3>
            <Chart svg={v.confusion} label={`Confusion matrix of the test set for ${run.id}`} />
          </div>
        )}
        {run.files.includes("predictions.png") && (
          <div>
            <h3>The first 12 test digits</h3>
            <img
              class="predictions"
              src={page.asset(`${run.dir}/predictions.png`, `runs/${run.id}/predictions.png`)}
              alt={`The first 12 test digits with the predicted and true label of each, wrong predictions marked, run ${run.id}`}
            />
          </div>
        )}
        {v.rotation && (
          <div>
            <h3>Accuracy against rotation</h3>
            <Chart svg={v.rotation} label={`Test accuracy against rotation angle for ${run.id}`} />
          </div>
        )}
      </div>
    </section>
  );
}

export default function Results({ data }: { data: ResultsData }) {
  return (
    <>
      <h1>Results</h1>
      <p>
        Every training run in <code>data/runs/</code>{" "}
        and the committed reference runs, drawn from their run folders. Train another with{" "}
        <code>deno task train</code> and it appears here on the next build.
      </p>
      {data.runs.length > 0 && (
        <nav aria-label="Runs">
          <ul>
            {data.runs.map((v) => (
              <li>
                <a href={`#${v.run.id}`}>{v.run.id}</a>
                {v.run.metrics.testAccuracy !== null &&
                  ` (test accuracy ${pct(v.run.metrics.testAccuracy)})`}
              </li>
            ))}
          </ul>
        </nav>
      )}
      {data.comparison && (
        <section id="compare">
          <h2>The lecture's model against the extra-conv exercise</h2>
          <p>
            Validation accuracy and loss by epoch of <code>{data.comparison.a}</code> and{" "}
            <code>{data.comparison.b}</code>, on the same axes.
          </p>
          <Chart
            svg={data.comparison.svg}
            label="Validation accuracy and loss by epoch, lecture against extra-conv"
          />
        </section>
      )}
      {data.inside && (
        <section id="inside">
          <h2>Inside the reference model</h2>
          <p>
            What the committed lecture model learned, computed from its weights (lesson 08 shows the
            same): conv1's kernels, one test digit's feature maps after each stage, and for misread
            digits the gradient of the wrong class's logit with respect to each pixel.
          </p>
          <div class="figures">
            {data.inside.map(({ label, figure }) => (
              <FigureOutput output={{ label, line: 0, text: figure.alt, figure }} />
            ))}
          </div>
        </section>
      )}
      {data.seeds && (
        <section id="seeds">
          <h2>Seed to seed</h2>
          <p>
            The lecture's model trained by the default run (<code>deno task train --seed N</code>,
            {" "}
            20 epochs) for {data.seeds.runs.length}{" "}
            seeds with the current kernels: how far test accuracy moves with nothing changed but the
            seed. Mean {pct(data.seeds.spread.mean)} ± {pct(data.seeds.spread.sd)}{" "}
            (sample deviation), from {pct(data.seeds.spread.lowest)} to{" "}
            {pct(data.seeds.spread.highest)}; the lecture's own run reached{" "}
            {pct(data.seeds.lecture)}, {data.seeds.lecture >= data.seeds.spread.lowest &&
                data.seeds.lecture <= data.seeds.spread.highest
              ? "inside"
              : "outside"} that spread.
          </p>
          {data.seeds.pytorch && (
            <p class="pytorch-seeds">
              The lecture's own PyTorch loop (<code>bench/torch_train.py</code>, on the CPU) for the
              same seed numbers: mean {pct(data.seeds.pytorch.spread.mean)} ±{" "}
              {pct(data.seeds.pytorch.spread.sd)}, from {pct(data.seeds.pytorch.spread.lowest)} to
              {" "}
              {pct(data.seeds.pytorch.spread.highest)}. A seed number draws differently in the two
              libraries: compare the spreads, not the rows.
            </p>
          )}
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>seed</th>
                  <th>test accuracy</th>
                  <th>validation accuracy (last epoch)</th>
                  <th>minutes</th>
                  {data.seeds.pytorch && <th>PyTorch: test accuracy</th>}
                </tr>
              </thead>
              <tbody>
                {data.seeds.runs.map((r) => (
                  <tr>
                    <td>{r.seed}</td>
                    <td>{pct(r.testAccuracy)}</td>
                    <td>{pct(r.validAccuracy)}</td>
                    <td>{r.minutes.toFixed(1)}</td>
                    {data.seeds!.pytorch && <td>{torchCell(data.seeds!.pytorch.runs, r.seed)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {data.runs.length === 0 && <p>No runs yet.</p>}
      {data.runs.map((v) => <Run key={v.run.id} v={v} />)}
    </>
  );
}
