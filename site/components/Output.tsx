/** One computed output: the naive value, and its TF.js twin beside it when there is one. */
import type { Example } from "../../lessons/literate.ts";
import { formatDiff } from "../../lessons/literate.ts";

export function Output({ example }: { example: Example }) {
  const { label, value, twin } = example;
  // Long or many-line values (tables, matrices with a twin) take the whole row.
  const lines = [value, twin?.value ?? ""].flatMap((v) => v.split("\n"));
  const wide = twin !== undefined || lines.some((l) => l.length > 28) || label.length > 60;
  return (
    <figure class={wide ? "output wide" : "output"}>
      <figcaption>{label}</figcaption>
      {twin
        ? (
          <>
            <div class="twin">
              <div>
                <div class="twin-label">naive (float64)</div>
                <pre data-output="naive">{value}</pre>
              </div>
              <div>
                <div class="twin-label">TF.js on {twin.backend} (float32)</div>
                <pre data-output="twin">{twin.value}</pre>
              </div>
            </div>
            <p class="agree">
              max |naive − TF.js| = {formatDiff(twin.maxDiff)}, tolerance{" "}
              {formatDiff(twin.tolerance)} {twin.maxDiff <= twin.tolerance
                ? <span class="ok">✓ agree</span>
                : <span class="no">✗ outside the tolerance</span>} · backend {twin.backend}
            </p>
          </>
        )
        : <pre data-output="value">{value}</pre>}
    </figure>
  );
}

export function Outputs({ examples }: { examples: Example[] }) {
  if (examples.length === 0) return null;
  return (
    <div class="outputs">
      {examples.map((e, k) => <Output key={k} example={e} />)}
    </div>
  );
}
