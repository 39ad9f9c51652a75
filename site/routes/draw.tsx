/** Draw a digit: the trained model reads your handwriting in the browser. */
import DigitPad from "../islands/DigitPad.tsx";
import { usePage } from "../lib/context.ts";
import { Island } from "../lib/island.tsx";
import { type SiteRun, siteRuns } from "../lib/runs_data.ts";

interface DrawData {
  run?: SiteRun;
  /** The files the model needs: model.json, then its weight files. */
  files: string[];
}

/** The lecture's reference model, else the newest lecture run that saved one. */
export async function load(): Promise<DrawData> {
  const runs = (await siteRuns()).filter((r) =>
    r.metrics.config.model === "lecture" && r.files.includes("model.json")
  );
  const run = runs.find((r) => r.reference) ?? runs[0];
  if (!run) return { files: [] };
  const manifest = JSON.parse(await Deno.readTextFile(`${run.dir}/model.json`));
  const weights: string[] = manifest.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
  return { run, files: ["model.json", ...weights] };
}

export const title = (): string => "Draw a digit";

export default function Draw({ data }: { data: DrawData }) {
  const page = usePage();
  const { run } = data;
  const links = run
    ? data.files.map((f) => page.asset(`${run.dir}/${f}`, `runs/${run.id}/${f}`))
    : [];
  return (
    <article>
      <h1>Draw a digit</h1>
      <p class="narrow">
        Your drawing is prepared the way MNIST's digits were (the ink's box scaled to 20×20 pixels,
        its centre of mass moved to the middle of a 28×28 field) and read by the lecture's CNN,
        trained by{" "}
        <code>deno task train</code>, running in your browser. Turn the slider to rotate the digit
        and watch the prediction fail as in{" "}
        <a href={page.href("lessons/09-rotation/index.html")}>lesson 09</a>.
      </p>
      {run
        ? (
          <Island
            name="DigitPad"
            component={DigitPad}
            props={{
              modelUrl: links[0],
              runLabel: `${
                run.reference
                  ? `the committed reference run (${run.metrics.config.model})`
                  : `run ${run.id}`
              }, test accuracy ${run.metrics.testAccuracy?.toFixed(4) ?? "n/a"}`,
            }}
          />
        )
        : (
          <p>
            No trained model yet: run <code>deno task train</code> and build the site again.
          </p>
        )}
    </article>
  );
}
