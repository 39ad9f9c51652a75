/**
 * One computed output: the naive value, its TF.js twin beside it when there is one, the
 * lecture's printed value beside it when the lecture has one (marked the same or not, with
 * the reason a click away), or a figure with its caption.
 */
import type { Output as LessonOutput } from "../../lessons/show.ts";
import { formatDiff } from "../../lessons/literate.ts";
import { tableHtml } from "../../lessons/table.ts";
import type { VNode } from "../../deps/preact.ts";
import { figureSizeStyle } from "../lib/figure_size.ts";

/** A table output as an HTML table (scrolling sideways on a narrow screen). */
function TableValue({ table }: { table: NonNullable<LessonOutput["table"]> }) {
  return (
    <div
      class="table-wrap"
      data-output="table"
      dangerouslySetInnerHTML={{ __html: tableHtml({ kind: "table", ...table }) }}
    />
  );
}

function Lecture({ lecture }: { lecture: NonNullable<LessonOutput["lecture"]> }) {
  return (
    <div class={`lecture ${lecture.same ? "same" : "differs"}`}>
      <div class="twin-label">
        the lecture's output · {lecture.same
          ? <span class="ok" data-lecture="same">✓ same numbers</span>
          : <span class="diff" data-lecture="differs">≠ differs</span>}
      </div>
      <pre data-output="lecture">{lecture.text}</pre>
      {lecture.why && (
        <details>
          <summary>{lecture.same ? "note" : "why it differs"}</summary>
          <p>{lecture.why}</p>
        </details>
      )}
    </div>
  );
}

/** A figure: the SVG inline (it carries its alt text), the label as its caption. */
export function FigureOutput({ output }: { output: LessonOutput }) {
  const f = output.figure!;
  const style = figureSizeStyle(f.svg);
  return (
    <figure class="lesson-figure" data-fig={f.fig} style={style}>
      <div class="fig" dangerouslySetInnerHTML={{ __html: f.svg }} />
      <figcaption>
        {output.label}
        {f.fig && <span class="fig-tag">the lecture's {f.fig}, drawn by our code</span>}
      </figcaption>
    </figure>
  );
}

export function Output({ output }: { output: LessonOutput }) {
  if (output.figure) return <FigureOutput output={output} />;
  const { label, text, twin, lecture } = output;
  // Long or many-line values (tables, matrices with a twin) take the whole row.
  const lines = [text, twin?.value ?? "", lecture?.text ?? ""].flatMap((v) => v.split("\n"));
  const wide = twin !== undefined || lecture !== undefined || lines.some((l) => l.length > 28) ||
    label.length > 60;
  return (
    <figure class={wide ? "output wide" : "output"}>
      <figcaption>{label}</figcaption>
      {twin || lecture
        ? (
          <div class="twin">
            <div>
              <div class="twin-label">{twin ? "naive (float64)" : "ours"}</div>
              {output.table
                ? <TableValue table={output.table} />
                : <pre data-output={twin ? "naive" : "value"}>{text}</pre>}
            </div>
            {twin && (
              <div>
                <div class="twin-label">TF.js on {twin.backend} (float32)</div>
                <pre data-output="twin">{twin.value}</pre>
              </div>
            )}
            {lecture && <Lecture lecture={lecture} />}
          </div>
        )
        : output.table
        ? <TableValue table={output.table} />
        : <pre data-output="value">{text}</pre>}
      {twin && (
        <p class="agree">
          max |naive − TF.js| = {formatDiff(twin.maxDiff)}, tolerance {formatDiff(twin.tolerance)}
          {" "}
          {twin.maxDiff <= twin.tolerance
            ? <span class="ok">✓ agree</span>
            : <span class="no">✗ outside the tolerance</span>} · backend {twin.backend}
        </p>
      )}
    </figure>
  );
}

/**
 * A code block's outputs in order: text outputs packed in a grid, figures side by side.
 * `figure` may draw a figure its own way (an interactive island); undefined keeps the SVG.
 */
export function Outputs(
  { outputs, figure }: {
    outputs: LessonOutput[];
    figure?: (output: LessonOutput) => VNode | undefined;
  },
) {
  if (outputs.length === 0) return null;
  const runs: LessonOutput[][] = [];
  for (const o of outputs) {
    const last = runs[runs.length - 1];
    if (last && !!last[0].figure === !!o.figure) last.push(o);
    else runs.push([o]);
  }
  return (
    <>
      {runs.map((run, k) =>
        run[0].figure
          ? (
            <div class="figures" key={k}>
              {run.map((o, k) => figure?.(o) ?? <FigureOutput key={k} output={o} />)}
            </div>
          )
          : (
            <div class="outputs" key={k}>
              {run.map((o, k) => <Output key={k} output={o} />)}
            </div>
          )
      )}
    </>
  );
}
