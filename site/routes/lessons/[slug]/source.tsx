/** A lesson's whole source file, highlighted, every line an anchor (`#L42`). */
import { LESSONS } from "../../../../lessons/index.ts";
import { usePage } from "../../../lib/context.ts";
import { highlight } from "../../../lib/highlight.ts";
import { fileOf } from "../../../lib/lesson_data.ts";

interface SourceData {
  slug: string;
  title: string;
  file: string;
  html: string;
}

export function paths(): Promise<Record<string, string>[]> {
  return Promise.resolve(LESSONS.map((l) => ({ slug: l.slug })));
}

export async function load(params: Record<string, string>): Promise<SourceData> {
  const lesson = LESSONS.find((l) => l.slug === params.slug);
  if (!lesson) throw new Deno.errors.NotFound(`no lesson ${params.slug}`);
  const html = await highlight(await Deno.readTextFile(lesson.url), 1);
  return { slug: lesson.slug, title: lesson.title, file: fileOf(lesson), html };
}

export const title = (d: SourceData): string => `lessons/${d.file}`;

export default function SourcePage({ data }: { data: SourceData }) {
  const page = usePage();
  return (
    <article>
      <h1>
        <code>lessons/{data.file}</code>
      </h1>
      <p>
        The source of <a href={page.href(`lessons/${data.slug}/index.html`)}>{data.title}</a>, as
        {" "}
        <code>deno run -A lessons/{data.file}</code> runs it.
      </p>
      <div class="code source" dangerouslySetInnerHTML={{ __html: data.html }} />
    </article>
  );
}
