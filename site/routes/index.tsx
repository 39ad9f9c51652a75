/** Home: what the course is, the lessons in order, the latest results, how to run it. */
import { lessonBlocks, LESSONS } from "../../lessons/index.ts";
import Search from "../islands/Search.tsx";
import { usePage } from "../lib/context.ts";
import { Island } from "../lib/island.tsx";
import { listHeadings, Slugger } from "../lib/markdown.ts";
import { LECTURE_TEST_ACCURACY, type SiteRun, siteRuns } from "../lib/runs_data.ts";
import { headlineRun, newestRun } from "../lib/headline.ts";

interface HomeData {
  lessons: { slug: string; title: string; order: number; summary: string }[];
  /** Every lesson's `##`/`###` headings with their anchors, for the search. */
  headings: { slug: string; text: string; id: string }[];
  run?: SiteRun;
  /** The reader's newest own run, when the headline is the reference run. */
  newest?: SiteRun;
}

/** Heading text without Markdown and TeX marks, as a reader would type it. */
const plain = (s: string) => s.replace(/[`*_$\\]/g, "").replace(/\s+/g, " ").trim();

export async function load(): Promise<HomeData> {
  const headings: HomeData["headings"] = [];
  for (const lesson of LESSONS) {
    const slugger = new Slugger(); // as the lesson page numbers its anchors
    for (const block of await lessonBlocks(lesson)) {
      if (block.kind !== "prose") continue;
      for (const h of listHeadings(block.markdown, slugger)) {
        if (h.depth >= 2 && h.depth <= 3) {
          headings.push({ slug: lesson.slug, text: plain(h.text), id: h.id });
        }
      }
    }
  }
  return {
    lessons: LESSONS.map(({ slug, title, order, summary }) => ({ slug, title, order, summary })),
    headings,
    ...await (async () => {
      const runs = await siteRuns();
      const run = headlineRun(runs);
      const newest = newestRun(runs);
      return { run, newest: newest === run ? undefined : newest };
    })(),
  };
}

export const title = (): string => "Convolutional networks, built by hand";

export default function Home({ data }: { data: HomeData }) {
  const page = usePage();
  const run = data.run;
  return (
    <>
      <h1>Convolutional networks, built by hand</h1>
      <div class="grid2">
        <div>
          <p>
            litconv teaches convolutional neural networks by building them. Every lesson pairs a
            {" "}
            <strong>naive implementation</strong>{" "}
            you can read line by line (plain loops over plain arrays) with the{" "}
            <strong>TensorFlow.js operation</strong>{" "}
            that does the same job, and shows both results side by side. Property-based tests prove
            the two agree, and the lecture's CNN trains on the real MNIST digits. The course follows
            a CNN lecture after Raschka et al.,{" "}
            <cite>Machine Learning with PyTorch and Scikit-Learn</cite>, chapter 14.
          </p>
          <h2 id="lessons">The lessons</h2>
          <Island
            name="Search"
            component={Search}
            props={{
              entries: [
                ...data.lessons.map((l) => ({
                  lesson: l.title,
                  href: page.href(`lessons/${l.slug}/index.html`),
                })),
                ...data.headings.map((h) => ({
                  lesson: data.lessons.find((l) => l.slug === h.slug)!.title,
                  heading: h.text,
                  href: page.href(`lessons/${h.slug}/index.html#${h.id}`),
                })),
              ],
            }}
          />
          <ol class="lesson-list">
            {data.lessons.map((l) => (
              <li>
                <a href={page.href(`lessons/${l.slug}/index.html`)}>
                  <span class="n">{String(l.order).padStart(2, "0")}</span>
                  {l.title}
                </a>
                <div class="muted">{l.summary}</div>
              </li>
            ))}
          </ol>
        </div>
        <aside>
          <section class="card" aria-labelledby="latest">
            <h2 id="latest">Results</h2>
            {run
              ? (
                <>
                  <p>
                    Test accuracy{" "}
                    <strong data-test-accuracy>{fmtAcc(run.metrics.testAccuracy)}</strong> after
                    {" "}
                    {run.metrics.history.length} epoch{run.metrics.history.length === 1 ? "" : "s"}
                    {" "}
                    (the lecture: {LECTURE_TEST_ACCURACY} after 20),{" "}
                    {run.reference ? <>the committed reference run of the lecture's model</> : (
                      <>
                        run <code>{run.id}</code>
                      </>
                    )} on {run.metrics.backend}.
                  </p>
                  {run.files.includes("curves.svg") && (
                    <a href={page.href(`results/index.html#${run.id}`)}>
                      <img
                        src={page.asset(`${run.dir}/curves.svg`, `runs/${run.id}/curves.svg`)}
                        alt={`Loss and accuracy by epoch, training and validation, for run ${run.id}`}
                        width="480"
                        height="160"
                        loading="lazy"
                      />
                    </a>
                  )}
                  {data.newest && (
                    <p data-newest-run>
                      Your newest run, <code>{data.newest.id}</code>: test accuracy{" "}
                      {fmtAcc(data.newest.metrics.testAccuracy)} after{" "}
                      {data.newest.metrics.history.length} epoch
                      {data.newest.metrics.history.length === 1 ? "" : "s"} on{" "}
                      {data.newest.metrics.config.limit === null
                        ? "all 50,000 training images"
                        : `${
                          data.newest.metrics.config.limit.toLocaleString("en")
                        } training images`}.
                    </p>
                  )}
                  <p>
                    <a href={page.href("results/index.html")}>Every run, with charts →</a>
                  </p>
                </>
              )
              : (
                <p>
                  No finished run yet: train one with <code>deno task train</code>.
                </p>
              )}
          </section>
          <section class="card" aria-labelledby="try">
            <h2 id="try">Try it in the browser</h2>
            <p>
              <a href={page.href("explorer/index.html")}>The convolution explorer</a>{" "}
              steps through a convolution window by window, with the course's own naive kernel.{" "}
              <a href={page.href("draw/index.html")}>Draw a digit</a>{" "}
              and watch the trained network read it.
            </p>
          </section>
          <section aria-labelledby="local">
            <h2 id="local">Run it locally</h2>
            <p>You need Node.js (for npx); Deno comes from npm.</p>
            <pre class="cmd"><code>{`# this site, on http://127.0.0.1:8000
npx -y deno@2.9.6 task site
# one lesson's numbers, in the terminal
npx -y deno@2.9.6 task lesson 02
# train the lecture's CNN; run every test
npx -y deno@2.9.6 task train
npx -y deno@2.9.6 task test`}</code></pre>
          </section>
        </aside>
      </div>
    </>
  );
}

const fmtAcc = (a: number | null) => (a === null ? "n/a" : a.toFixed(4));
