/** The not-found page (served with status 404; `404.html` in the static build). */
import { LESSONS } from "../../lessons/index.ts";
import { usePage } from "../lib/context.ts";

export const load = (): Promise<null> => Promise.resolve(null);
export const title = (): string => "Page not found";

export default function NotFound() {
  const page = usePage();
  return (
    <article class="narrow">
      <h1>Page not found</h1>
      <p>There is no page at this address. The lessons are:</p>
      <ul>
        {LESSONS.map((l) => (
          <li>
            <a href={page.href(`lessons/${l.slug}/index.html`)}>{l.title}</a>
          </li>
        ))}
      </ul>
      <p>
        <a href={page.href("index.html")}>Back to the start</a>
      </p>
    </article>
  );
}
