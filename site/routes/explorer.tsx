/** The convolution explorer's page: the island, and what to try with it. */
import ConvExplorer from "../islands/ConvExplorer.tsx";
import { usePage } from "../lib/context.ts";
import { Island } from "../lib/island.tsx";

export const load = (): Promise<null> => Promise.resolve(null);
export const title = (): string => "Convolution explorer";

export default function Explorer() {
  const page = usePage();
  return (
    <article>
      <h1>Convolution explorer</h1>
      <p class="narrow">
        Every number below is computed in your browser by the course's own naive kernels,{" "}
        <code>conv1d</code> and <code>conv2d</code> from <code>kernels/conv.ts</code>{" "}
        (bundled, not rewritten). Start with the lecture's example from{" "}
        <a href={page.href("lessons/02-conv1d/index.html")}>lesson 02</a>, then raise the stride to
        2: the output shrinks from 8 values to 4. Switch on the textbook's stride loop to see which
        windows it skips.
      </p>
      <Island
        name="ConvExplorer"
        component={ConvExplorer}
        props={{ dims: 1, padding: 2, stride: 1 }}
      />
    </article>
  );
}
