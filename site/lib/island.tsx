/**
 * Islands, as Fresh hydrates them: on the server an island renders to HTML like any
 * component, and the page marks the spot with `<!--frsh:Name:k-->` … `<!--/frsh:Name:k-->`
 * around a host element and lists every island's props as JSON. In the browser one small
 * boot script (`static/boot.js`) finds the markers, loads `islands/Name.js` and hydrates
 * the host with the same props. A page without islands gets no script at all.
 *
 * @module
 */
import type { ComponentType } from "../../deps/preact.ts";
import { renderToString } from "../../deps/preact_render_to_string.ts";
import { usePage } from "./context.ts";

/** Renders `Component` as island `name` (its file `site/islands/<name>.tsx`). */
// deno-lint-ignore no-explicit-any
export function Island<P extends Record<string, any>>(
  { name, component: Component, props }: {
    name: string;
    component: ComponentType<P>;
    props: NoInfer<P>;
  },
) {
  const page = usePage();
  const k = page.islands.length;
  page.islands.push({ name, props, html: renderToString(<Component {...props} />) });
  // A placeholder the page shell swaps for the markers and the island's HTML.
  return <div data-frsh-k={String(k)} />;
}

/** Replaces each placeholder with its markers and host, and appends props and the boot script. */
export function insertIslands(
  body: string,
  islands: { name: string; props: unknown; html: string }[],
  base: string,
): string {
  if (islands.length === 0) return body;
  const html = body.replace(/<div data-frsh-k="(\d+)"><\/div>/g, (_, k) => {
    const { name, html } = islands[Number(k)];
    return `<!--frsh:${name}:${k}--><div class="island" data-island="${name}">${html}</div><!--/frsh:${name}:${k}-->`;
  });
  const props = JSON.stringify(islands.map(({ name, props }) => ({ name, props })))
    .replace(/</g, "\\u003c");
  return `${html}\n<script type="application/json" id="frsh-props">${props}</script>\n` +
    `<script defer src="${base}static/boot.js"></script>`;
}
