/**
 * Relative links in a lesson's prose point at files next to the lesson in the repository
 * (`../data/reference/lecture/curves.svg`, `./03_padding.ts`). On the site they become a
 * link to that lesson's page, or a copy of the file in the build (`files/<repo path>`).
 *
 * @module
 */
import { ROOT_DIR } from "./assets.ts";
import type { PageContext } from "./context.ts";

/**
 * Rewrites the relative `href`/`src` of `html`, written in the lesson at `lessonUrl`;
 * `lessons` are the course's lessons (a link to one of their files goes to its page).
 */
export function rewriteProseLinks(
  html: string,
  lessonUrl: string,
  page: PageContext,
  lessons: readonly { slug: string; url: URL }[],
): string {
  return html.replace(/\s(href|src)="([^"]*)"/g, (whole, attr: string, url: string) => {
    if (
      url === "" || url.startsWith("#") || url.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(url)
    ) {
      return whole;
    }
    const target = new URL(url, lessonUrl);
    const path = decodeURIComponent(target.pathname);
    const lesson = lessons.find((l) => l.url.pathname === path);
    if (lesson) return ` ${attr}="${page.href(`lessons/${lesson.slug}/index.html`)}${target.hash}"`;
    if (!path.startsWith(`${ROOT_DIR}/`)) return whole;
    try {
      if (!Deno.statSync(path).isFile) return whole;
    } catch {
      return whole; // a missing file stays a broken link, for the link check to report
    }
    return ` ${attr}="${
      page.asset(path, `files/${path.slice(ROOT_DIR.length + 1)}`)
    }${target.hash}"`;
  });
}
