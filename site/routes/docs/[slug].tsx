/**
 * One page per file of `docs/` (`docs/speed.md` → `docs/speed/`), rendered by the same
 * Markdown and math pipeline as the lessons' prose, so the site and the repository show the
 * same text. A link to another page of `docs/` goes to that page; other relative links go
 * where a lesson's would (a lesson's page, or a copy of the file).
 */
import { LESSONS } from "../../../lessons/index.ts";
import { usePage } from "../../lib/context.ts";
import { renderMarkdown } from "../../lib/markdown.ts";
import { rewriteProseLinks } from "../../lib/prose_links.ts";

const DOCS_DIR = new URL("../../../docs/", import.meta.url);

interface DocPage {
  slug: string;
  url: string;
  title: string;
  html: string;
}

export function paths(): Promise<Record<string, string>[]> {
  const slugs = [...Deno.readDirSync(DOCS_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => ({ slug: e.name.slice(0, -3) }));
  return Promise.resolve(slugs.sort((a, b) => a.slug.localeCompare(b.slug)));
}

export async function load(params: Record<string, string>): Promise<DocPage> {
  const url = new URL(`${params.slug}.md`, DOCS_DIR);
  const md = await Deno.readTextFile(url);
  const { html, headings } = renderMarkdown(md);
  const title = headings.find((h) => h.depth === 1)?.text ?? params.slug;
  return { slug: params.slug, url: url.href, title, html };
}

export const title = (d: DocPage): string => d.title;

export default function Doc({ data }: { data: DocPage }) {
  const page = usePage();
  // Sibling pages first (`speed.md#x` → `../speed/index.html#x`): rewriteProseLinks would
  // copy the Markdown file instead. The rewritten links name no file of the repository, so
  // the second pass leaves them as they are.
  const siblings = data.html.replace(
    /\shref="([\w-]+)\.md(#[^"]*)?"/g,
    (_, slug: string, hash = "") => ` href="${page.href(`docs/${slug}/index.html`)}${hash}"`,
  );
  const html = rewriteProseLinks(siblings, data.url, page, LESSONS);
  return <article class="narrow prose" dangerouslySetInnerHTML={{ __html: html }} />;
}
